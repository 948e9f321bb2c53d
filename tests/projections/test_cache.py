"""A reader that keeps rows between reads sees exactly what a fresh reader sees.

The follower of a stream reads each read model whole once and then only the rows
of new events (``projections.cache.RowCache``). Fed a city in three parts, in a
partition interleaving, the kept-rows views must give the same frames and the
same findings as fresh views after every part.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from detectors.rules import load_rules
from detectors.run import run_detectors
from engine.ingest import ingest
from engine.store.factory import open_store
from engine.synth import generate
from projections.cache import RowCache
from projections.projector import Projector, engine_for
from projections.views import Views
from tests.detectors.test_partial_logs import interleaved

pytestmark = pytest.mark.slow
RAW = ["rm_person_versions", "rm_attendance", "rm_claim_items", "rm_classes", "rm_vouchers"]


def findings(views: Views) -> dict[str, str]:
    result = run_detectors(views, load_rules(None))
    assert result.errors == {}
    return {f.identity("r"): f.facts_digest() for f in result.findings}


def test_kept_rows_equal_a_fresh_read(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "city.jsonl"
    generate(50, 5, out, tmp_path / "truth.json")
    lines = interleaved(out.read_bytes().splitlines()[:24_000], seed=7)
    url = store_url
    engine = engine_for(url)
    cache = RowCache()
    for n, part in enumerate((lines[:5_000], lines[5_000:14_000], lines[14_000:])):
        path = tmp_path / f"part{n}.jsonl"
        path.write_bytes(b"\n".join(part) + b"\n")
        store = open_store(url)
        ingest(store, [str(path)], parallel=False)
        store.close()
        Projector(engine).run()
        kept, fresh = Views(engine, cache=cache), Views(engine)
        for name in RAW:
            a = kept.rows(name).sort_values("position").reset_index(drop=True)
            b = fresh.rows(name).sort_values("position").reset_index(drop=True)
            pd.testing.assert_frame_equal(a, b, check_dtype=True)
        assert findings(kept) == findings(fresh)
    assert len(Views(engine, cache=cache).rows("rm_attendance")) > 0

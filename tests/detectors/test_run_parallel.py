"""Detectors split over forked workers give exactly what one process gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.rules import load_rules
from detectors.run import run_detectors
from engine.synth import generate
from projections.views import Views
from tests.detectors.city import projected

pytestmark = pytest.mark.slow


def test_forked_workers_find_the_same_as_one_process(tmp_path: Path) -> None:
    out = tmp_path / "city.jsonl"
    generate(50, 5, out, tmp_path / "truth.json")
    out.write_bytes(b"\n".join(out.read_bytes().splitlines()[:30_000]) + b"\n")
    engine = projected(out, f"sqlite:///{tmp_path / 's.db'}")
    rules = load_rules(None)
    one = run_detectors(Views(engine), rules)
    assert one.findings, "the city should raise findings"
    weights = {code: float(n) for n, code in enumerate(one.counts)}  # an uneven split
    for workers in (2, 3):
        many = run_detectors(Views(engine), rules, workers=workers, weights=weights)
        assert many.errors == {} and many.counts == one.counts
        assert [(f.identity("r"), f.facts_digest()) for f in many.findings] == [
            (f.identity("r"), f.facts_digest()) for f in one.findings]
        assert set(many.seconds) == set(one.seconds)

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
from projections.cache import RowCache
from projections.projector import Projector, engine_for
from projections.views import Views
from synth import generate
from tests.detectors.test_partial_logs import interleaved

pytestmark = pytest.mark.slow
RAW = ["rm_person_versions", "rm_attendance", "rm_claim_items", "rm_classes", "rm_vouchers",
       "rm_claims", "rm_payments", "rm_voucher_redemptions"]  # the last three: money


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


def _ingest(url: str, lines: list[bytes], path: Path) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")
    store = open_store(url)
    ingest(store, [str(path)], parallel=False)
    store.close()


@pytest.fixture(scope="module")
def city_lines(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = tmp_path_factory.mktemp("cache") / "city.jsonl"
    generate(50, 8, out, out.with_suffix(".truth.json"))
    return out.read_bytes().splitlines()


@pytest.fixture(scope="module")
def small_city(city_lines: list[bytes]) -> list[bytes]:
    return city_lines[:8_000]


@pytest.fixture(scope="module")
def money_city(city_lines: list[bytes]) -> list[bytes]:
    """The small city plus its first claims, reviews and payments (money columns)."""
    money = [line for line in city_lines[8_000:]
             if b'"SubsidyClaimed"' in line or b'"SubsidyPaid"' in line
             or b'"ClaimReviewed"' in line or b'"VoucherRedeemed"' in line][:600]
    return city_lines[:8_000] + money


def test_a_table_empty_at_first_gets_its_types_from_its_first_rows(
        store_url: str, tmp_path: Path, small_city: list[bytes]) -> None:
    open_store(store_url).close()  # an empty log
    engine = engine_for(store_url)
    cache = RowCache()
    Projector(engine).run()
    for name in ("rm_classes", "rm_attendance"):
        assert Views(engine, cache=cache).rows(name).empty  # nothing stored yet
    _ingest(store_url, small_city, tmp_path / "all.jsonl")
    Projector(engine).run()
    for name in ("rm_classes", "rm_attendance"):
        kept, fresh = Views(engine, cache=cache).rows(name), Views(engine).rows(name)
        assert len(kept) > 0
        pd.testing.assert_frame_equal(kept.sort_values("position").reset_index(drop=True),
                                      fresh.sort_values("position").reset_index(drop=True))
    cache.close()


@pytest.mark.postgres
def test_a_lost_connection_is_opened_again(pg_url: str, tmp_path: Path,
                                           small_city: list[bytes]) -> None:
    import sqlalchemy as sa

    engine = engine_for(pg_url)
    cache = RowCache()
    _ingest(pg_url, small_city[:4_000], tmp_path / "a.jsonl")
    Projector(engine).run()
    Views(engine, cache=cache).rows("rm_attendance")
    Views(engine, cache=cache).rows("rm_attendance")  # new rows (none) on the kept connection
    assert cache._conn is not None
    with engine.connect() as admin:  # the server drops the kept connection (a restart, say)
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"),
                      {"pid": cache._conn.connection.dbapi_connection.info.backend_pid})
    _ingest(pg_url, small_city[4_000:], tmp_path / "b.jsonl")
    Projector(engine).run()
    kept = Views(engine, cache=cache).rows("rm_attendance")
    fresh = Views(engine).rows("rm_attendance")
    assert len(kept) == len(fresh) > 0
    assert kept["position"].max() == fresh["position"].max()
    cache.close()


def test_a_stream_horizon_shares_the_kept_rows(sqlite_url: str, tmp_path: Path,
                                               small_city: list[bytes]) -> None:
    """A cycle with a horizon and one without read the same kept rows, not two copies."""
    from projections.horizon import Horizon

    _ingest(sqlite_url, small_city, tmp_path / "city.jsonl")
    engine = engine_for(sqlite_url)
    Projector(engine).run()
    cache = RowCache()
    plain = Views(engine, cache=cache).rows("rm_sessions", ["class_id", "hours"])
    held = Views(engine, cache=cache, horizon=Horizon(2**62)).rows(
        "rm_sessions", ["class_id", "hours"])
    pd.testing.assert_frame_equal(plain, held)
    assert len(cache._frames) == 1


def test_money_is_kept_exact_and_few_rows_read_plainly_equal_a_columnar_read(
        store_url: str, tmp_path: Path, money_city: list[bytes]) -> None:
    """Kept rows hold money as nullable integers from the first read and for every new row
    (not converted again each cycle); a ``few`` read (a stream's new findings) gives the
    same frame, types included, as the columnar reader."""
    from projections.tables import metadata

    engine = engine_for(store_url)
    cache = RowCache()
    half = len(money_city) - 300  # half the money rows arrive later, as new rows
    _ingest(store_url, money_city[:half], tmp_path / "a.jsonl")
    Projector(engine).run()
    assert len(Views(engine, cache=cache).rows("rm_payments")) > 0  # read whole first
    _ingest(store_url, money_city[half:], tmp_path / "b.jsonl")
    Projector(engine).run()
    kept = Views(engine, cache=cache).rows("rm_payments")
    assert str(kept["amount_fen"].dtype) == "Int64" and len(kept) > 0
    held = [f for (name, _), (_, f) in cache._frames.items() if name == "rm_payments"]
    assert held and all(str(f["amount_fen"].dtype) == "Int64" for f in held)  # as kept
    assert len(kept) > len(Views(engine).rows("rm_payments", where=[
        metadata.tables["rm_payments"].c.position <= int(kept["position"].min())]))
    for name in ("rm_payments", "rm_claims", "rm_claim_reviews", "rm_attendance",
                 "rm_person_versions", "rm_classes", "rm_enrolments"):
        t = metadata.tables[name]
        middle = int(Views(engine).rows(name, ["position"])["position"].median())
        views = Views(engine)
        few = views.rows(name, where=[t.c.position > middle], few=True)
        columnar = views.rows(name, where=[t.c.position > middle])
        assert len(few) > 0, name
        pd.testing.assert_frame_equal(few.sort_values("position", ignore_index=True),
                                      columnar.sort_values("position", ignore_index=True),
                                      check_dtype=True)
    cache.close()

"""Parallel rebuild on SQLite: helper processes fill later ranges, the projector appends them.

The result must be exactly a single-process rebuild, and a helper that fails
must cost time only: its range is then applied by the projector itself.
"""

from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.ingest import ingest
from engine.store.factory import open_store
from projections import parallel
from projections.projector import Projector, engine_for
from synth import generate
from tests.projections.test_projector import dump


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated city, ingested once; tests copy the store file."""
    tmp = tmp_path_factory.mktemp("parallel")
    generate(400, 5, tmp / "city.jsonl")
    store = open_store(f"sqlite:///{tmp / 'city.db'}")
    try:
        ingest(store, [str(tmp / "city.jsonl")], parallel=False)
    finally:
        store.close()
    return tmp / "city.db"


def copy_of(city: Path, tmp: Path) -> str:
    target = tmp / "store.db"
    src = sqlite3.connect(city)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{target}"


def reference(city: Path, tmp: Path) -> dict[str, list[tuple]]:
    url = copy_of(city, tmp / "ref")
    Projector(engine_for(url)).run(rebuild=True, jobs=1)
    return dump(engine_for(url))


@pytest.fixture
def small_jobs(monkeypatch: pytest.MonkeyPatch) -> list[parallel.Part]:
    """Let a small store be split, and record the helpers started."""
    monkeypatch.setattr(parallel, "MIN_EVENTS_PER_JOB", 100)
    started: list[parallel.Part] = []
    original = parallel.Part.start.__func__  # type: ignore[attr-defined]

    def start(cls: type[parallel.Part], *args: object) -> parallel.Part:
        part = original(cls, *args)
        started.append(part)
        return part

    monkeypatch.setattr(parallel.Part, "start", classmethod(start))
    return started


def test_split_covers_the_range_once() -> None:
    ranges = parallel.split(0, 10_000_000, 3)
    assert ranges[0][0] == 0 and ranges[-1][1] == 10_000_000
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert len(ranges) == 3 and all(hi > lo for lo, hi in ranges)
    assert parallel.split(0, parallel.MIN_EVENTS_PER_JOB * 2 - 1, 8) == [
        (0, parallel.MIN_EVENTS_PER_JOB * 2 - 1)]  # too small to be worth a helper
    assert len(parallel.split(5, 5 + parallel.MIN_EVENTS_PER_JOB * 3, 8)) == 3


def test_parallel_rebuild_equals_a_single_process_one(city: Path, tmp_path: Path,
                                                      small_jobs: list[parallel.Part]) -> None:
    (tmp_path / "ref").mkdir()
    expected = reference(city, tmp_path)
    url = copy_of(city, tmp_path)
    projector = Projector(engine_for(url))
    merged = []
    original = projector._merge
    projector._merge = lambda part: merged.append(part.lo) or original(part)  # type: ignore
    summary = projector.run(rebuild=True, jobs=3, window=997)
    assert len(small_jobs) == 2 and len(merged) == 2, "both helpers' parts were appended"
    assert summary.applied == projector.head()
    assert dump(engine_for(url)) == expected
    assert not list(tmp_path.glob("store.db" + parallel.SUFFIX + "*")), "scratch files removed"
    with engine_for(url).connect() as conn:  # indexes exist after a parallel rebuild too
        names = {r[0] for r in conn.execute(sa.text(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='rm_attendance'"))}
    assert {"ix_rm_attendance_class_id", "ix_rm_attendance_person_id"} <= names
    # an incremental run afterwards finds nothing left to apply
    assert Projector(engine_for(url)).run().applied == 0


def test_a_failed_helper_costs_time_not_rows(city: Path, tmp_path: Path,
                                            small_jobs: list[parallel.Part],
                                            monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "ref").mkdir()
    expected = reference(city, tmp_path)
    url = copy_of(city, tmp_path)
    # the second helper is handed a store it cannot read: it fails, its range is redone
    original = parallel.Part.start.__func__  # type: ignore[attr-defined]
    calls = []

    def start(cls: type[parallel.Part], store_path: str, lo: int, hi: int,
              window: int) -> parallel.Part:
        calls.append(lo)
        bad = str(tmp_path / "missing" / "store.db") if len(calls) == 2 else store_path
        part = original(cls, store_path, lo, hi, window)
        if bad != store_path:
            part.proc.kill()
            part.proc.wait()
            part.proc = subprocess.Popen(
                [sys.executable, "-m", "projections.parallel", bad, str(part.path), str(lo),
                 str(hi), str(window)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return part

    monkeypatch.setattr(parallel.Part, "start", classmethod(start))
    with caplog.at_level(logging.WARNING, logger="skillaudit.projections"):
        summary = Projector(engine_for(url)).run(rebuild=True, jobs=3, window=997)
    assert len(calls) == 2
    assert summary.applied == Projector(engine_for(url)).head()
    assert dump(engine_for(url)) == expected
    assert any("failed" in r.getMessage() and "applying them here" in r.getMessage()
               for r in caplog.records)


def test_stale_scratch_files_of_dead_rebuilds_are_removed(tmp_path: Path) -> None:
    store = tmp_path / "store.db"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"store.db{parallel.SUFFIX}{dead.pid}-0.db"
    mine = tmp_path / f"store.db{parallel.SUFFIX}{os.getpid()}-0.db"
    other = tmp_path / "other.db.rebuild-part-1-0.db"
    for f in (stale, mine, other):
        f.write_bytes(b"")
    parallel.remove_stale(str(store))
    assert not stale.exists() and mine.exists() and other.exists()

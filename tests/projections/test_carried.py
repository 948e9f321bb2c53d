"""A follower's frames carried from one cycle to the next equal freshly derived ones.

``projections.views.carried``: a ``Views`` over a ``RowCache`` takes over the last
``Views``'s frame when no table it was derived from, directly or through other
frames, shows a new row. Each test compares every frame with a fresh reader's.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from detectors.base import Frames
from engine.ingest import ingest
from engine.store.factory import open_store
from projections import views as views_module
from projections.cache import RowCache
from projections.horizon import Horizon
from projections.projector import Projector, engine_for
from projections.views import Views
from synth import generate

pytestmark = pytest.mark.slow
FRAMES = list(Frames.__annotations__)
MASTER = {"PersonRegistered", "PersonUpdated", "InstitutionRegistered",
          "InstitutionUpdated", "AgencyRegistered", "EmployerRegistered"}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = tmp_path_factory.mktemp("carried") / "city.jsonl"
    generate(50, 8, out, out.with_suffix(".truth.json"))
    return out.read_bytes().splitlines()


def _add(url: str, lines: list[bytes], path: Path) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")
    store = open_store(url)
    ingest(store, [str(path)], parallel=False)
    store.close()
    Projector(engine_for(url)).run()


def _same_as_fresh(kept: Views, fresh: Views) -> None:
    for name in FRAMES:
        a, b = getattr(kept, name), getattr(fresh, name)
        pd.testing.assert_frame_equal(a, b, check_dtype=True, obj=name)


def _type(line: bytes) -> str:
    return json.loads(line)["type"]


def test_frames_are_carried_only_while_their_rows_stay_the_same(
        store_url: str, tmp_path: Path, city: list[bytes]) -> None:
    engine = engine_for(store_url)
    _add(store_url, city[:8_000], tmp_path / "a.jsonl")
    cache = RowCache()
    _same_as_fresh(Views(engine, cache=cache), Views(engine))

    # check-ins only: every frame built on them (also through other frames) is built anew
    later = city[8_000:]
    checkins = [line for line in later if _type(line) == "AttendanceRecorded"][:300]
    _add(store_url, checkins, tmp_path / "b.jsonl")
    kept = Views(engine, cache=cache)
    _same_as_fresh(kept, Views(engine))
    assert {"persons", "institutions", "agencies", "claims"} <= kept.carried
    assert not {"checkins", "trainee_attendance"} & kept.carried

    # nothing new: everything is carried, and still equal
    again = Views(engine, cache=cache)
    _same_as_fresh(again, Views(engine))
    assert again.carried == set(FRAMES)

    # a person's update: persons and their history are built anew
    registered = json.loads(next(line for line in city if _type(line) == "PersonRegistered"))
    update = {"event_id": "carried-test-u1", "type": "PersonUpdated",
              "occurred_at": "2024-06-01T09:00:00+08:00", "source": "realname",
              "data": {"person_id": registered["data"]["person_id"], "phone": "13900000000"}}
    _add(store_url, [json.dumps(update).encode()], tmp_path / "c.jsonl")
    moved = Views(engine, cache=cache)
    _same_as_fresh(moved, Views(engine))
    assert not {"persons", "person_history"} & moved.carried
    assert "checkins" in moved.carried
    cache.close()


def test_rows_a_horizon_reveals_rebuild_the_frame(sqlite_url: str, tmp_path: Path,
                                                  city: list[bytes]) -> None:
    engine = engine_for(sqlite_url)
    master = [line for line in city if _type(line) in MASTER]
    late = [line for line in master if _type(line) == "PersonRegistered"][-5:]
    _add(sqlite_url, [line for line in master if line not in late], tmp_path / "a.jsonl")
    before = int(Views(engine).rows("rm_person_versions")["position"].max())
    _add(sqlite_url, late, tmp_path / "b.jsonl")
    rows = Views(engine).rows("rm_person_versions")
    held = Horizon(int(rows[rows["position"] > before]["recorded_us"].min()) - 1, before)
    cache = RowCache()
    first = Views(engine, cache=cache, horizon=held)
    n = len(first.persons) + len(first.institutions)
    still = Views(engine, cache=cache, horizon=held)  # the same rows visible: carried
    assert len(still.persons) + len(still.institutions) == n
    assert {"persons", "institutions"} <= still.carried
    _same_as_fresh(still, Views(engine, horizon=held))
    shown = Views(engine, cache=cache, horizon=Horizon(2**62))
    assert len(shown.persons) + len(shown.institutions) > n
    assert not {"persons", "institutions"} & shown.carried
    _same_as_fresh(shown, Views(engine))
    cache.close()


def test_a_new_day_derives_every_frame_again(sqlite_url: str, tmp_path: Path,
                                             city: list[bytes],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Ages and voucher expiry move with the calendar: nothing is carried past midnight."""
    engine = engine_for(sqlite_url)
    _add(sqlite_url, city[:4_000], tmp_path / "a.jsonl")
    cache = RowCache()
    Views(engine, cache=cache).persons  # noqa: B018 - derived and kept
    monkeypatch.setattr(views_module, "today", lambda: date(2099, 1, 1))
    later = Views(engine, cache=cache)
    assert later.persons is not None and "persons" not in later.carried
    pd.testing.assert_frame_equal(later.persons, Views(engine).persons)
    cache.close()

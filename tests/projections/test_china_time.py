"""Times written with any offset are read in Beijing's calendar (projections.chinatime).

A source may write ``occurred_at`` in UTC or any offset (the spec allows it); the
store keeps what was written, and the frames hold the same instants at +08:00, so
a payment at 00:30 on 1 April in Beijing is late whatever clock its source used.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from projections.chinatime import china_time
from tests.detectors.city import TinyCity, ts


@pytest.mark.parametrize(("written", "beijing"), [
    ("2023-03-01T09:00:00+08:00", "2023-03-01T09:00:00+08:00"),
    ("2024-03-31T16:30:00Z", "2024-04-01T00:30:00+08:00"),
    ("2024-03-31T16:30:00+00:00", "2024-04-01T00:30:00+08:00"),
    ("2024-03-31T12:30:00-04:00", "2024-04-01T00:30:00+08:00"),
    ("2024-01-01T00:00:00.250+00:00", "2024-01-01T08:00:00.250000+08:00"),
])
def test_the_same_instant_at_plus_eight(written: str, beijing: str) -> None:
    got = china_time(pd.Series([written, None], dtype="str"))
    assert got.iloc[0] == beijing and pd.isna(got.iloc[1])
    assert datetime.fromisoformat(got.iloc[0]) == datetime.fromisoformat(
        written.replace("Z", "+00:00"))


def test_times_already_in_beijing_are_left_alone() -> None:
    values = pd.Series(["2023-03-01T09:00:00+08:00"] * 3, dtype="str")
    assert china_time(values) is values


def utc(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat().replace("+00:00", "Z")


def city(*, in_utc: bool) -> TinyCity:
    c = TinyCity()
    c.institution()
    pid = c.person()
    c.klass("C1", start="2023-12-04")
    c.train("C1", [pid])
    for e in c.events:  # check-ins at 07:40, which is the day before in UTC
        if e["type"] == "AttendanceRecorded" and e["data"]["direction"] == "in":
            e["occurred_at"] = e["occurred_at"].replace("T08:", "T07:")
    c.claim("CL1", [(pid, "1000.00", 10)], cid="C1", on="2023-12-28")
    c.review("CL1", "1000.00")
    c.pay("P1", "CL1", "1000.00")
    for e in c.events:
        if e["type"] == "SubsidyPaid":  # a 2023 claim paid at 00:30 on 1 April 2024
            e["occurred_at"] = ts("2024-04-01", 0, 30)
    if in_utc:
        for e in c.events:
            e["occurred_at"] = utc(e["occurred_at"])
    return c


def test_a_source_writing_utc_gives_the_same_frames(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    beijing = city(in_utc=False).frames(tmp_path / "a")
    elsewhere = city(in_utc=True).frames(tmp_path / "b")
    assert elsewhere.payments["paid_on"].tolist() == ["2024-04-01"]  # past 31 March
    assert elsewhere.checkins["date"].tolist() == beijing.checkins["date"].tolist()
    pd.testing.assert_frame_equal(elsewhere.trainee_attendance, beijing.trainee_attendance)
    assert elsewhere.claims["occurred_at"].tolist() == beijing.claims["occurred_at"].tolist()


def test_a_late_payment_is_late_whatever_clock_its_source_used(tmp_path: Path) -> None:
    from detectors import comp_late_payment as late

    (tmp_path / "b").mkdir()
    found = late.detect(city(in_utc=True).frames(tmp_path / "b"), late.Params())
    assert [f.payment_ids for f in found] == [("P1",)]


def test_a_follower_keeping_rows_reads_them_in_beijing_time_too(tmp_path: Path) -> None:
    import json

    from engine.ingest import ingest
    from engine.store.factory import open_store
    from projections.cache import RowCache
    from projections.projector import Projector
    from projections.views import Views

    (tmp_path / "b").mkdir()
    c = city(in_utc=True)
    engine = c.frames(tmp_path / "b").engine
    cache = RowCache()
    assert Views(engine, cache=cache).payments["paid_on"].tolist() == ["2024-04-01"]
    paid = next(e for e in c.events if e["type"] == "SubsidyPaid")  # a second payment, later
    more = {**paid, "event_id": "t-late-2", "occurred_at": "2024-04-01T17:00:00Z",
            "data": {**paid["data"], "payment_id": "P2"}}
    path = tmp_path / "more.jsonl"
    path.write_text(json.dumps(more) + "\n", encoding="utf-8")
    store = open_store(str(engine.url))
    ingest(store, [str(path)], parallel=False)
    store.close()
    Projector(engine).run()
    kept = Views(engine, cache=cache)  # the new row comes through the kept-rows path
    assert sorted(kept.payments["paid_on"].tolist()) == ["2024-04-01", "2024-04-02"]
    assert kept.claims["occurred_at"].str.endswith("+08:00").all()
    cache.close()

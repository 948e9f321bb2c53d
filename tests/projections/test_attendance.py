"""Attended days and hours on integer codes equal the plain string definition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from projections.attendance import attended, beijing_day, iso_day
from projections.chinatime import china_time


def _by_strings(checkins: pd.DataFrame, sessions: pd.DataFrame, per_day: pd.Series,
                roster: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The definition, written the obvious way: distinct (class, person, Beijing date)."""
    a = checkins[checkins["direction"] == "in"].copy()
    a["date"] = china_time(a["occurred_at"]).str.slice(0, 10)
    days = a[["class_id", "person_id", "date"]].dropna().drop_duplicates()
    held = sessions.groupby(["class_id", "date"], as_index=False)["hours"].max()
    days = days.merge(held, on=["class_id", "date"], how="left")
    days["hours"] = days["hours"].fillna(days["class_id"].map(per_day)).fillna(0.0)
    agg = days.groupby(["class_id", "person_id"]).agg(d=("date", "count"), h=("hours", "sum"))
    out = roster.join(agg, on=["class_id", "person_id"])
    return (out["d"].fillna(0).astype("int64").to_numpy(),
            out["h"].fillna(0.0).to_numpy(dtype=float))


OFFSETS = [timezone(timedelta(hours=8)), UTC, timezone(timedelta(hours=-5)),
           timezone(timedelta(hours=9, minutes=30))]


@st.composite
def cases(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.DataFrame]:
    classes = ["C1", "C2", "C3"]
    people = ["P1", "P2", "P3", "P4"]
    base = datetime(2024, 3, 30, tzinfo=UTC)
    rows = draw(st.lists(st.tuples(
        st.sampled_from([*classes, None]), st.sampled_from([*people, None]),
        st.sampled_from(["in", "in", "out", None]), st.integers(0, 5 * 24 * 60),
        st.sampled_from(OFFSETS)), max_size=60))
    stamps = [(base + timedelta(minutes=m)).astimezone(tz) for *_, m, tz in rows]
    checkins = pd.DataFrame({
        "class_id": pd.array([r[0] for r in rows], dtype="string"),
        "person_id": pd.array([r[1] for r in rows], dtype="string"),
        "direction": pd.array([r[2] for r in rows], dtype="string"),
        "occurred_at": pd.array([s.isoformat() for s in stamps], dtype="string"),
        "occurred_ts": pd.array([int(s.timestamp()) for s in stamps], dtype="int64")})
    dates = ["2024-03-30", "2024-03-31", "2024-04-01", "2024-04-02", "2024-04-03", "bad"]
    srows = draw(st.lists(st.tuples(st.sampled_from(classes), st.sampled_from(dates),
                                    st.sampled_from([2.0, 3.5, 8.0, None])), max_size=12))
    sessions = pd.DataFrame({"class_id": pd.array([r[0] for r in srows], dtype="string"),
                             "date": pd.array([r[1] for r in srows], dtype="string"),
                             "hours": pd.array([r[2] for r in srows], dtype="Float64")})
    per_day = pd.Series([100 / 7, np.nan, 4.0], index=pd.Index(classes, dtype="string"))
    pairs = draw(st.lists(st.tuples(st.sampled_from(classes), st.sampled_from(people)),
                          unique=True, max_size=12))
    roster = pd.DataFrame({"class_id": pd.array([p[0] for p in pairs], dtype="string"),
                           "person_id": pd.array([p[1] for p in pairs], dtype="string")})
    return checkins, sessions, per_day, roster


@settings(max_examples=300, deadline=None)
@given(cases())
def test_codes_equal_strings(case: tuple[pd.DataFrame, ...]) -> None:
    days, hours = attended(*case)
    want_days, want_hours = _by_strings(*case)
    np.testing.assert_array_equal(days, want_days)
    np.testing.assert_allclose(hours, want_hours, rtol=1e-12)


def test_beijing_day_turns_at_midnight_in_beijing() -> None:
    before = int(datetime(2024, 3, 31, 15, 59, 59, tzinfo=UTC).timestamp())
    after = before + 1  # 2024-04-01T00:00:00+08:00
    got = beijing_day(np.array([before, after]))
    assert list(got) == list(iso_day(pd.Series(["2024-03-31", "2024-04-01"])))


def test_no_check_ins_gives_zero_for_everyone() -> None:
    empty = pd.DataFrame({"class_id": pd.array([], dtype="string"),
                          "person_id": pd.array([], dtype="string"),
                          "direction": pd.array([], dtype="string"),
                          "occurred_ts": pd.array([], dtype="int64")})
    roster = pd.DataFrame({"class_id": ["C1"], "person_id": ["P1"]})
    sessions = pd.DataFrame({"class_id": [], "date": [], "hours": []})
    days, hours = attended(empty, sessions, pd.Series(dtype=float), roster)
    assert days.tolist() == [0] and hours.tolist() == [0.0]


def test_a_day_is_a_beijing_day_whatever_offset_the_source_wrote() -> None:
    times = ["2024-03-31T23:30:00Z", "2024-04-01T09:00:00+08:00", "2024-04-01T16:30:00Z"]
    stamps = [int(datetime.fromisoformat(t).timestamp()) for t in times]
    checkins = pd.DataFrame({"class_id": ["C1"] * 3, "person_id": ["P1"] * 3,
                             "direction": ["in"] * 3, "occurred_at": times,
                             "occurred_ts": stamps})
    sessions = pd.DataFrame({"class_id": ["C1", "C1"], "date": ["2024-04-01", "2024-04-02"],
                             "hours": [3.5, 2.0]})
    roster = pd.DataFrame({"class_id": ["C1"], "person_id": ["P1"]})
    days, hours = attended(checkins, sessions, pd.Series({"C1": 8.0}), roster)
    # 07:30 and 09:00 in Beijing on 1 April are one day; 00:30 on 2 April is the next
    assert days.tolist() == [2] and hours.tolist() == [5.5]

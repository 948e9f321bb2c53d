"""Recording ratings, history, reproducing a past rating and credit repair, on both backends."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from credit.service import (
    CreditError,
    bring_up_to_date,
    find,
    history,
    rate,
    record,
    repair,
    stored_ratings,
)
from engine.store.factory import open_store
from tests.credit.cities import append, city_with_two_findings, finding_line, load, params
from tests.detectors.city import CST


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=CST)


def test_record_stores_nothing_twice_and_a_new_rating_when_facts_change(
        store_url: str, tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    engine = load(city, store_url, tmp_path)
    p = params()
    store = open_store(store_url)
    try:
        first = record(store, engine, p)
        assert sorted(first.stored) == ["A1", "I1", "I2"]
        again = record(store, engine, p)
        assert again.stored == [] and len(stored_ratings(engine)) == 3
        append(store, finding_line("F3", "2023-06-01", severity="critical"))
        changed = record(store, engine, p)
        assert changed.stored == ["I2"]
        assert record(store, engine, p).stored == []
    finally:
        store.close()
    rows = stored_ratings(engine, "I2")
    assert list(rows["score"]) == [80, 60] and list(rows["grade"]) == ["B", "C"]
    assert rows["previous_rating"].iloc[1] == rows["event_id"].iloc[0]
    assert set(rows["rules_digest"]) == {p.digest}
    events = history(engine, "I2")
    assert [e["event"] for e in events] == ["CreditRated", "CreditRated"]
    assert events[1]["reasons"][0]["finding_ids"] == ["F3"]


def test_a_past_rating_is_reproduced_from_its_position(store_url: str, tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    engine = load(city, store_url, tmp_path)
    p = params()
    store = open_store(store_url)
    try:
        record(store, engine, p)
        append(store, finding_line("F3", "2023-06-01"))
        record(store, engine, p)
    finally:
        store.close()
    for _, row in stored_ratings(engine, "I2").iterrows():
        _, ratings = rate(engine, p, int(row["as_of_position"]))
        again = find(ratings, "I2")
        assert (again.score, again.grade, again.facts_digest) == (
            row["score"], row["grade"], row["facts_digest"])


def test_repair_needs_a_clean_period_and_raises_one_grade_until_the_next_finding(
        store_url: str, tmp_path: Path) -> None:
    city, _ = city_with_two_findings()  # I2's findings were raised on 2023-05-01: B
    engine = load(city, store_url, tmp_path)
    p = params()
    store = open_store(store_url)
    try:
        with pytest.raises(CreditError, match=r"180 clean days.*2023-10-28"):
            repair(store, engine, p, "I2", note="整改完成", by="检查员甲", now=at("2023-06-01"))
        with pytest.raises(CreditError, match="remediation note"):
            repair(store, engine, p, "I2", note=" ", by="检查员甲", now=at("2024-01-01"))
        with pytest.raises(CreditError, match="already graded A"):
            repair(store, engine, p, "I1", note="无", by="检查员甲", now=at("2024-01-01"))
        data, rated, _ = repair(store, engine, p, "I2", note="已退回违规资金并整改考勤",
                                by="检查员甲", now=at("2023-12-01"))
        assert (data["from_grade"], data["to_grade"], data["clean_since"]) == (
            "B", "A", "2023-05-01")
        assert data["clean_days"] == 214
        assert (rated.score, rated.grade) == (80, "A")  # the score stands, the grade rises
        assert rated.reasons[-1]["factor"] == "repair"
        with pytest.raises(CreditError, match="already repaired"):
            repair(store, engine, p, "I2", note="再次", by="检查员甲", now=at("2024-01-01"))
        append(store, finding_line("F3", "2024-02-01", severity="low"))
        after = find(record(store, engine, p, now=at("2024-02-02")).ratings, "I2")
    finally:
        store.close()
    assert (after.score, after.grade) == (78, "B")  # a new finding ends the repair
    kinds = [(e["event"], e.get("grade") or e.get("to_grade")) for e in history(engine, "I2")]
    assert kinds == [("CreditRepaired", "A"), ("CreditRated", "A"), ("CreditRated", "B")]


def test_a_case_confirmed_through_casework_weighs_double(sqlite_url: str,
                                                         tmp_path: Path) -> None:
    from casework.commands import AssignCase, ConfirmCase, OpenCase, assign, confirm, open_case
    from projections.views import Views

    city, _ = city_with_two_findings()
    engine = load(city, sqlite_url, tmp_path)
    p = params()
    store = open_store(sqlite_url)
    try:
        for step in (lambda v: open_case(OpenCase("F1", "审计员"), store, v),
                     lambda v: assign(AssignCase("F1", "审计员乙", "审计员"), store, v),
                     lambda v: confirm(ConfirmCase("F1", "审计员乙", "核实属实"), store, v)):
            bring_up_to_date(engine)
            step(Views(engine))
        i2 = find(record(store, engine, p).ratings, "I2")
    finally:
        store.close()
    assert (i2.score, i2.grade) == (70, "C")  # confirmed high 20 + open high 10
    assert {(x["state"], x["points"]) for x in i2.reasons} == {("confirmed", -20),
                                                             ("open", -10)}

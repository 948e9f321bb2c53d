"""The credit model over real views: grades by findings, states, rates, checks, complaints."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from credit.facts import CreditFacts, gather
from credit.model import Rating, rate_all
from credit.params import CreditParams
from tests.credit.cities import add_finding, city_with_two_findings, params
from tests.detectors.city import TinyCity, ts


def by_id(ratings: list[Rating]) -> dict[str, Rating]:
    return {r.subject_id: r for r in ratings}


def facts_of(city: TinyCity, tmp_path: Path) -> CreditFacts:
    return gather(city.frames(tmp_path), 0)


def with_states(facts: CreditFacts, state: str) -> CreditFacts:
    return dataclasses.replace(facts, findings=facts.findings.assign(state=state))


def test_honest_institution_and_clean_agency_get_a(tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    r = by_id(rate_all(facts_of(city, tmp_path), params()))
    assert (r["I1"].score, r["I1"].grade, r["I1"].reasons) == (100, "A", [])
    assert (r["A1"].subject_type, r["A1"].score, r["A1"].grade) == ("agency", 100, "A")
    assert r["I1"].name == "I1 培训学校" and r["I1"].credit_code == "CCI1"


def test_open_findings_take_points_by_severity_and_list_their_ids(tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    i2 = by_id(rate_all(facts_of(city, tmp_path), params()))["I2"]
    assert (i2.score, i2.grade) == (80, "B")  # 2 open high findings × 10
    [reason] = i2.reasons
    assert reason["factor"] == "findings" and reason["points"] == -20
    assert reason["finding_ids"] == ["F1", "F2"] and reason["state"] == "open"
    assert sum(x["points"] for x in i2.reasons) == i2.score - 100


def test_confirmed_findings_weigh_more_and_dismissed_none(tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    facts = facts_of(city, tmp_path)
    p = params()
    confirmed = by_id(rate_all(with_states(facts, "confirmed"), p))["I2"]
    assert (confirmed.score, confirmed.grade) == (60, "C")  # × 2: a grade lower than open
    dismissed = by_id(rate_all(with_states(facts, "dismissed"), p))["I2"]
    assert (dismissed.score, dismissed.grade, dismissed.reasons) == (100, "A", [])
    assert len({confirmed.facts_digest, dismissed.facts_digest}) == 2


def test_weights_and_bands_from_a_rules_override_change_the_rating(tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    facts = facts_of(city, tmp_path)
    heavier = params(tmp_path, "[credit.findings]\nhigh = 25\n[credit.bands]\nB = 85\n")
    assert isinstance(heavier, CreditParams) and heavier.digest != params().digest
    i2 = by_id(rate_all(facts, heavier))["I2"]
    assert (i2.score, i2.grade) == (50, "D")
    stricter = params(tmp_path, "[credit.bands]\nB = 85\n")
    assert by_id(rate_all(facts, stricter))["I2"].grade == "C"  # 80 no longer reaches B


def test_findings_on_an_agency_rate_the_agency(tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    add_finding(city, "FA", institution="", subject_type="agency", subject_id="A1",
                severity="critical", code="FRAUD_AGENCY_LINKED", class_ids=())
    r = by_id(rate_all(facts_of(city, tmp_path), params()))
    assert (r["A1"].score, r["A1"].grade) == (80, "B")
    assert r["A1"].reasons[0]["finding_ids"] == ["FA"]
    assert r["I1"].score == 100


def test_low_rates_spot_check_gaps_and_complaints_take_capped_points(tmp_path: Path) -> None:
    c = TinyCity()
    for iid in ("I1", "I2", "I3"):
        c.institution(iid)
    c.agency("A1")
    c.employer("E1")
    for n, iid in enumerate(("I1", "I2", "I3"), 1):
        pids = [c.person() for _ in range(3)]
        c.klass(f"C{n}", institution=iid)
        c.train(f"C{n}", pids)
        for pid in pids:
            c.assess(pid, score=40 if iid == "I3" else 80)
            if iid != "I3":
                c.employ(pid)
    day = c.class_days("C1")[0]
    c.add("SpotCheckPerformed", ts(day, 10), {"class_id": "C1", "inspector": "检查员甲",
                                              "headcount_observed": 0})
    for k in range(7):  # about I3's class: counted to I3, capped at 10 points
        c.add("ComplaintReceived", ts("2023-04-01"), {
            "complaint_id": f"K{k}", "subject_type": "class", "subject_id": "C3",
            "text": "培训没有按时开展"})
    c.add("ComplaintReceived", ts("2023-04-01"), {
        "complaint_id": "KA", "subject_type": "agency", "subject_id": "A1", "text": "收费"})
    p = params(tmp_path, "[credit.outcomes]\nmin_trainees = 3\n")
    r = by_id(rate_all(facts_of(c, tmp_path), p))
    i3 = {x["factor"]: x for x in r["I3"].reasons}
    assert i3["pass_rate"]["points"] == -15 and i3["pass_rate"]["rate"] == "0.0000"
    assert i3["employment_rate"]["points"] == -15
    assert i3["complaints"]["points"] == -10 and i3["complaints"]["count"] == 7
    assert (r["I3"].score, r["I3"].grade) == (60, "C")
    [spot] = r["I1"].reasons
    assert spot["factor"] == "spot_checks" and spot["points"] == -5
    assert spot["checks"] == [f"C1@{day}:0/3"]
    assert (r["I2"].score, r["A1"].score) == (100, 98)
    few = params(tmp_path, "[credit.outcomes]\nmin_trainees = 4\n")  # too few to compare
    assert "pass_rate" not in {x["factor"] for x in by_id(rate_all(facts_of(c, tmp_path),
                                                                   few))["I3"].reasons}


def test_the_same_facts_give_the_same_digest(tmp_path: Path) -> None:
    city, _ = city_with_two_findings()
    facts = facts_of(city, tmp_path)
    first = [r.facts_digest for r in rate_all(facts, params())]
    assert first == [r.facts_digest for r in rate_all(facts, params())]

"""Each synthetic city has its own local policy, its own rules file, and obeys them.

A policy is drawn from the seed within the spec's bounds; the rules file written from it
holds only what the city publishes and loads with the project's rules loader. Two
generated cities of different policies are read back, and the policy-dependent rules are
recomputed from their events: every injected case crosses the rule of its city's own
policy, every look-alike and every normal fact stays inside it.
"""

from __future__ import annotations

import gzip
import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from detectors.rules import load_rules
from engine.identity import is_valid_person_id
from synth import generate
from synth.policy import (
    ALWAYS_PUBLISHED,
    FEN,
    OPTIONAL_KEYS,
    PASS_MARK,
    LocalPolicy,
    draw_policy,
    yuan,
)

PERSONS = 2000


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


def first_seed(want: Any, start: int = 100) -> int:
    """The first seed from ``start`` whose policy satisfies ``want``."""
    return next(s for s in range(start, start + 500) if want(draw_policy(s)))


# A city without published minimum hours and one that publishes them, its certification
# amounts and a yearly cap below the national three.
BARE = first_seed(lambda p: "level_min_hours" not in p.published
                  and "local_minimum_income" not in p.published)
STRICT = first_seed(lambda p: {"level_min_hours", "certification_subsidy"} <= p.published
                    and p.max_trainings_per_year == 2 and p.order_min_employment > 0.8)


# -- the policy and its rules file --------------------------------------------------------

def test_seeds_draw_different_cities_within_the_spec_bounds() -> None:
    policies = [draw_policy(s) for s in range(60)]
    assert len({p.city for p in policies}) >= 4
    assert len({p.counties for p in policies}) >= 30
    assert len({p.certification for p in policies}) == 60
    assert len({p.inclusive_per_day for p in policies}) >= 4
    assert {p.max_trainings_per_year for p in policies} == {2, 3}
    assert any(not set(OPTIONAL_KEYS) <= p.published for p in policies)
    assert any(set(OPTIONAL_KEYS) <= p.published for p in policies)
    for p in policies:
        assert p.inclusive_per_day <= 100 * FEN and p.inclusive_cap <= 1000 * FEN
        assert p.order_first_days <= 10 and p.order_first_rate <= 150 * FEN
        assert p.order_later_rate <= min(100 * FEN, p.order_first_rate)
        assert p.enterprise_per_person <= 300 * FEN
        assert p.order_min_employment >= Decimal("0.80")
        assert p.max_trainings_per_year <= 3 and p.pay_by <= (3, 31)
        assert len({c.code[:4] for c in p.counties}) == 1 and len(p.counties) >= 5
        minima = [h for _, h in p.level_min_hours]
        assert minima == sorted(minima) and all(h % 4 == 0 for h in minima)
        levels = [f for _, f in p.certification]
        assert all(200 * FEN <= f <= 1500 * FEN for f in levels)


def test_a_seed_draws_the_same_policy_every_time() -> None:
    assert draw_policy(7) == draw_policy(7)
    assert draw_policy(7).rules_toml() == draw_policy(7).rules_toml()
    assert draw_policy(7) != draw_policy(8)


@pytest.mark.parametrize("seed", [BARE, STRICT, 11, 22, 33, 44, 55])
def test_the_rules_file_loads_and_holds_only_what_the_city_publishes(
        seed: int, tmp_path: Path) -> None:
    local = draw_policy(seed)
    path = tmp_path / "city.rules.toml"
    path.write_text(local.rules_toml(), encoding="utf-8")
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(raw) == {"version", "policy", "rules"}
    assert raw["rules"] == {"FRAUD_PASS_RATE_ANOMALY": {"pass_mark": str(PASS_MARK)}}
    assert set(raw["policy"]) | {"version"} == set(local.published)
    assert set(ALWAYS_PUBLISHED) <= local.published
    rules, defaults = load_rules(path), load_rules()
    assert rules.digest != defaults.digest
    assert rules.policy["inclusive_per_day"] == yuan(local.inclusive_per_day)
    assert rules.policy["order_min_employment"] == f"{float(local.order_min_employment):.2f}"
    assert rules.policy["max_trainings_per_year"] == local.max_trainings_per_year
    assert rules.policy["payment_deadline"] == f"{local.pay_by[0]:02d}-{local.pay_by[1]:02d}"
    for key in OPTIONAL_KEYS:
        if key not in local.published:
            assert rules.policy[key] == defaults.policy[key], key
    if "certification_subsidy" in local.published:
        assert rules.policy["certification_subsidy"] == {
            str(lv): yuan(f) for lv, f in local.certification}
    if "level_min_hours" in local.published:
        assert rules.policy["level_min_hours"] == {str(lv): h for lv, h in local.level_min_hours}


# -- two generated cities ------------------------------------------------------------------

@dataclass
class City:
    """A generated city's events by type, its truth file and its policy."""

    policy: LocalPolicy
    truth: dict[str, Any]
    by_type: dict[str, list[dict[str, Any]]]

    def cases(self, pattern: str) -> list[dict[str, Any]]:
        return [c for c in self.truth["cases"] if c["pattern"] == pattern]

    def looks(self, kind: str) -> list[dict[str, Any]]:
        return [lk for lk in self.truth["lookalikes"] if lk["kind"] == kind]

    def named(self, field: str) -> set[str]:
        return {i for c in self.truth["cases"] for i in c[field]}


@pytest.fixture(scope="module", params=[BARE, STRICT], ids=["bare", "strict"])
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> City:
    out = tmp_path_factory.mktemp("city") / "city.jsonl.gz"
    summary = generate(PERSONS, request.param, out)
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with gzip.open(out, "rb") as handle:
        for line in handle:
            event = msgspec.json.decode(line)
            by_type[event["type"]].append(event)
    truth = json.loads(summary.truth.read_text(encoding="utf-8"))
    assert summary.rules.read_text(encoding="utf-8") == draw_policy(request.param).rules_toml()
    return City(draw_policy(request.param), truth, by_type)


def _classes(city: City) -> dict[str, dict[str, Any]]:
    return {e["data"]["class_id"]: e["data"] for e in city.by_type["ClassOpened"]}


def test_the_city_lies_in_its_own_counties(city: City) -> None:
    codes = {c.code for c in city.policy.counties}
    for e in city.by_type["PersonRegistered"]:
        assert e["data"]["county"] in codes
        if is_valid_person_id(e["data"]["person_id"]):
            assert e["data"]["person_id"][:6] in codes
    assert {e["data"]["county"] for e in city.by_type["ClassOpened"]} <= codes
    assert city.truth["policy"]["city"] == city.policy.city


def test_claim_amounts_follow_the_city_and_over_cap_cases_exceed_it(city: City) -> None:
    classes = _classes(city)
    levels = {e["data"]["certificate_id"]: e["data"]["level"]
              for e in city.by_type["CertificateIssued"]}
    case_claims = {c: case["case_id"] for case in city.cases("FRAUD_OVER_CAP_CLAIM")
                   for c in case["claim_ids"]}
    other_cases = city.named("claim_ids") - set(case_claims)
    over: set[str] = set()
    for e in city.by_type["SubsidyClaimed"]:
        data = e["data"]
        for item in data["items"]:
            if data["kind"] == "training":
                allowed = city.policy.training_item_fen(classes[data["class_id"]]["mode"],
                                                        item["days"])
            else:
                allowed = city.policy.certification_fen(levels[item["certificate_id"]])
            amount = fen(item["amount"])
            if data["claim_id"] in case_claims:
                if amount > allowed:
                    over.add(case_claims[data["claim_id"]])
            elif data["claim_id"] not in other_cases:
                assert amount == allowed, (data["claim_id"], item)
    assert over == {c["case_id"] for c in city.cases("FRAUD_OVER_CAP_CLAIM")}


def _employment(city: City) -> dict[str, tuple[int, int]]:
    """Per order/project class: (employed trainees, trainees who did not withdraw)."""
    withdrew = {(e["data"]["class_id"], e["data"]["person_id"])
                for e in city.by_type["TraineeWithdrew"]}
    enrolled: dict[str, set[str]] = defaultdict(set)
    for e in city.by_type["TraineeEnrolled"]:
        key = (e["data"]["class_id"], e["data"]["person_id"])
        if key not in withdrew:
            enrolled[key[0]].add(key[1])
    jobs: dict[str, set[str]] = defaultdict(set)
    for e in city.by_type["EmploymentVerified"]:
        if "-j" in e["event_id"]:
            jobs[e["event_id"].split("-")[1]].add(e["data"]["person_id"])
    return {cid: (len(jobs[cid] & enrolled[cid]), len(enrolled[cid]))
            for cid, c in _classes(city).items() if c["mode"] in ("order", "project")}


def test_order_employment_sits_on_the_right_side_of_the_city_threshold(city: City) -> None:
    rates = _employment(city)
    local = city.policy
    for case in city.cases("INEFF_ORDER_EMPLOYMENT"):
        assert not local.employed_enough(*rates[case["class_ids"][0]]), case["case_id"]
    looks = city.looks("order_at_threshold")
    for look in looks:
        employed, completed = rates[look["class_ids"][0]]
        assert local.employed_enough(employed, completed)
        assert not local.employed_enough(employed - 1, completed)
    named = city.named("class_ids")
    for cid, (employed, completed) in rates.items():
        if cid not in named:
            assert local.employed_enough(employed, completed), cid


def test_yearly_trainings_cross_the_city_cap_only_in_cases(city: City) -> None:
    classes = _classes(city)
    per_year: dict[tuple[str, int], set[str]] = defaultdict(set)
    for e in city.by_type["SubsidyClaimed"]:
        if e["data"]["kind"] == "training":
            year = date.fromisoformat(classes[e["data"]["class_id"]]["end_date"]).year
            for item in e["data"]["items"]:
                per_year[(item["person_id"], year)].add(e["data"]["class_id"])
    cap = city.policy.max_trainings_per_year
    over = {pid for (pid, _), cls in per_year.items() if len(cls) > cap}
    cases = city.cases("DUP_OVER_ANNUAL_CAP")
    assert cases and over == {c["person_ids"][0] for c in cases}
    for look in city.looks("three_in_a_year"):
        assert max(len(per_year[(look["person_ids"][0], y)]) for y in (2023, 2024)) == cap


def test_delivery_meets_the_city_minimum_where_it_publishes_one(city: City) -> None:
    classes = _classes(city)
    delivered = {e["data"]["class_id"]: e["data"]["delivered_hours"]
                 for e in city.by_type["ClassCompleted"]}
    local = city.policy
    for case in city.cases("INEFF_SHORT_DELIVERY"):
        cid = case["class_ids"][0]
        cls = classes[cid]
        assert (delivered[cid] < 0.95 * cls["planned_hours"]
                or delivered[cid] < local.min_hours(cls["level"])), case["case_id"]
    looks = city.looks("level_minimum_hours")
    if "level_min_hours" in local.published:
        assert looks
        for look in looks:
            assert delivered[look["class_ids"][0]] == local.min_hours(5)
    else:  # nothing a rules file written from the city's policy could check
        assert not looks
        assert not [c for c in city.cases("INEFF_SHORT_DELIVERY") if "minimum" in c["description"]]


def test_jobs_pay_at_least_the_local_minimum_except_in_cases(city: City) -> None:
    minimum = city.policy.local_minimum_income
    faked = {p for c in city.cases("FRAUD_FAKE_EMPLOYMENT") for p in c["person_ids"]}
    for e in city.by_type["EmploymentVerified"]:
        if e["data"]["person_id"] not in faked:
            assert fen(e["data"]["monthly_income"]) >= minimum, e["event_id"]
            assert e["data"]["social_insurance"]
    for look in city.looks("low_wage_job"):
        assert look["person_ids"][0] not in faked
    underpaid = [c for c in city.cases("FRAUD_FAKE_EMPLOYMENT") if "minimum" in c["description"]]
    if "local_minimum_income" not in city.policy.published:
        assert not underpaid


def test_late_cases_pass_the_city_deadline_and_its_eve_does_not(city: City) -> None:
    year = {e["data"]["claim_id"]: int(e["occurred_at"][:4])
            for e in city.by_type["SubsidyClaimed"]}
    late = {p for c in city.cases("COMP_LATE_PAYMENT") for p in c["payment_ids"]}
    on_eve = {p for lk in city.looks("deadline_day_payment") for p in lk["payment_ids"]}
    assert late and on_eve
    for e in city.by_type["SubsidyPaid"]:
        if e["data"]["payment_id"] in late | on_eve:
            paid = date.fromisoformat(e["occurred_at"][:10]).toordinal()
            deadline = city.policy.pay_deadline(year[e["data"]["claim_id"]])
            assert (paid > deadline) == (e["data"]["payment_id"] in late)


def test_duplicate_identities_are_one_human_made_the_city_ways(city: City) -> None:
    people = {e["data"]["person_id"]: e["data"] for e in city.by_type["PersonRegistered"]}
    cases = city.cases("DUP_IDENTITY")
    assert cases
    for case in cases:
        a, b = (people[p] for p in case["person_ids"])
        assert a["name"] == b["name"] and a["gender"] == b["gender"]
        gap = abs(date.fromisoformat(a["birth_date"]) - date.fromisoformat(b["birth_date"]))
        assert gap.days <= 1
        assert a["phone"] == b["phone"] or a["bank_account"] == b["bank_account"]
        invalid = not is_valid_person_id(case["person_ids"][1])
        assert invalid == ("FRAUD_GHOST_INVALID_ID" in case["also"])

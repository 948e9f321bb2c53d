"""The synthetic city: deterministic, in the spec's format, clean where normal, dirty where told.

One 2,000-resident city is generated per module and read back into plain dicts; the
checks below recompute the rules of the city's own policy (drawn from its seed) from
the events themselves, so a generator change that lets an irregularity leak into the
normal population makes them fail.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import msgspec
import pytest

from engine.identity import id_birth_date, id_gender, is_valid_person_id
from synth import GenerateSummary, generate, policy
from synth.irregularities import ALL_CODES
from synth.policy import LocalPolicy, draw_policy

SPEC_TYPES = {
    "InstitutionRegistered", "InstitutionUpdated", "AgencyRegistered", "EmployerRegistered",
    "PersonRegistered", "PersonUpdated", "PersonDeceased", "BudgetAllocated", "VoucherIssued",
    "VoucherRedeemed", "VoucherWrittenOff", "ClassOpened", "TraineeEnrolled", "TraineeWithdrew",
    "SessionHeld", "AttendanceRecorded", "ClassCompleted", "AssessmentTaken", "CertificateIssued",
    "EmploymentVerified", "SkillUpgradeSubsidyPaid", "SubsidyClaimed", "ClaimReviewed",
    "SubsidyPaid", "PaymentRecovered", "SpotCheckPerformed", "ComplaintReceived",
}
MONEY_FIELDS = {"amount", "approved_amount", "monthly_income"}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
MONEY = re.compile(r"^\d+\.\d{2}$")
CATEGORIES = {"DUP": "duplicate_training", "INEFF": "ineffective_training",
              "FRAUD": "subsidy_fraud", "COMP": "compliance"}
PERSONS = 2000
SEED = 7


def fen(text: str) -> int:
    return int(Decimal(text) * 100)


def day(text: str) -> date:
    return date.fromisoformat(text[:10])


@dataclass
class City:
    """The events of one generated city, indexed the way the checks need them."""

    lines: list[dict[str, Any]]
    truth: dict[str, Any]
    summary: GenerateSummary
    policy: LocalPolicy
    by_type: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for event in self.lines:
            self.by_type[event["type"]].append(event)
        self.persons = {e["data"]["person_id"]: e["data"] for e in self.by_type["PersonRegistered"]}
        self.classes = {e["data"]["class_id"]: e["data"] for e in self.by_type["ClassOpened"]}
        self.institutions = {e["data"]["institution_id"]: e["data"]
                             for e in self.by_type["InstitutionRegistered"]}
        self.agencies = {e["data"]["agency_id"]: e for e in self.by_type["AgencyRegistered"]}
        self.employers = {e["data"]["employer_id"]: e["data"]
                          for e in self.by_type["EmployerRegistered"]}
        self.claims = {e["data"]["claim_id"]: e for e in self.by_type["SubsidyClaimed"]}
        self.reviews = {e["data"]["claim_id"]: e for e in self.by_type["ClaimReviewed"]}
        self.payments: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in self.by_type["SubsidyPaid"]:
            self.payments[e["data"]["claim_id"]].append(e)
        self.enrolled: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for e in self.by_type["TraineeEnrolled"]:
            self.enrolled[e["data"]["class_id"]].append((e["data"]["person_id"], e["occurred_at"]))
        self.checkin_days: dict[tuple[str, str], set[str]] = defaultdict(set)
        for e in self.by_type["AttendanceRecorded"]:
            if e["data"]["direction"] == "in":
                key = (e["data"]["class_id"], e["data"]["person_id"])
                self.checkin_days[key].add(e["occurred_at"][:10])
        self.case_ids: dict[str, set[str]] = defaultdict(set)
        for case in self.truth["cases"]:
            for name in ("person_ids", "class_ids", "claim_ids", "institution_ids", "agency_ids",
                         "voucher_ids", "counties"):
                self.case_ids[name].update(case[name])

    def account_at(self, claim: dict[str, Any], when: str) -> str:
        """The claimant's own bank account at ``when``, after any updates."""
        kind, cid = claim["claimant_type"], claim["claimant_id"]
        if kind == "institution":
            account = self.institutions[cid]["bank_account"]
            updates = self.by_type["InstitutionUpdated"]
            key = "institution_id"
        elif kind == "employer":
            return str(self.employers[cid]["bank_account"])
        else:
            account = self.persons[cid]["bank_account"]
            updates = self.by_type["PersonUpdated"]
            key = "person_id"
        for event in updates:
            if (event["data"][key] == cid and "bank_account" in event["data"]
                    and event["occurred_at"] <= when):
                account = event["data"]["bank_account"]
        return str(account)


def _read(path: Path) -> list[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return [msgspec.json.decode(line) for line in handle]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    out = tmp_path_factory.mktemp("city") / "city.jsonl"
    summary = generate(PERSONS, SEED, out)
    truth = json.loads(summary.truth.read_text(encoding="utf-8"))
    return City(_read(out), truth, summary, draw_policy(SEED))


# -- determinism and files ---------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    a = generate(1000, 3, tmp_path / "a.jsonl", tmp_path / "a.truth.json")
    b = generate(1000, 3, tmp_path / "b.jsonl", tmp_path / "b.truth.json")
    c = generate(1000, 4, tmp_path / "c.jsonl", tmp_path / "c.truth.json")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert a.truth.read_bytes() == b.truth.read_bytes()
    assert a.rules.read_bytes() == b.rules.read_bytes() != c.rules.read_bytes()
    assert (tmp_path / "a.jsonl").read_bytes() != (tmp_path / "c.jsonl").read_bytes()
    assert a.events == b.events and a.by_type == b.by_type
    assert c.events != a.events


def test_gzip_output_holds_the_same_lines_and_default_truth_name(tmp_path: Path) -> None:
    plain = generate(1000, 5, tmp_path / "p.jsonl", tmp_path / "p.truth.json")
    packed = generate(1000, 5, tmp_path / "city.jsonl.gz")
    assert packed.truth == tmp_path / "city.truth.json"
    assert packed.rules == tmp_path / "city.rules.toml"
    assert packed.truth.exists() and packed.rules.exists()
    data = (tmp_path / "city.jsonl.gz").read_bytes()
    assert data[:2] == b"\x1f\x8b"
    assert gzip.decompress(data) == (tmp_path / "p.jsonl").read_bytes()
    assert packed.events == plain.events


def test_progress_is_reported_up_to_the_total(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    generate(1000, 6, tmp_path / "x.jsonl", progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 10
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (1000, 1000)


# -- the format --------------------------------------------------------------------------

def _money_values(value: Any, key: str = "") -> list[Any]:
    if isinstance(value, dict):
        return [m for k, v in value.items() for m in _money_values(v, k)]
    if isinstance(value, list):
        return [m for v in value for m in _money_values(v, key)]
    return [value] if key in MONEY_FIELDS else []


def test_every_line_is_an_envelope_of_a_spec_type(city: City) -> None:
    ids = [e["event_id"] for e in city.lines]
    assert len(ids) == len(set(ids)) == city.summary.events == city.truth["events"]
    assert sum(city.summary.by_type.values()) == city.summary.events
    previous = ""
    for event in city.lines:
        assert set(event) == {"event_id", "type", "occurred_at", "recorded_at", "source", "data"}
        assert event["type"] in SPEC_TYPES
        assert STAMP.match(event["occurred_at"]) and STAMP.match(event["recorded_at"])
        assert event["recorded_at"] >= event["occurred_at"]
        assert event["recorded_at"] >= previous, "file is in recording order"
        previous = event["recorded_at"]
        for money in _money_values(event["data"]):
            assert isinstance(money, str) and MONEY.match(money), (event["event_id"], money)
    for e in city.by_type["AssessmentTaken"]:
        assert isinstance(e["data"]["level"], int) and 1 <= e["data"]["level"] <= 5
        assert e["data"]["passed"] == (e["data"]["score"] >= 60)
    for e in city.by_type["AttendanceRecorded"]:
        score = e["data"].get("face_score")
        assert score is None or 0 <= score <= 1


def test_master_data_comes_first(city: City) -> None:
    master = {"InstitutionRegistered", "EmployerRegistered", "PersonRegistered"}
    last_master = max(i for i, e in enumerate(city.lines) if e["type"] in master)
    first_other = min(i for i, e in enumerate(city.lines)
                      if e["type"] not in master | {"AgencyRegistered", "BudgetAllocated"})
    assert last_master < first_other


def test_normal_people_have_valid_consistent_ids_and_own_contacts(city: City) -> None:
    allowed_invalid = {p for c in city.truth["cases"]
                       if c["pattern"] in ("FRAUD_GHOST_INVALID_ID", "DUP_IDENTITY")
                       for p in c["person_ids"]}
    invalid = {p for p in city.persons if not is_valid_person_id(p)}
    assert invalid and invalid <= allowed_invalid
    phones: dict[str, int] = defaultdict(int)
    for pid, p in city.persons.items():
        phones[p["phone"]] += 1
        if pid in invalid:
            continue
        assert id_birth_date(pid) == date.fromisoformat(p["birth_date"])
        assert id_gender(pid) == p["gender"]
        assert pid[:6] == p["county"]
    in_cases = city.case_ids["person_ids"]
    shared = {pid for pid, p in city.persons.items() if phones[p["phone"]] > 1}
    assert shared <= in_cases
    for code in ("InstitutionRegistered", "EmployerRegistered"):
        for e in city.by_type[code]:
            assert len(e["data"]["credit_code"]) == 18


# -- the truth file -----------------------------------------------------------------------

def test_truth_names_every_pattern_with_ids_that_exist(city: City) -> None:
    known = {
        "person_ids": set(city.persons), "class_ids": set(city.classes),
        "institution_ids": set(city.institutions), "claim_ids": set(city.claims),
        "payment_ids": {e["data"]["payment_id"] for e in city.by_type["SubsidyPaid"]},
        "agency_ids": set(city.agencies), "employer_ids": set(city.employers),
        "voucher_ids": {e["data"]["voucher_id"] for e in city.by_type["VoucherIssued"]},
        "certificate_ids": {e["data"]["certificate_id"] for e in city.by_type["CertificateIssued"]},
        "counties": {e["data"]["county"] for e in city.by_type["BudgetAllocated"]},
        "event_ids": {e["event_id"] for e in city.lines},
    }
    patterns = {c["pattern"] for c in city.truth["cases"]}
    assert patterns == set(ALL_CODES)
    for case in city.truth["cases"]:
        assert case["category"] == CATEGORIES[case["pattern"].split("_")[0]]
        assert set(case["also"]) <= set(ALL_CODES)
        assert any(case[name] for name in known if name != "event_ids"), case["case_id"]
        for name, existing in known.items():
            assert set(case[name]) <= existing, (case["case_id"], name)
    for look in city.truth["lookalikes"]:
        assert look["must_not"] and set(look["must_not"]) <= set(ALL_CODES)
        for name, existing in known.items():
            assert set(look[name]) <= existing, (look["case_id"], name)
    counts = defaultdict(int)
    for case in city.truth["cases"]:
        counts[case["pattern"]] += 1
    assert min(counts.values()) >= 2
    assert city.summary.injected == len(city.truth["cases"])


def test_injected_cases_carry_their_signs(city: City) -> None:
    by_pattern = defaultdict(list)
    for case in city.truth["cases"]:
        by_pattern[case["pattern"]].append(case)
    for case in by_pattern["FRAUD_PAY_DUPLICATE"]:
        assert len(city.payments[case["claim_ids"][0]]) >= 2
    for case in by_pattern["FRAUD_GHOST_INVALID_ID"]:
        assert not any(is_valid_person_id(p) for p in case["person_ids"])
    for case in by_pattern["DUP_SAME_OCCUPATION_LEVEL"]:
        a, b = (city.classes[c] for c in case["class_ids"])
        assert (a["occupation"], a["level"]) == (b["occupation"], b["level"])
    for case in by_pattern["COMP_OVER_BUDGET"]:
        county = case["counties"][0]
        paid = defaultdict(int)
        for e in city.by_type["SubsidyPaid"]:
            if e["data"]["county"] == county:
                paid[(e["data"]["program"], day(e["occurred_at"]).year)] += fen(e["data"]["amount"])
        budgets = {(e["data"]["program"], e["data"]["year"]): fen(e["data"]["amount"])
                   for e in city.by_type["BudgetAllocated"] if e["data"]["county"] == county}
        assert any(v > budgets[k] for k, v in paid.items())
    for case in by_pattern["FRAUD_GHOST_NO_CHECKIN"]:
        cid = case["class_ids"][0]
        assert all(not city.checkin_days[(cid, p)] for p in case["person_ids"])


# -- the normal population ---------------------------------------------------------------

def _training_items(city: City) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [(it["person_id"], e["data"], it) for e in city.by_type["SubsidyClaimed"]
            if e["data"]["kind"] == "training" for it in e["data"]["items"]]


def test_no_normal_person_is_trained_twice_or_too_often(city: City) -> None:
    in_cases = city.case_ids["person_ids"]
    seen: dict[str, set[tuple[str, int]]] = defaultdict(set)
    per_year: dict[tuple[str, int], int] = defaultdict(int)
    for pid, claim, _ in _training_items(city):
        if pid in in_cases:
            continue
        cls = city.classes[claim["class_id"]]
        key = (cls["occupation"], cls["level"])
        assert key not in seen[pid], (pid, key)
        seen[pid].add(key)
        per_year[(pid, day(cls["end_date"]).year)] += 1
    assert max(per_year.values()) <= city.policy.max_trainings_per_year
    spans: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for cid, members in city.enrolled.items():
        for pid, _ in members:
            if pid not in in_cases:
                spans[pid].append((city.classes[cid]["start_date"], city.classes[cid]["end_date"]))
    for pid, periods in spans.items():
        periods.sort()
        for (_, end), (start, _) in pairwise(periods):
            assert end < start, pid


def test_normal_trainees_attend_and_are_of_working_age(city: City) -> None:
    in_cases = city.case_ids["person_ids"]
    for pid, claim, item in _training_items(city):
        if pid in in_cases or claim["class_id"] in city.case_ids["class_ids"]:
            continue
        cls = city.classes[claim["class_id"]]
        attended = len(city.checkin_days[(claim["class_id"], pid)])
        assert attended * cls["planned_hours"] / cls["planned_days"] >= (
            policy.MIN_ATTENDED_RATIO * cls["planned_hours"]), (claim["class_id"], pid)
        assert item["days"] == attended
        assert fen(item["amount"]) == city.policy.training_item_fen(cls["mode"], attended)
    for cid, members in city.enrolled.items():
        for pid, when in members:
            if pid in in_cases:
                continue
            born = date.fromisoformat(city.persons[pid]["birth_date"])
            on = day(when)
            age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
            assert policy.MIN_AGE <= age <= policy.MAX_AGE, (cid, pid, age)


def test_normal_classes_deliver_within_licence_and_capacity(city: City) -> None:
    case_classes = city.case_ids["class_ids"]
    licensed = {iid: set(i["licensed_occupations"]) for iid, i in city.institutions.items()}
    for e in city.by_type["InstitutionUpdated"]:
        if "licensed_occupations" in e["data"]:
            licensed[e["data"]["institution_id"]] |= set(e["data"]["licensed_occupations"])
    delivered = {e["data"]["class_id"]: e["data"]["delivered_hours"]
                 for e in city.by_type["ClassCompleted"]}
    load: dict[tuple[str, date], int] = defaultdict(int)
    for cid, cls in city.classes.items():
        start, end = day(cls["start_date"]), day(cls["end_date"])
        d = start
        while d <= end:
            load[(cls["institution_id"], d)] += len(city.enrolled[cid])
            d += timedelta(days=1)
        if cid in case_classes:
            continue
        assert cls["occupation"] in licensed[cls["institution_id"]], cid
        assert delivered[cid] == cls["planned_hours"] >= city.policy.min_hours(cls["level"])
        assert len(city.enrolled[cid]) >= policy.MIN_CLASS_SIZE
    crowded = {iid for (iid, _), n in load.items() if n > city.institutions[iid]["venue_capacity"]}
    assert crowded <= city.case_ids["institution_ids"]


def test_normal_assessments_follow_the_class_at_filed_agencies(city: City) -> None:
    class_of = {}
    for cid, members in city.enrolled.items():
        for pid, _ in members:
            class_of.setdefault(pid, []).append(cid)
    certified = {e["data"]["assessment_id"] for e in city.by_type["CertificateIssued"]
                 if e["data"].get("assessment_id")}
    assessed = {e["data"]["assessment_id"]: e for e in city.by_type["AssessmentTaken"]}
    assert certified <= set(assessed)
    for aid, e in assessed.items():
        data = e["data"]
        if data["agency_id"] in city.case_ids["agency_ids"] or data["person_id"] in (
                city.case_ids["person_ids"]):
            continue
        agency = city.agencies[data["agency_id"]]
        assert agency["data"]["filed"] and data["occupation"] in agency["data"]["occupations"]
        assert agency["occurred_at"] < e["occurred_at"]
        ends = [city.classes[c]["end_date"] for c in class_of.get(data["person_id"], [])
                if (city.classes[c]["occupation"], city.classes[c]["level"])
                == (data["occupation"], data["level"])]
        assert len(ends) <= 1
        if ends and not set(class_of[data["person_id"]]) & city.case_ids["class_ids"]:
            assert ends[0] < e["occurred_at"][:10], aid


def test_normal_money_is_approved_paid_in_time_to_the_claimant(city: City) -> None:
    case_claims = city.case_ids["claim_ids"]
    issued = {e["data"]["certificate_id"]: e["occurred_at"]
              for e in city.by_type["CertificateIssued"]}
    for claim_id, pays in city.payments.items():
        if claim_id in case_claims:
            continue
        claim = city.claims[claim_id]
        review = city.reviews[claim_id]
        assert review["data"]["decision"] in ("approved", "partial")
        assert review["occurred_at"] < min(p["occurred_at"] for p in pays)
        assert sum(fen(p["data"]["amount"]) for p in pays) <= fen(review["data"]["approved_amount"])
        assert len(pays) == 1
        data = claim["data"]
        if data["kind"] == "training":
            year = day(city.classes[data["class_id"]]["end_date"]).year
        else:
            year = min(day(issued[it["certificate_id"]]).year for it in data["items"])
        for pay in pays:
            assert day(pay["occurred_at"]).toordinal() <= city.policy.pay_deadline(year), claim_id
            assert pay["data"]["bank_account"] == city.account_at(data, pay["occurred_at"])
            assert (pay["data"]["county"], pay["data"]["program"]) == (data["county"],
                                                                       data["program"])
    upgraded = {e["data"]["certificate_id"] for e in city.by_type["SkillUpgradeSubsidyPaid"]}
    for e in city.by_type["SubsidyClaimed"]:
        if e["data"]["kind"] == "certification" and e["data"]["claim_id"] not in case_claims:
            assert not {it["certificate_id"] for it in e["data"]["items"]} & upgraded


def test_normal_budgets_cover_payments_and_vouchers_are_written_off(city: City) -> None:
    case_counties = city.case_ids["counties"]
    budget = {(e["data"]["county"], e["data"]["program"], e["data"]["year"]):
              fen(e["data"]["amount"]) for e in city.by_type["BudgetAllocated"]}
    paid: dict[tuple[str, str, int], int] = defaultdict(int)
    for e in city.by_type["SubsidyPaid"]:
        paid[(e["data"]["county"], e["data"]["program"], day(e["occurred_at"]).year)] += fen(
            e["data"]["amount"])
    for key, amount in paid.items():
        if key[0] not in case_counties:
            assert amount <= budget[key], key
    written = {e["data"]["voucher_id"] for e in city.by_type["VoucherWrittenOff"]}
    redeemed = {e["data"]["voucher_id"]: e for e in city.by_type["VoucherRedeemed"]}
    issued = {e["data"]["voucher_id"]: e for e in city.by_type["VoucherIssued"]}
    missing = set(redeemed) - written
    assert missing <= city.case_ids["voucher_ids"]
    for vid, e in redeemed.items():
        assert e["occurred_at"][:10] <= issued[vid]["data"]["expires_on"]


def test_a_large_city_never_runs_out_of_institution_names() -> None:
    """Colleges are named for the city alone: past the trade-name words, branches are numbered."""
    import random

    from synth.ids import Contacts, PersonIds
    from synth.institutions import new_institution
    from synth.model import World
    from synth.policy import draw_policy
    from synth.population import make_population

    local = draw_policy(3)
    world = World(seed=3, size=50, rng=random.Random(3),
                  contacts=Contacts(random.Random(1), local.area_code, local.bank_prefix),
                  ids=PersonIds(random.Random(2)), policy=local)
    make_population(world, 50)
    made = [new_institution(world, 0, "college") for _ in range(120)]
    assert len({i.name for i in made}) == 120
    assert any("分部" in i.name for i in made)

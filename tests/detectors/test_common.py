"""Checks every registered detector passes (scikit-learn's check_estimator, for findings).

* its ``Params`` defaults are exactly the rules file's defaults, and every key the
  rules file gives it is a ``Params`` field;
* empty frames give no findings; the same frames give the same findings twice;
* it does not modify the frames it reads;
* its findings are well formed: known category and severity, its own code, ids as
  tuples, money as integer fen, explanations in both languages;
* it says what it examined (the share-flagged guard's denominator), truthfully: every
  subject it flagged in a synthetic city is among the subjects it says it examined;
  and what it reports as unchecked names one of its own keys.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from detectors.base import CATEGORIES, SEVERITIES, SUBJECT_FRAMES
from detectors.registry import registry
from detectors.rules import load_rules
from detectors.run import examined_of, run_detectors
from projections.views import Views
from synth import generate
from tests.detectors.city import TinyCity, projected

CODES = list(registry())
# rewritten elsewhere: counted by their findings' subject type until they say what they examined
COUNTED_BY_SUBJECT = {"DUP_IDENTITY", "FRAUD_INSTITUTION_OUTLIER"}
# a user's file for the synthetic city: its local standards, so those parts run too
LOCAL_STANDARDS = """
[policy]
certification_subsidy = { "5" = "300", "4" = "400", "3" = "500", "2" = "600", "1" = "700" }
level_min_hours = { "5" = 40, "4" = 60, "3" = 80, "2" = 100, "1" = 120 }
apprentice_per_person = "4000.00"
entrepreneurship_per_person = "1200.00"
local_minimum_income = "1980.00"
[rules.FRAUD_PASS_RATE_ANOMALY]
pass_mark = "60"
"""
FRAME_NAMES = [
    "persons", "person_history", "institutions", "institution_history", "licences", "agencies",
    "agency_history", "agency_occupations", "employers", "classes", "sessions", "completions",
    "roster", "checkins", "trainee_attendance",
    "assessments", "certificates", "employment", "skill_upgrade_payments", "claims",
    "claim_items", "payments", "budgets", "vouchers", "spot_checks", "complaints",
]


def busy_city() -> TinyCity:
    c = TinyCity()
    c.budget()
    c.institution()
    c.agency()
    c.employer()
    people = [c.person(born=f"19{80 + i}-0{1 + i % 9}-1{i % 9}") for i in range(6)]
    c.klass("C1")
    c.train("C1", people[:4])
    c.klass("C2", start="2023-05-08", days=5)
    c.train("C2", people[4:], attend_days=2)
    for pid in people[:3]:
        a = c.assess(pid)
        c.certify(pid, assessment=a)
        c.employ(pid)
    c.claim("CL1", [(p, "1000.00", 10) for p in people[:4]], cid="C1")
    c.review("CL1", "4000.00")
    c.pay("PAY1", "CL1", "4000.00")
    c.claim("CL2", [(p, "200.00", 2) for p in people[4:]], cid="C2", on="2023-05-20")
    return c


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory):
    return busy_city().frames(tmp_path_factory.mktemp("busy"))


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory):
    return TinyCity().frames(tmp_path_factory.mktemp("empty"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    """A small synthetic city with its injected cases, detected under its local standards."""
    d = tmp_path_factory.mktemp("generated")
    generate(50, 5, d / "city.jsonl", d / "truth.json")
    views = Views(projected(d / "city.jsonl", f"sqlite:///{d / 'city.db'}"))
    (d / "local.toml").write_text(LOCAL_STANDARDS, encoding="utf-8")
    rules = load_rules(d / "local.toml")
    return views, rules, run_detectors(views, rules)


def test_there_are_detectors() -> None:
    assert CODES, "no detector registered"


@pytest.mark.parametrize("code", CODES)
def test_params_match_the_rules_file(code: str) -> None:
    module = registry()[code]
    rules = load_rules()
    assert code in rules.tables, f"rules.default.toml has no [rules.{code}]"
    fields = {f.name: f for f in dataclasses.fields(module.Params)}
    for key in rules.tables[code]:
        assert key in fields, f"rules.{code}.{key} is not a Params field"
    built = rules.params(code, module.Params)
    default = module.Params()
    assert built == default, f"{code}: Params defaults differ from rules.default.toml"
    assert built.severity in SEVERITIES


@pytest.mark.parametrize("code", CODES)
def test_empty_frames_give_nothing(code: str, empty) -> None:
    module = registry()[code]
    assert module.detect(empty, module.Params()) == []


def _fingerprint(views) -> dict[str, int]:
    out = {}
    for name in FRAME_NAMES:
        frame: pd.DataFrame = getattr(views, name)
        out[name] = int(pd.util.hash_pandas_object(frame.astype(str), index=True).sum())
    return out


@pytest.mark.parametrize("code", CODES)
def test_deterministic_and_leaves_inputs_alone(code: str, busy) -> None:
    module = registry()[code]
    before = _fingerprint(busy)
    first = module.detect(busy, module.Params())
    second = module.detect(busy, module.Params())
    assert first == second
    ids = [f.identity("digest") for f in first]
    assert len(ids) == len(set(ids)), f"{code}: two findings share an id (set Finding.key)"
    assert _fingerprint(busy) == before, f"{code} modified its input frames"
    for f in first:
        assert f.code == code and f.category == module.CATEGORY
        assert f.category in CATEGORIES and f.severity in SEVERITIES
        assert isinstance(f.amount_at_risk_fen, int) and f.amount_at_risk_fen >= 0
        assert f.explanation_zh and f.explanation_en
        assert all(isinstance(x, tuple) for x in (f.person_ids, f.class_ids, f.claim_ids))


def test_busy_city_is_clean(busy) -> None:
    """The clean parts of the busy city raise nothing but the low-attendance claim of C2."""
    from detectors.run import run_detectors

    found = run_detectors(busy, load_rules()).findings
    assert {f.code for f in found} <= {"INEFF_LOW_ATTENDANCE", "INEFF_SHORT_DELIVERY"}, [
        (f.code, f.explanation_en) for f in found]


def test_rules_file_errors_name_the_key(tmp_path: Path) -> None:
    from detectors.rules import RulesFileError

    bad = tmp_path / "bad.toml"
    bad.write_text('[rules.INEFF_LOW_ATTENDANCE]\nmin_attendance = "0.7"\n')
    with pytest.raises(RulesFileError, match="min_attendance"):
        load_rules(bad)
    bad.write_text('[rules.NO_SUCH_RULE]\nx = 1\n')
    with pytest.raises(RulesFileError, match="NO_SUCH_RULE"):
        load_rules(bad)
    good = tmp_path / "good.toml"
    good.write_text('[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = "0.7"\n')
    rules = load_rules(good)
    assert rules.digest != load_rules().digest
    module = registry()["INEFF_LOW_ATTENDANCE"]
    assert str(rules.params("INEFF_LOW_ATTENDANCE", module.Params).min_attended_ratio) == "0.7"


@pytest.mark.parametrize("code", CODES)
def test_says_what_it_examined_and_left_unchecked(code: str, generated) -> None:
    views, rules, result = generated
    module = registry()[code]
    assert code not in result.errors
    params = rules.params(code, module.Params)
    found = [f for f in result.findings if f.code == code]
    if code not in COUNTED_BY_SUBJECT:
        assert callable(getattr(module, "examined", None)), f"{code} has no examined()"
    groups = examined_of(module, views, params, {f.subject_type for f in found})
    fields = {f.name for f in dataclasses.fields(module.Params)}
    for g in groups:
        assert g.subject_type in SUBJECT_FRAMES and g.noun_en and g.noun_zh
        assert set(g.keys) <= fields, f"{code}: {set(g.keys) - fields} are not its keys"
    for f in found:  # whatever it flagged, it examined
        assert any(f.subject_type == g.subject_type and f.subject_id in g.ids for g in groups), (
            f"{code} flagged {f.subject_type} {f.subject_id} outside what it examined")
    for note in getattr(module, "unchecked", lambda *_: [])(views, params):
        assert note.key in fields and note.count > 0 and note.what_en and note.what_zh
    # the local standards above are set: nothing is left unchecked for want of them
    assert all(n["key"] == "policy.covered_categories" for n in result.unchecked.get(code, []))

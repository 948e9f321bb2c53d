"""Checks every registered detector passes (scikit-learn's check_estimator, for findings).

* its ``Params`` defaults are exactly the rules file's defaults, and every key the
  rules file gives it is a ``Params`` field;
* empty frames give no findings; the same frames give the same findings twice;
* it does not modify the frames it reads;
* its findings are well formed: known category and severity, its own code, ids as
  tuples, money as integer fen, explanations in both languages.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from detectors.base import CATEGORIES, SEVERITIES
from detectors.registry import registry
from detectors.rules import load_rules
from tests.detectors.city import TinyCity

CODES = list(registry())
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

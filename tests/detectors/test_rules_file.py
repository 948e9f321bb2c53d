"""The default rules file says where each value comes from; what no source gives is unset.

A local standard neither the spec nor a seed report gives is empty by default, a
user's file sets it (validated like any other value), and the defaults file names,
for every key, the spec line or seed report it comes from.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import pytest
from msgspec import Meta

from detectors import fraud_fake_employment, fraud_over_cap_claim, ineff_short_delivery
from detectors.constraints import Severity, check
from detectors.registry import registry
from detectors.rules import DEFAULT_RULES, RulesFileError, load_rules

# rewritten elsewhere, with their own account of their numbers
OTHERS = {"DUP_IDENTITY", "FRAUD_INSTITUTION_OUTLIER"}
# policy amounts neither the spec nor a seed report gives, and a rule's pass mark likewise
UNSET = {"apprentice_per_person", "entrepreneurship_per_person", "local_minimum_income",
         "level_min_hours", "certification_subsidy"}
UNSET_KEYS = UNSET | {"pass_mark", "rule_unit"}
# the key names a rules file of another tool writes: kept
KEPT = {"certification_subsidy", "level_min_hours", "inclusive_per_day", "inclusive_cap",
        "enterprise_per_person", "apprentice_per_person", "entrepreneurship_per_person",
        "order_first_days", "order_first_rate", "order_later_rate", "order_min_employment",
        "local_minimum_income", "max_trainings_per_year", "payment_deadline",
        "min_working_age", "max_working_age", "covered_categories"}


def _documented_lines() -> list[tuple[str, str, str]]:
    """(section, key, why) for each key of [policy], [guard] and [rules.CODE] (but OTHERS):
    its own comment, else the comment block right above it."""
    out, section, above = [], "", ""
    for line in DEFAULT_RULES.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section, above = stripped.split("]")[0].strip("["), ""
            continue
        if stripped.startswith("#"):
            above += stripped
            continue
        m = re.match(r"^([A-Za-z_]\w*)\s*=", stripped)
        if m and (section in ("policy", "guard") or section.startswith("rules.")) \
                and section.removeprefix("rules.") not in OTHERS:
            why = line.split("#", 1)[1] if "#" in line.split("=", 1)[1] else above
            out.append((section, m.group(1), why))
        above = above if m is None and stripped else ""
    return out


def test_every_default_names_its_source() -> None:
    lines = _documented_lines()
    assert len(lines) > 100
    for section, key, why in lines:
        assert why.strip(), f"[{section}] {key} has no comment saying where it comes from"
        if key in UNSET_KEYS:
            assert "UNSET" in why, f"[{section}] {key}: say it is unset and why"
        elif section in ("policy", "guard") or key != "severity":
            assert re.search(r"spec:\d|Jinzhong|Lüliang|Linfen|Qingyuan|guard|reading of|"
                             r"Nigrini|events\.md|project", why), f"[{section}] {key}: {why}"


def test_unset_standards_are_empty_and_keep_their_names() -> None:
    policy = tomllib.loads(DEFAULT_RULES.read_text(encoding="utf-8"))["policy"]
    assert set(policy) >= KEPT
    assert {k for k, v in policy.items() if v in ("", {})} == UNSET | {"covered_categories"}
    rules = load_rules()
    cap = rules.params(fraud_over_cap_claim.CODE, fraud_over_cap_claim.Params)
    assert cap.certification_subsidy == {} and cap.apprentice_per_person is None
    assert cap.inclusive_per_day == Decimal("100.00")  # the spec's: set
    short = rules.params(ineff_short_delivery.CODE, ineff_short_delivery.Params)
    assert short.level_min_hours == {}
    fake = rules.params(fraud_fake_employment.CODE, fraud_fake_employment.Params)
    assert fake.local_minimum_income is None


def test_a_user_file_sets_them(tmp_path: Path) -> None:
    local = tmp_path / "local.toml"
    local.write_text('[policy]\ncertification_subsidy = { "5" = "280.00", "3" = 450 }\n'
                     'level_min_hours = { "4" = 64.5 }\napprentice_per_person = "3500"\n'
                     'local_minimum_income = "1880.00"\n', encoding="utf-8")
    rules = load_rules(local)
    assert rules.digest != load_rules().digest
    cap = rules.params(fraud_over_cap_claim.CODE, fraud_over_cap_claim.Params)
    assert cap.certification_subsidy == {"5": Decimal("280.00"), "3": Decimal("450")}
    assert cap.apprentice_per_person == Decimal("3500")
    assert cap.entrepreneurship_per_person is None  # still unset
    short = rules.params(ineff_short_delivery.CODE, ineff_short_delivery.Params)
    assert short.level_min_hours == {"4": Decimal("64.5")}
    fake = rules.params(fraud_fake_employment.CODE, fraud_fake_employment.Params)
    assert fake.local_minimum_income == Decimal("1880.00")


@pytest.mark.parametrize(("text", "named"), [
    ('certification_subsidy = { "6" = "300" }', "certification_subsidy has key"),
    ('certification_subsidy = { "5" = "abc" }', "certification_subsidy.5"),
    ('certification_subsidy = "300"', "expected a table"),
    ('level_min_hours = { "5" = "forty" }', "level_min_hours.5"),
    ('apprentice_per_person = "lots"', "apprentice_per_person"),
])
def test_a_bad_local_standard_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f"[policy]\n{text}\n", encoding="utf-8")
    with pytest.raises(RulesFileError, match=re.escape(named)) as err:
        load_rules(bad)  # refused when read, before any rule runs
    assert str(bad) in str(err.value)


# each kind of value no rule can mean, and the words the refusal says what is allowed with
WRONG = [
    ('[rules.INEFF_LOW_ATTENDANCE]\nseverity = "urgent"\n', "one of low, medium, high, critical"),
    ("[rules.INEFF_LOW_ATTENDANCE]\nseverity = 3\n", "one of low, medium, high, critical"),
    ('[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = "7"\n', "between 0 and 1"),
    ('[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = "-0.1"\n', "between 0 and 1"),
    ("[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = 1.5\n", "between 0 and 1"),
    ('[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = "NaN"\n', "between 0 and 1"),
    ('[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = "seven"\n', "not a number"),
    ("[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = true\n", "between 0 and 1"),
    ('[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = ["0.8"]\n', "between 0 and 1"),
    ('[policy]\norder_min_employment = "80"\n', "between 0 and 1"),
    ('[rules.DUP_IMPOSSIBLE_TRAVEL]\nmax_speed_kmh = "-5"\n', "a number, 0 or more"),
    ('[policy]\ninclusive_cap = "-1000.00"\n', "an amount in yuan, 0 or more"),
    ('[rules.FRAUD_PROXY_CHECKIN]\nmin_burst_days = "3"\n', "a whole number"),
    ("[rules.FRAUD_PROXY_CHECKIN]\nmin_burst_days = 2.5\n", "a whole number"),
    ("[rules.FRAUD_PROXY_CHECKIN]\nmin_burst_days = -1\n", "a whole number, 0 or more"),
    ('[rules.FRAUD_OVER_CAPACITY]\ncheck_class_capacity = "yes"\n', "true or false"),
    ('[policy]\npayment_deadline = "3-31"\n', "MM-DD"),
    ('[policy]\npayment_deadline = "13-01"\n', "MM-DD"),
    ('[rules.DUP_IDENTITY]\nclaim_kinds = "training"\n', "a list"),
    ('[policy]\ncertification_subsidy = { "5" = "-300" }\n', "an amount in yuan, 0 or more"),
    ('[policy]\nlevel_min_hours = { "4" = true }\n', "a number, 0 or more"),
]


@pytest.mark.parametrize(("table", "says"), WRONG)
def test_values_no_rule_can_mean_are_refused_naming_file_key_and_what_is_allowed(
        tmp_path: Path, table: str, says: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(RulesFileError, match=re.escape(says)) as refused:
        load_rules(path)  # refused when read, before any rule runs
    assert str(path) in str(refused.value)
    key = table.split("\n")[1].split(" =")[0]
    assert key in str(refused.value)


def _leaves(hint: object) -> list[object]:
    """The types a value of ``hint`` is made of, through ``| None``, tables and lists."""
    if typing.get_origin(hint) is Annotated:
        return [hint]
    if typing.get_origin(hint) in (typing.Union, types.UnionType, dict, tuple, list):
        return [leaf for a in typing.get_args(hint) if a not in (type(None), Ellipsis)
                for leaf in _leaves(a)]
    return [hint]


def test_every_number_a_rule_reads_declares_its_range() -> None:
    """A rule's number is typed with a declared kind (``Share``, ``Yuan``, ``Whole`` …),
    never a bare ``int`` or ``Decimal``, and its severity is the one ``Severity``."""
    bare = []
    for code, module in registry().items():
        hints = typing.get_type_hints(module.Params, include_extras=True)
        assert hints["severity"] is Severity, code
        bare += [f"{code}.{name}: {leaf}" for name, hint in hints.items()
                 for leaf in _leaves(hint) if leaf in (int, float, Decimal)]
    assert not bare, "declare what these may be (detectors/constraints.py):\n" + "\n".join(bare)


def test_every_default_in_the_code_is_what_its_field_declares() -> None:
    for code, module in registry().items():
        hints = typing.get_type_hints(module.Params, include_extras=True)
        for f in dataclasses.fields(module.Params()):
            value = getattr(module.Params(), f.name)
            assert check(value, hints[f.name], f"{code}.{f.name}", "Params") == value


@pytest.mark.parametrize(("raw", "ok"), [
    ("0", False), ("0.000000000000000000001", True), ("0.5", True),
    ("0.999999999999999999999", True), ("1", False), ("1.000000000000000000001", False),
    (0, False), (1, False), ("-Infinity", False),
])
def test_decimal_bounds_are_compared_exactly(raw: object, ok: bool) -> None:
    """msgspec leaves a Decimal's range alone; ``check`` compares it digit for digit (a
    float would round 1.000000000000000000001 to 1)."""
    open_share = Annotated[Decimal, Meta(gt=0, lt=1, description="between 0 and 1, open")]
    if ok:
        assert check(raw, open_share, "k", "f.toml") == Decimal(str(raw))
    else:
        with pytest.raises(RulesFileError, match=r"f\.toml: k = .*between 0 and 1, open"):
            check(raw, open_share, "k", "f.toml")

"""The default rules file says where each value comes from; what no source gives is unset.

A local standard neither the spec nor a seed report gives is empty by default, a
user's file sets it (validated like any other value), and the defaults file names,
for every key, the spec line or seed report it comes from.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from detectors import fraud_fake_employment, fraud_over_cap_claim, ineff_short_delivery
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


@pytest.mark.parametrize("table, says", [
    ('[rules.INEFF_LOW_ATTENDANCE]\nseverity = "urgent"\n', "use one of low, medium"),
    ('[rules.INEFF_LOW_ATTENDANCE]\nmin_attended_ratio = "7"\n', "between 0 and 1"),
    ('[rules.DUP_IMPOSSIBLE_TRAVEL]\nmax_speed_kmh = "-5"\n', "must not be negative"),
    ('[policy]\norder_min_employment = "80"\n', "between 0 and 1"),
])
def test_values_no_rule_can_mean_are_refused_naming_file_and_key(
        tmp_path: Path, table: str, says: str) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(table, encoding="utf-8")
    with pytest.raises(RulesFileError, match=says) as refused:
        load_rules(path)
    assert str(path) in str(refused.value)
    key = table.split("\n")[1].split(" =")[0]
    assert key in str(refused.value)

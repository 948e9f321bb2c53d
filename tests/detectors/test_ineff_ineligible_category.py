"""INEFF_INELIGIBLE_CATEGORY fires only where the rules narrow a programme's coverage."""

from __future__ import annotations

from pathlib import Path

from detectors import ineff_ineligible_category as d
from detectors.rules import load_rules
from tests.detectors.city import TinyCity, ts


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution()
    who = {
        "employee": c.person(category="employee"),
        "unemployed": c.person(born="1985-02-03", category="unemployed"),
        # unemployed when trained, found a job afterwards: judged as of the class start
        "hired": c.person(born="1986-03-04", category="unemployed"),
        # an employee in a programme the rules leave open
        "other_prog": c.person(born="1987-04-05", category="employee"),
    }
    c.add("PersonUpdated", ts("2023-05-01"), {"person_id": who["hired"], "category": "employee"})
    c.klass("C1", start="2023-03-06")
    c.train("C1", [who["employee"], who["unemployed"], who["hired"]])
    c.klass("C2", start="2023-03-06", program="enterprise_training")
    c.train("C2", [who["other_prog"]])
    c.claim("CL1", [(p, "1000.00", 10) for p in (who["employee"], who["unemployed"],
                                                  who["hired"])], cid="C1")
    c.claim("CL2", [(who["other_prog"], "300.00", 10)], cid="C2",
            program="enterprise_training")
    return c, who


def narrowed(tmp_path: Path) -> d.Params:
    over = tmp_path / "rules.toml"
    over.write_text('[policy]\ncovered_categories = { employment_subsidy = '
                    '["unemployed", "rural_transfer"], enterprise_training = [] }\n')
    return load_rules(over).params(d.CODE, d.Params)


def test_fires_where_the_rules_narrow_coverage(tmp_path: Path) -> None:
    c, who = city()
    findings = d.detect(c.frames(tmp_path), narrowed(tmp_path))
    assert [f.subject_id for f in findings] == [who["employee"]]
    f = findings[0]
    assert f.class_ids == ("C1",) and f.claim_ids == ("CL1",) and f.institution_ids == ("I1",)
    assert f.amount_at_risk_fen == 100000
    assert f.observed["category"] == "employee"
    assert f.observed["covered"] == ["rural_transfer", "unemployed"]
    assert "category employee" in f.explanation_en and "employment_subsidy" in f.explanation_en
    assert "1000.00" in f.explanation_zh


def test_default_covers_everyone_and_later_updates_do_not_count(tmp_path: Path) -> None:
    c, who = city()
    views = c.frames(tmp_path)
    assert d.detect(views, d.Params()) == []
    found = {f.subject_id for f in d.detect(views, narrowed(tmp_path))}
    assert not found & {who["unemployed"], who["hired"], who["other_prog"]}

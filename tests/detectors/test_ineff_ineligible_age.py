"""INEFF_INELIGIBLE_AGE fires on trainees over 60 or under 16 at the class start, not at 60."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from detectors import ineff_ineligible_age as d
from detectors.rules import load_rules
from engine.identity import make_person_id
from tests.detectors.city import TinyCity


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution()
    who = {
        "retired": c.person(born="1962-03-01"),  # 61 on 2023-03-06
        "sixty": c.person(born="1962-03-07"),  # 60 until the day after the start
        "fifty_nine": c.person(born="1963-06-01"),
        "child": c.person(born="2007-03-07"),  # 15
        # never registered: the ID number's birth date (1950) stands in
        "unregistered": make_person_id("141102", date(1950, 8, 8), 17),
    }
    c.klass("C1", start="2023-03-06")
    c.train("C1", list(who.values()))
    c.claim("CL1", [(p, "1000.00", 10) for p in who.values()], cid="C1")
    return c, who


def test_fires_outside_working_age(tmp_path: Path) -> None:
    c, who = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert set(findings) == {who["retired"], who["child"], who["unregistered"]}
    f = findings[who["retired"]]
    assert f.subject_type == "person" and f.class_ids == ("C1",) and f.claim_ids == ("CL1",)
    assert f.institution_ids == ("I1",) and f.amount_at_risk_fen == 100000
    assert f.observed["age"] == 61 and f.observed["birth_source"] == "registration"
    assert "aged 61 (born 1962-03-01)" in f.explanation_en and "over the working age 16-60" \
        in f.explanation_en
    assert "61 岁" in f.explanation_zh and "1000.00" in f.explanation_zh
    assert findings[who["child"]].observed["age"] == 15
    assert "under" in findings[who["child"]].explanation_en
    ghost = findings[who["unregistered"]]
    assert ghost.observed["birth_source"] == "id_number" and ghost.observed["age"] == 72


def test_sixty_and_fifty_nine_stay_silent(tmp_path: Path) -> None:
    c, who = city()
    found = {f.subject_id for f in d.detect(c.frames(tmp_path), d.Params())}
    assert who["sixty"] not in found and who["fifty_nine"] not in found


def test_ages_come_from_the_policy(tmp_path: Path) -> None:
    over = tmp_path / "rules.toml"
    over.write_text("[policy]\nmax_working_age = 75\nmin_working_age = 15\n")
    params = load_rules(over).params(d.CODE, d.Params)
    c, _ = city()
    assert d.detect(c.frames(tmp_path), params) == []

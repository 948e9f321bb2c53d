"""INEFF_SHORT_DELIVERY fires on classes short of plan or level minimum, not within tolerance."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from detectors import ineff_short_delivery as d
from detectors.rules import load_rules
from tests.detectors.city import TinyCity


def local_params(tmp_path: Path) -> d.Params:
    """The city's published minimum hours per level, set as a user sets a local standard."""
    rules = tmp_path / "local.toml"
    rules.write_text('[policy]\nlevel_min_hours = { "5" = 40, "4" = 60 }\n', encoding="utf-8")
    return load_rules(rules).params(d.CODE, d.Params)


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution()
    people = [c.person(born=f"198{i}-0{i + 1}-0{i + 1}") for i in range(2)]
    c.klass("SHORT", days=10)  # 10 days x 8 h planned; 7 days held
    for pid in people:
        c.enrol("SHORT", pid)
    c.sessions("SHORT", c.class_days("SHORT")[:7])
    c.complete("SHORT", delivered=56)
    c.klass("LOWLEVEL", level=4, days=5, start="2023-04-03")  # 40 h, level 4 needs 60
    c.train("LOWLEVEL", people[:1])
    c.klass("HALFDAYS", days=10, start="2023-05-08")  # every day held, 4 h each
    c.enrol("HALFDAYS", people[0])
    c.sessions("HALFDAYS", hours=4)
    c.complete("HALFDAYS")  # the completion claims the full 80 h; the sessions say 40
    c.klass("ALMOST", days=10, start="2023-06-05")  # 78 of 80 h: within tolerance
    c.train("ALMOST", people)
    c.add("ClassCompleted", "2023-06-14T18:30:00+08:00",
          {"class_id": "ALMOST", "delivered_hours": 78})
    c.klass("RUNNING", days=10, start="2023-07-03")  # still running: no completion, no claim
    c.sessions("RUNNING", c.class_days("RUNNING")[:3])
    c.claim("CL1", [(p, "700.00", 7) for p in people], cid="SHORT")
    c.claim("CL2", [(people[0], "500.00", 5)], cid="LOWLEVEL", on="2023-04-20")
    c.claim("CL3", [(p, "1000.00", 10) for p in people], cid="ALMOST", on="2023-06-20")
    return c, people


def test_fires_on_short_classes(tmp_path: Path) -> None:
    c, people = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), local_params(tmp_path))}
    assert sorted(findings) == ["HALFDAYS", "LOWLEVEL", "SHORT"]
    f = findings["SHORT"]
    assert f.subject_type == "class" and f.class_ids == ("SHORT",)
    assert f.institution_ids == ("I1",) and f.claim_ids == ("CL1",)
    assert f.person_ids == tuple(sorted(people))
    assert f.amount_at_risk_fen == 140000
    assert f.observed["reasons"] == ["hours", "days"]
    assert "56 of 80 planned hours (70%)" in f.explanation_en
    assert "7 of 10 planned days" in f.explanation_en and "56/80" in f.explanation_zh
    low = findings["LOWLEVEL"]
    assert low.observed["reasons"] == ["level_minimum"] and low.amount_at_risk_fen == 50000
    assert "below the 60 hours level 4 requires" in low.explanation_en
    half = findings["HALFDAYS"]
    assert half.observed["delivered_hours"] == 40 and half.amount_at_risk_fen == 0


def test_within_tolerance_and_running_stay_silent(tmp_path: Path) -> None:
    c, _ = city()
    found = {f.subject_id for f in d.detect(c.frames(tmp_path), local_params(tmp_path))}
    assert "ALMOST" not in found and "RUNNING" not in found


def test_unset_level_minima_check_only_the_plan_and_say_so(tmp_path: Path) -> None:
    """No seed publishes minimum hours per level: a class that delivered its whole plan is
    not short by default, and the rule counts the classes it did not compare."""
    c, _ = city()
    frames = c.frames(tmp_path)
    found = {f.subject_id for f in d.detect(frames, d.Params())}
    assert found == {"HALFDAYS", "SHORT"}  # LOWLEVEL delivered 100 % of its plan
    [note] = d.unchecked(frames, d.Params())
    assert note.key == "level_min_hours" and note.count == 4  # SHORT LOWLEVEL HALFDAYS ALMOST
    assert "level 5, 4" in note.what_en and "最低学时" in note.what_zh
    assert d.unchecked(frames, local_params(tmp_path)) == []


def test_thresholds_come_from_the_rules(tmp_path: Path) -> None:
    c, _ = city()
    found = d.detect(c.frames(tmp_path), d.Params(min_delivered_ratio=Decimal("0.99"),
                                                  level_min_hours={"4": 40}))
    assert sorted(f.subject_id for f in found) == ["ALMOST", "HALFDAYS", "SHORT"]

"""The rules lab over a store with real findings: a what-if records nothing and shows what a
candidate rules file changes; adopting is an admin's, stored once, and detection then runs
under the adopted rules."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from detectors.rules import load_rules, load_rules_text
from engine.errors import Forbidden, UsageError
from engine.store.factory import open_store
from projections.projector import engine_for
from projections.tables import metadata, tracking
from services import detection, rules_lab
from services.actor import Actor, Role
from services.workbench import Workbench, as_of
from tests.casework.city import GHOST, OVERPAID, city
from tests.casework.conftest import Detected
from tests.e2e.conftest import Cli, json_of

ADMIN = Actor("管理员", Role.ADMIN)
FINANCE = Actor("李会计", Role.FINANCE)
INVESTIGATOR = Actor("张三", Role.INVESTIGATOR)
OVER_CAP = "FRAUD_OVER_CAP_CLAIM"
# the city claims 1000.00 yuan for each of two trainees' 10 inclusive days: at the cap
TIGHT = '[policy]\ninclusive_cap = "900.00"\n'  # 100.00 over for each: a new finding
TIGHTER = '[policy]\ninclusive_cap = "800.00"\n'  # the same finding, 200.00 more at risk
LOOSE = '[rules.FRAUD_PAY_OVER_APPROVED]\nmin_excess = "600.00"\n'  # CL2 is 500.00 over
ID_NUMBER = re.compile(r"\d{17}[\dX]")
SOURCE_EVENTS = len(city()[0].events)  # the last is CL2's second payment, on 2023-05-15


def snapshot(url: str) -> dict[str, Any]:
    """The chain head, the events by type and every read model's row count and position."""
    store = open_store(url)
    try:
        head, by_type = store.head(), store.count_by_type()
    finally:
        store.close()
    engine = engine_for(url)
    try:
        with engine.connect() as conn:
            rows = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar()
                    for t in metadata.sorted_tables}
            tracked = conn.execute(sa.select(tracking.c.projection, tracking.c.position)).all()
    finally:
        engine.dispose()
    return {"head": (head.seq, head.hash, head.position), "by_type": by_type, "rows": rows,
            "tracked": sorted(tracked)}


def changes(got: rules_lab.WhatIf) -> dict[str, dict[str, int]]:
    """The rules whose findings differ, with their counts."""
    return {code: c for code, c in got.by_rule.items() if c["new"] or c["gone"] or c["changed"]}


def test_a_tightened_threshold_shows_new_findings_of_its_rule_only(detected: Detected) -> None:
    wb = Workbench(detected.url)
    before = snapshot(detected.url)
    got = rules_lab.what_if(wb, FINANCE, TIGHT)  # any role may explore
    assert snapshot(detected.url) == before  # nothing recorded, read models as they were
    assert changes(got) == {OVER_CAP: {"before": 0, "after": 1, "new": 1, "gone": 0,
                                       "changed": 0, "same": 0}}
    assert got.totals["same"] == 2 and got.by_rule[GHOST]["same"] == 1
    assert (got.candidate.digest, got.in_force.digest) == (
        load_rules_text(TIGHT, "x").digest, load_rules().digest)
    assert got.findings_in_log == 2 and got.position == before["head"][2]
    new = got.of_kind("new")[0]
    assert (new["code"], new["subject_id"], new["before"]) == (OVER_CAP, "CL1", None)
    assert new["after"]["amount_at_risk"] == "200.00" and new["after"]["evidence"]
    assert new["after"]["rules_digest"] == got.candidate.digest
    assert not ID_NUMBER.search(json.dumps(got.as_json(), ensure_ascii=False))  # masked
    with pytest.raises(Forbidden):
        rules_lab.what_if(wb, FINANCE, TIGHT, unmask=True)
    full = rules_lab.what_if(wb, INVESTIGATOR, TIGHT, unmask=True)
    assert ID_NUMBER.search(json.dumps(full.of_kind("new"), ensure_ascii=False))


def test_a_loosened_threshold_shows_the_findings_gone(detected_sqlite: Detected) -> None:
    got = rules_lab.what_if(Workbench(detected_sqlite.url), FINANCE, LOOSE)
    assert changes(got) == {OVERPAID: {"before": 1, "after": 0, "new": 0, "gone": 1,
                                       "changed": 0, "same": 0}}
    gone = got.of_kind("gone")[0]
    assert (gone["subject_id"], gone["after"]) == ("CL2", None)
    assert gone["before"]["finding_id"] == detected_sqlite.overpaid  # the one recorded


def test_as_of_an_earlier_point_the_picture_is_smaller(detected: Detected) -> None:
    """Before CL2's second payment it was not overpaid: nothing to lose by loosening."""
    wb = Workbench(detected.url)
    for point in (as_of(position=SOURCE_EVENTS - 1), as_of("2023-05-01T00:00+08:00")):
        got = rules_lab.what_if(wb, FINANCE, LOOSE, as_of=point)
        assert got.totals == {"before": 1, "after": 1, "new": 0, "gone": 0, "changed": 0,
                              "same": 1}, point
        assert got.by_rule[GHOST]["same"] == 1
        assert got.findings_in_log == 0  # detection was recorded after both points
        assert got.position == SOURCE_EVENTS - 1
    assert rules_lab.what_if(wb, FINANCE, LOOSE).totals["gone"] == 1  # now


def test_the_candidates_guard_warnings_and_notes(detected_sqlite: Detected) -> None:
    doubting = TIGHT + "[guard]\nmin_flagged = 1\n"
    got = rules_lab.what_if(Workbench(detected_sqlite.url), FINANCE, doubting)
    assert OVER_CAP in got.guards and OVER_CAP not in got.in_force_guards
    assert "policy.inclusive_cap" in got.guards[OVER_CAP]["keys"]
    assert "policy.level_min_hours" in json.dumps(got.not_checked)


def test_adopting_is_an_admins_and_detection_then_runs_under_it(detected: Detected) -> None:
    wb = Workbench(detected.url)
    before = snapshot(detected.url)
    with pytest.raises(Forbidden):
        rules_lab.adopt(wb, FINANCE, TIGHT)
    with pytest.raises(UsageError, match=r"lab\.toml: policy\.inclusive_cap"):
        rules_lab.adopt(wb, ADMIN, '[policy]\ninclusive_cap = "-1"\n', name="lab.toml")
    with pytest.raises(UsageError, match="does not read back the same"):  # a TOML time
        rules_lab.adopt(wb, ADMIN, "[stream]\nsettle_s = 1979-05-27T07:32:00Z\n")
    assert snapshot(detected.url) == before  # a refusal stores nothing
    done = rules_lab.adopt(wb, ADMIN, TIGHT, name="tight.toml")
    tight = load_rules_text(TIGHT, "x")
    assert done.stored and (done.rules.digest, done.previous.digest) == (
        tight.digest, load_rules().digest)
    assert rules_lab.adopt(wb, ADMIN, TIGHT).stored is False  # in force already
    assert snapshot(detected.url)["by_type"]["RulesAdopted"] == 1
    shown = rules_lab.rules_in_force(Workbench(detected.url), FINANCE)
    assert shown.rules.digest == tight.digest and shown.text == TIGHT
    assert (shown.rules.adopted["by"], shown.rules.adopted["role"]) == ("管理员", "admin")
    ran = detection.detect(Workbench(detected.url), INVESTIGATOR)
    assert ran.report.rules_digest == tight.digest
    assert OVER_CAP in {r["code"] for r in ran.records}
    # the adopted rules are now the ones a what-if compares with
    got = rules_lab.what_if(Workbench(detected.url), FINANCE, TIGHTER)
    assert got.in_force.digest == tight.digest
    assert changes(got) == {OVER_CAP: {"before": 1, "after": 1, "new": 0, "gone": 0,
                                       "changed": 1, "same": 0}}
    changed = got.of_kind("changed")[0]
    assert (changed["before"]["amount_at_risk"], changed["after"]["amount_at_risk"]) == (
        "200.00", "400.00")
    # before the adoption, the defaults were in force
    old = rules_lab.rules_in_force(wb, FINANCE, as_of=as_of(position=before["head"][2]))
    assert old.rules.digest == load_rules().digest and old.history == []


def test_going_back_to_earlier_rules_is_recorded_each_time(detected_sqlite: Detected) -> None:
    wb = Workbench(detected_sqlite.url)
    guard_only = "[guard]\nmin_flagged = 1\n"  # no finding moves, yet it is other rules
    steps = [TIGHT, LOOSE, TIGHT, LOOSE, guard_only]
    assert all(rules_lab.adopt(wb, ADMIN, text).stored for text in steps)
    history = rules_lab.rules_in_force(wb, FINANCE).history
    assert len(history) == 5 and len({h["event_id"] for h in history}) == 5
    assert [h["previous_digest"] for h in history[1:]] == [h["digest"] for h in history[:-1]]
    assert history[-1]["digest"] == load_rules().digest
    assert wb.rules.guard["min_flagged"] == 1


def test_the_command_line(detected_sqlite: Detected, cli: Cli, tmp_path: Path) -> None:
    db = detected_sqlite.url
    tight, bad = tmp_path / "tight.toml", tmp_path / "bad.toml"
    tight.write_text(TIGHT, encoding="utf-8")
    bad.write_text('[rules.FRAUD_PAY_OVER_APPROVED]\nmin_exces = "1"\n', encoding="utf-8")
    before = snapshot(db)
    shown = cli("--role", "finance", "detect", "--rules", str(tight), "--what-if", "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert re.search(rf"{OVER_CAP} +0 +1 +1 +0 +0 +0\n", shown.stdout), shown.stdout
    assert "nothing recorded" in shown.stdout and "未记录" in shown.stdout
    doc = json_of(cli("detect", "--rules", str(tight), "--what-if", "--json", "--db", db,
                      "--as-of-position", str(SOURCE_EVENTS - 1)))
    assert doc["totals"]["new"] == 1 and doc["position"] == SOURCE_EVENTS - 1
    assert [d["code"] for d in doc["differences"]["new"]] == [OVER_CAP]
    assert snapshot(db) == before  # neither stored an event nor touched a read model
    refused = cli("--role", "finance", "detect", "--rules", str(tight), "--what-if",
                  "--unmask", "--db", db)
    assert refused.returncode == 3 and "personal data" in refused.stderr
    refused = cli("--role", "finance", "rules", "adopt", str(tight), "--db", db)
    assert refused.returncode == 3 and "admin" in refused.stderr
    wrong = cli("--role", "admin", "rules", "adopt", str(bad), "--db", db)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert f"{bad}: unknown key rules.FRAUD_PAY_OVER_APPROVED.min_exces" in wrong.stderr
    assert cli("detect", "--rules", str(bad), "--what-if", "--db", db).returncode == 2
    assert snapshot(db) == before
    done = cli("--role", "admin", "rules", "adopt", str(tight), "--db", db, "--by", "王管理",
               "--json")
    assert done.returncode == 0, done.stderr
    assert json_of(done)["stored"] is True
    state = json_of(cli("rules", "show", "--db", db, "--json"))
    assert state["in_force"]["digest"] == load_rules_text(TIGHT, "x").digest
    assert (state["history"][0]["by"], state["history"][0]["role"]) == ("王管理", "admin")
    assert cli("rules", "show", "--text", "--db", db).stdout == TIGHT
    ran = cli("detect", "--db", db)
    assert ran.returncode == 0 and load_rules_text(TIGHT, "x").digest in ran.stdout

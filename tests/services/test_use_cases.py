"""Use cases called directly, as the web and the stream call them: roles are enforced and
every step records who acted in which role."""

from __future__ import annotations

import json
import re

import pytest

from credit.service import CreditError
from engine.errors import Forbidden, NotFound
from engine.privacy import mask_person_id
from services import cases, credit, detection, ingestion, reading
from services.actor import Actor, Role
from services.workbench import Workbench
from tests.casework.conftest import Detected

INVESTIGATOR = Actor("张三", Role.INVESTIGATOR)
FINANCE = Actor("李会计", Role.FINANCE)
INSPECTOR = Actor("王督查", Role.INSPECTOR)
ADMIN = Actor("管理员", Role.ADMIN)
ID_NUMBER = re.compile(r"\d{17}[\dX]")


def events_of(wb: Workbench, type_: str) -> list[dict]:
    with wb.store() as store:
        return [json.loads(r.state)["data"] for rows in store.iter_rows() for r in rows
                if r.topic == type_]


def test_case_steps_are_investigators_and_record_the_role(detected: Detected) -> None:
    wb = Workbench(detected.url)
    for outsider in (FINANCE, INSPECTOR, ADMIN):
        with pytest.raises(Forbidden):
            cases.open_case(wb, outsider, detected.overpaid)
    assert events_of(wb, "CaseOpened") == []  # a refusal stores nothing
    done = cases.open_case(wb, INVESTIGATOR, detected.overpaid, "金额异常")
    assert done.state == "open"
    cases.assign(wb, INVESTIGATOR, done.case_id, "王五")
    opened, assigned = events_of(wb, "CaseOpened"), events_of(wb, "CaseAssigned")
    assert (opened[0]["by"], opened[0]["role"]) == ("张三", "investigator")
    assert (assigned[0]["assignee"], assigned[0]["role"]) == ("王五", "investigator")
    shown = cases.show_case(wb, FINANCE, done.case_id)  # reading is open to every role
    assert shown["state"] == "assigned"


def test_personal_data_in_full_only_for_roles_that_may(detected: Detected) -> None:
    wb = Workbench(detected.url)
    person = detected.ghost_person
    with pytest.raises(Forbidden):
        reading.person(wb, FINANCE, person, unmask=True)
    masked = json.dumps(reading.person(wb, FINANCE, person), ensure_ascii=False)
    assert person not in masked and mask_person_id(person) in masked
    full = json.dumps(reading.person(wb, INVESTIGATOR, person, unmask=True), ensure_ascii=False)
    assert person in full
    listed = detection.list_findings(wb, FINANCE)
    assert listed.records and not ID_NUMBER.search(json.dumps(listed.records))
    with pytest.raises(Forbidden):
        detection.list_findings(wb, INSPECTOR, unmask=True)
    with pytest.raises(Forbidden):
        reading.timeline(wb, FINANCE, "person", person, unmask=True)
    assert reading.timeline(wb, FINANCE, "person", person).shown_id == mask_person_id(person)
    with pytest.raises(NotFound):
        reading.timeline(wb, FINANCE, "person", "110101190001010000")


def test_detection_and_ingest_by_role(detected_sqlite: Detected, tmp_path) -> None:
    wb = Workbench(detected_sqlite.url)
    with pytest.raises(Forbidden):
        detection.detect(wb, FINANCE)
    with pytest.raises(Forbidden):
        ingestion.ingest_files(wb, INVESTIGATOR, [str(tmp_path / "none.jsonl")])
    done = detection.detect(wb, INVESTIGATOR)
    assert done.records and done.report.run_id
    run = next(r for r in events_of(wb, "DetectionRun") if r["run_id"] == done.report.run_id)
    assert (run["by"], run["role"]) == ("张三", "investigator")
    assert ingestion.store_stats(wb, FINANCE)["events"] > 0


def test_credit_repair_is_the_inspectors(detected_sqlite: Detected) -> None:
    wb = Workbench(detected_sqlite.url)
    got = credit.ratings(wb, FINANCE)  # reading the present records the ratings
    rated = events_of(wb, "CreditRated")
    assert rated and {(r["by"], r["role"]) for r in rated} == {("李会计", "finance")}
    subject = min(got.ratings, key=lambda r: r.score).subject_id
    for outsider in (FINANCE, INVESTIGATOR, ADMIN):
        with pytest.raises(Forbidden):
            credit.repair_credit(wb, outsider, subject, note="整改完成")
    # the inspector passes the role check; the rules then decide (a clean period, a grade)
    with pytest.raises(CreditError):
        credit.repair_credit(wb, INSPECTOR, subject, note="整改完成")

"""A dismissed finding stays dismissed when detection reruns, unless its facts change."""

from __future__ import annotations

from pathlib import Path

import pytest

from casework import commands
from casework.errors import CaseError
from casework.status import case_states, with_case_state
from engine.store.factory import open_store
from findings.listing import current_findings
from services.workbench import Workbench
from tests.casework.city import recovery, write_jsonl
from tests.casework.conftest import Detected
from tests.e2e.conftest import Cli, json_of


def case_of(cli: Cli, db: str) -> dict:
    listed = json_of(cli("case", "list", "--db", db, "--json"))
    assert len(listed) == 1
    return listed[0]


def test_dismissal_survives_rerun_and_reopens_on_new_facts(
        detected_sqlite: Detected, cli: Cli, tmp_path: Path) -> None:
    db, fid = detected_sqlite.url, detected_sqlite.overpaid
    for args in (("open", fid), ("assign", fid, "--to", "李四")):
        assert cli("case", *args, "--db", db, "--by", "张三").returncode == 0
    no_reason = cli("case", "dismiss", fid, "--db", db, "--by", "李四")
    assert no_reason.returncode == 1 and "reason is required" in no_reason.stderr
    assert cli("case", "dismiss", fid, "--db", db, "--by", "李四",
               "--reason", "补充核准文件已到 top-up approved on paper").returncode == 0

    # Same facts: the rerun raises the finding again, the dismissal holds.
    assert cli("detect", "--db", db).returncode == 0
    case = case_of(cli, db)
    assert (case["state"], case["facts_changed"]) == ("dismissed", False)
    views = Workbench(db).views()
    assert case_states(views).loc[fid, "state"] == "dismissed"
    shown = with_case_state(current_findings(views), views)
    assert fid not in shown.index and detected_sqlite.ghost in shown.index
    assert shown.loc[detected_sqlite.ghost, "case_state"] == "none"
    everything = with_case_state(current_findings(views), views, include_dismissed=True)
    assert everything.loc[fid, "case_state"] == "dismissed"

    # A partial recovery changes the observed amounts: the rerun reopens the case.
    path = write_jsonl([recovery("rec-100", "P2b", "100.00")], tmp_path / "rec.jsonl")
    assert cli("ingest", str(path), "--db", db).returncode == 0
    assert cli("detect", "--db", db).returncode == 0
    case = case_of(cli, db)
    assert (case["state"], case["facts_changed"]) == ("reopened", True)
    assert case["amount_at_risk"] == "400.00"
    views = Workbench(db).views()
    assert fid in with_case_state(current_findings(views), views).index

    # Confirming needs a re-opening, and a re-opening needs a reason.
    refused = cli("case", "confirm", fid, "--db", db, "--reason", "x")
    assert refused.returncode == 1 and "re-open it first" in refused.stderr
    refused = cli("case", "open", fid, "--db", db)
    assert refused.returncode == 1 and "reason is required" in refused.stderr
    for args in (("open", fid, "--reason", "金额变化 amounts changed"),
                 ("assign", fid, "--to", "王五"),
                 ("confirm", fid, "--reason", "400.00 still overpaid")):
        assert cli("case", *args, "--db", db, "--by", "张三").returncode == 0
    case = case_of(cli, db)
    assert (case["state"], case["assignee"]) == ("confirmed", "王五")

    # Two investigators taking the next step at once: the second is refused, not stored.
    views = Workbench(db).views()
    first, second = commands._load(views, f"case-{fid}"), commands._load(views, f"case-{fid}")
    store = open_store(db)
    try:
        commands._append(store, first, "CaseNoteAdded", {"by": "甲", "text": "one"}, None)
        with pytest.raises(CaseError, match="changed while"):
            commands._append(store, second, "CaseNoteAdded", {"by": "乙", "text": "two"}, None)
    finally:
        store.close()
    history = json_of(cli("case", "show", fid, "--db", db, "--json"))["history"]
    assert [h.get("text") for h in history[-2:]] == [None, "one"]

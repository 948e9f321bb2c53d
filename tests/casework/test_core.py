"""The functional core without a database: the order of steps and the fold of a case."""

from __future__ import annotations

import pandas as pd
import pytest

from casework.errors import CaseError
from casework.status import fold, resolve_case_id
from casework.workflow import ALLOWED, NONE, STATES, check_step, require_reason

FLOW = [("open", "open"), ("assign", "assigned"), ("confirm", "confirmed"),
        ("recover", "recovered"), ("close", "closed")]


def test_each_step_only_from_its_states() -> None:
    every = [NONE, *STATES]
    for step, allowed in ALLOWED.items():
        for state in every:
            if state in allowed:
                check_step(step, state, "case-x")
            else:
                with pytest.raises(CaseError):
                    check_step(step, state, "case-x")


@pytest.mark.parametrize(("step", "state", "hint"), [
    ("confirm", "open", "assign it first"),
    ("dismiss", "open", "assign it first"),
    ("confirm", "dismissed", "re-open it first"),
    ("recover", "assigned", "confirm it first"),
    ("close", "assigned", "confirm or dismiss"),
    ("assign", "closed", "final"),
    ("open", "open", "already open"),
    ("note", NONE, "open it first"),
])
def test_refusals_say_what_to_do(step: str, state: str, hint: str) -> None:
    with pytest.raises(CaseError, match=hint):
        check_step(step, state, "case-x")


def test_the_happy_path_and_the_dismissed_path_are_allowed() -> None:
    state = NONE
    for step, after in FLOW:
        check_step(step, state, "case-x")
        state = after
    check_step("close", "dismissed", "case-x")
    check_step("open", "dismissed", "case-x")
    check_step("note", "closed", "case-x")


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_a_reason_must_have_words(reason: str | None) -> None:
    with pytest.raises(CaseError, match="reason is required"):
        require_reason(reason, "dismiss")
    assert require_reason("  ok  ", "dismiss") == "ok"


def steps(*rows: tuple[str, dict]) -> pd.DataFrame:
    base = {"case_id": "case-f1", "finding_id": None, "actor": "a", "reason": None,
            "assignee": None, "text": None, "facts_digest": None, "amount_fen": 0}
    return pd.DataFrame([{**base, "position": n, "occurred_at": f"2024-01-0{n}T09:00+08:00",
                          "event_type": t, **extra} for n, (t, extra) in enumerate(rows, 1)])


DISMISSED = steps(("CaseOpened", {"finding_id": "f1", "facts_digest": "d1"}),
                  ("CaseAssigned", {"assignee": "bob"}),
                  ("CaseDismissed", {"reason": "fine", "facts_digest": "d1"}))


def test_dismissal_holds_for_its_facts_only() -> None:
    same = fold(DISMISSED, {"f1": "d1"}).loc["case-f1"]
    assert (same["state"], same["dismissed"], same["assignee"]) == ("dismissed", True, "bob")
    new = fold(DISMISSED, {"f1": "d2"}).loc["case-f1"]
    assert (new["state"], new["dismissed"], new["facts_changed"]) == ("reopened", False, True)
    closed = pd.concat([DISMISSED, steps(*[("CaseClosed", {})] * 4).iloc[3:]])
    assert fold(closed, {"f1": "d1"}).loc["case-f1", "state"] == "closed"
    assert fold(closed, {"f1": "d2"}).loc["case-f1", "state"] == "reopened"


def test_reopening_clears_the_dismissal_and_recoveries_add_up() -> None:
    more = steps(*[("CaseNoteAdded", {})] * 3,
                 ("CaseOpened", {"finding_id": "f1", "reason": "new facts"}),
                 ("CaseAssigned", {"assignee": "eve"}), ("CaseConfirmed", {"reason": "yes"}),
                 ("CaseRecoveryLinked", {"amount_fen": 30000}),
                 ("CaseRecoveryLinked", {"amount_fen": 12345})).iloc[3:]
    row = fold(pd.concat([DISMISSED, more]), {"f1": "d2"}).loc["case-f1"]
    assert (row["state"], row["outcome"], row["dismissed"]) == ("recovered", "confirmed", False)
    assert row["recovered_fen"] == 42345 and row["assignee"] == "eve" and row["steps"] == 8
    assert (row["last_type"], row["opened_by"]) == ("CaseRecoveryLinked", "a")


def test_a_finding_id_stands_for_its_case() -> None:
    assert resolve_case_id("abc") == "case-abc" == resolve_case_id(" case-abc ")

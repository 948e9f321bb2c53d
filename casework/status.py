"""Each case's state, derived from its events and the finding's latest facts.

The state is a fold over the case's steps in log order; one rule is applied
on top: a dismissal holds only for the facts it was made on. When a rerun of
detection raised the same finding id with a new facts digest, the case is
``reopened`` (needs review) instead of ``dismissed``; unchanged facts keep
it dismissed however often detection reruns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from projections.tables import metadata
from projections.views import Views

CASE_PREFIX = "case-"

COLUMNS = ("case_id", "finding_id", "state", "recorded_state", "outcome", "assignee",
           "opened_by", "opened_at", "last_type", "last_by", "last_at", "last_reason",
           "recovered_fen", "steps", "decided_facts", "dismissed", "facts_changed")


def case_id_for(finding_id: str) -> str:
    """One case per finding: its id is derived from the finding's."""
    return CASE_PREFIX + finding_id


def resolve_case_id(text: str) -> str:
    """A case id, or a finding id standing for its case."""
    text = text.strip()
    return text if text.startswith(CASE_PREFIX) else case_id_for(text)


def case_events(views: Views, case_id: str | None = None) -> pd.DataFrame:
    """Every case step (one case's if named), in log order."""
    table = metadata.tables["rm_case_events"]
    where = [table.c.case_id == case_id] if case_id is not None else None
    return views.rows("rm_case_events", where=where).sort_values("position",
                                                                  ignore_index=True)


def fold(events: pd.DataFrame, latest_facts: Mapping[str, str]) -> pd.DataFrame:
    """One row per case (indexed by case id) from its steps and each finding's latest facts."""
    out: list[dict[str, Any]] = []
    for case_id, steps in events.sort_values("position").groupby("case_id", sort=True):
        row = _fold_one(str(case_id), steps)
        current = latest_facts.get(row["finding_id"])
        row["facts_changed"] = bool(row["decided_facts"]) and current is not None and (
            current != row["decided_facts"])
        stands = row["outcome"] == "dismissed" and not row["facts_changed"]
        if row["outcome"] == "dismissed" and row["facts_changed"] and (
                row["recorded_state"] in ("dismissed", "closed")):
            row["state"] = "reopened"
        row["dismissed"] = stands
        out.append(row)
    frame = pd.DataFrame(out, columns=list(COLUMNS))
    frame["recovered_fen"] = frame["recovered_fen"].astype("int64")
    frame["steps"] = frame["steps"].astype("int64")
    return frame.set_index("case_id")


def _fold_one(case_id: str, steps: pd.DataFrame) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(case_id=case_id, recovered_fen=0, steps=len(steps), decided_facts="")
    state = "none"
    for e in steps.itertuples(index=False):
        kind = e.event_type
        if kind == "CaseOpened":
            state, row["outcome"], row["decided_facts"] = "open", None, ""
            row["finding_id"] = e.finding_id
            if row["opened_by"] is None:
                row["opened_by"], row["opened_at"] = e.actor, e.occurred_at
        elif kind == "CaseAssigned":
            row["assignee"] = e.assignee
            state = "assigned" if state == "open" else state
        elif kind == "CaseConfirmed":
            state, row["outcome"], row["decided_facts"] = "confirmed", "confirmed", ""
        elif kind == "CaseDismissed":
            state, row["outcome"], row["decided_facts"] = "dismissed", "dismissed", e.facts_digest
        elif kind == "CaseRecoveryLinked":
            state = "recovered"
            row["recovered_fen"] += int(e.amount_fen)
        elif kind == "CaseClosed":
            state = "closed"
        row.update(last_type=kind, last_by=e.actor, last_at=e.occurred_at,
                   last_reason=e.reason if isinstance(e.reason, str) else
                   (e.text if isinstance(e.text, str) else None))
    row["state"] = row["recorded_state"] = state
    return row


def latest_facts(findings: pd.DataFrame) -> dict[str, str]:
    """Finding id → its latest facts digest, from ``findings.listing.current_findings``."""
    return dict(zip(findings.index, findings["facts_digest"], strict=True))


def cases(views: Views, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every case's derived state, indexed by case id (``findings``: current findings)."""
    if findings is None:
        from findings.listing import current_findings

        findings = current_findings(views)
    return fold(case_events(views), latest_facts(findings))


def case_states(views: Views, findings: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each finding's case (id, state, assignee, whether dismissed), indexed by finding id.

    For the findings listing: findings without a case are simply absent.
    """
    return cases(views, findings).reset_index().set_index("finding_id")


def with_case_state(findings: pd.DataFrame, views: Views, *,
                    include_dismissed: bool = False) -> pd.DataFrame:
    """Current findings with ``case_id`` and ``case_state`` (``none`` without a case).

    Findings whose dismissal still holds (same facts) are left out unless asked for.
    """
    states = case_states(views, findings)
    out = findings.join(states[["case_id", "state", "dismissed"]].rename(
        columns={"state": "case_state"}))
    out["case_state"] = out["case_state"].fillna("none")
    dismissed = out["dismissed"].fillna(False).astype(bool)
    out = out.drop(columns=["dismissed"])
    return out if include_dismissed else out[~dismissed]

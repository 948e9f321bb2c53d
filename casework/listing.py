"""Cases for people and machines: the list (state, finding, money) and one case's history.

ID numbers are masked unless unmasked, in the subject and in free text (a
reason or note may quote one), with the one masking function.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from casework.status import case_events, fold, latest_facts
from casework.workflow import STATES
from engine.identity import mask_person_id
from engine.money import yuan_str
from projections.views import Views

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_STEP_FIELDS = ("reason", "assignee", "text", "payment_id", "recovery_event_id", "facts_digest",
                "finding_id")


def mask_text(text: str | None, unmask: bool = False) -> str | None:
    """Free text with every resident ID number in it masked (unless unmasked)."""
    if text is None or unmask:
        return text
    return _ID_NUMBER.sub(lambda m: mask_person_id(m.group(0)), text)


def case_records(views: Views, states: list[str] | None = None, unmask: bool = False,
                 case_id: str | None = None) -> list[dict[str, Any]]:
    """Every case (or one) with its derived state and its finding's code, subject and money."""
    from findings.listing import current_findings

    findings = current_findings(views)
    frame = fold(case_events(views, case_id), latest_facts(findings))
    if states:
        frame = frame[frame["state"].isin(states)]
    out = []
    for cid, r in frame.sort_values(["last_at"], ascending=False).iterrows():
        f = findings.loc[r["finding_id"]] if r["finding_id"] in findings.index else None
        subject = None if f is None else str(f["subject_id"])
        if f is not None and f["subject_type"] == "person" and not unmask:
            subject = mask_person_id(subject or "")
        out.append({
            "case_id": cid, "finding_id": r["finding_id"], "state": r["state"],
            "state_zh": STATES.get(r["state"], ""), "outcome": r["outcome"],
            "facts_changed": bool(r["facts_changed"]),
            "code": None if f is None else f["code"],
            "severity": None if f is None else f["severity"],
            "subject_type": None if f is None else f["subject_type"], "subject_id": subject,
            "amount_at_risk": None if f is None else yuan_str(int(f["amount_at_risk_fen"])),
            "recovered": yuan_str(int(r["recovered_fen"])), "assignee": r["assignee"],
            "opened_by": r["opened_by"], "opened_at": r["opened_at"],
            "last_step": {"type": r["last_type"], "by": r["last_by"], "at": r["last_at"],
                          "why": mask_text(r["last_reason"], unmask)},
            "steps": int(r["steps"]),
        })
    return out


def case_detail(views: Views, case_id: str, unmask: bool = False) -> dict[str, Any] | None:
    """One case: its record, its finding's explanation and every step (who, when, why)."""
    records = case_records(views, unmask=unmask, case_id=case_id)
    if not records:
        return None
    from findings.listing import as_records, current_findings

    findings = current_findings(views)
    rec = records[0]
    if rec["finding_id"] in findings.index:
        f = as_records(findings.loc[[rec["finding_id"]]], unmask=unmask)[0]
        rec["finding"] = {k: f[k] for k in ("title", "explanation_zh", "explanation_en",
                                            "payment_ids", "evidence", "detected_at")}
    rec["history"] = [_step(e, unmask) for e in case_events(views, case_id).itertuples()]
    return rec


def _step(e: Any, unmask: bool) -> dict[str, Any]:
    step: dict[str, Any] = {"position": int(e.position), "event_id": e.event_id,
                            "type": e.event_type, "at": e.occurred_at, "by": e.actor}
    for name in _STEP_FIELDS:
        value = getattr(e, name)
        if isinstance(value, str) and value:
            step[name] = mask_text(value, unmask) if name in ("reason", "text") else value
    if not pd.isna(e.amount_fen):
        step["amount"] = yuan_str(int(e.amount_fen))
    return step

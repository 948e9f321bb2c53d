"""Cases for people and machines: the list (state, finding, money) and one case's history.

Unless unmasked, each record is masked whole with ``engine.privacy``, the one
place for masking: the subject, the finding, and free text (a reason or note
may quote an ID number, a phone or an account).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from casework.status import case_events, fold, latest_facts
from casework.workflow import STATES
from engine.money import yuan_str
from engine.privacy import mask_record, sensitive_values
from projections.views import Views

_STEP_FIELDS = ("role", "reason", "assignee", "text", "payment_id", "recovery_event_id",
                "facts_digest", "finding_id")


def case_records(views: Views, states: list[str] | None = None, unmask: bool = False,
                 case_id: str | None = None) -> list[dict[str, Any]]:
    """Every case (or one) with its derived state and its finding's code, subject and money."""
    from findings.listing import as_records, current_findings

    findings = current_findings(views)
    frame = fold(case_events(views, case_id), latest_facts(findings))
    if states:
        frame = frame[frame["state"].isin(states)]
    # each finding's ids and names, masked wherever a case's free text quotes them
    known = {} if unmask else {r["finding_id"]: sensitive_values(r) for r in as_records(
        findings[findings.index.isin(frame["finding_id"])], unmask=True)}
    out = []
    for cid, r in frame.sort_values(["last_at"], ascending=False).iterrows():
        f = findings.loc[r["finding_id"]] if r["finding_id"] in findings.index else None
        subject = None if f is None else str(f["subject_id"])
        rec = {
            "case_id": cid, "finding_id": r["finding_id"], "state": r["state"],
            "state_zh": STATES.get(r["state"], ""), "outcome": _text(r["outcome"]),
            "facts_changed": bool(r["facts_changed"]),
            "code": None if f is None else f["code"],
            "severity": None if f is None else f["severity"],
            "subject_type": None if f is None else f["subject_type"], "subject_id": subject,
            "amount_at_risk": None if f is None else yuan_str(int(f["amount_at_risk_fen"])),
            "recovered": yuan_str(int(r["recovered_fen"])), "assignee": _text(r["assignee"]),
            "opened_by": _text(r["opened_by"]), "opened_at": _text(r["opened_at"]),
            "last_step": {"type": _text(r["last_type"]), "by": _text(r["last_by"]),
                          "at": _text(r["last_at"]), "why": _text(r["last_reason"])},
            "steps": int(r["steps"]),
        }
        out.append(rec if unmask else mask_record(rec, known.get(r["finding_id"])))
    return out


def _text(value: Any) -> Any:
    """A frame's missing value (NaN, None) as None: JSON has no NaN."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def case_detail(views: Views, case_id: str, unmask: bool = False) -> dict[str, Any] | None:
    """One case: its record, its finding's explanation and every step (who, when, why)."""
    records = case_records(views, unmask=True, case_id=case_id)
    if not records:
        return None
    from findings.listing import as_records, current_findings

    findings = current_findings(views)
    rec = records[0]
    known: dict[str, str] = {}
    if rec["finding_id"] in findings.index:
        f = as_records(findings.loc[[rec["finding_id"]]], unmask=True)[0]
        known = sensitive_values(f)  # the finding's ids and names, wherever a step quotes them
        rec["finding"] = {k: f[k] for k in ("title", "explanation_zh", "explanation_en",
                                            "payment_ids", "evidence", "detected_at")}
    rec["history"] = [_step(e) for e in case_events(views, case_id).itertuples()]
    return rec if unmask else mask_record(rec, known)


def _step(e: Any) -> dict[str, Any]:
    step: dict[str, Any] = {"position": int(e.position), "event_id": e.event_id,
                            "type": e.event_type, "at": e.occurred_at, "by": e.actor}
    for name in _STEP_FIELDS:
        value = getattr(e, name)
        if isinstance(value, str) and value:
            step[name] = value
    if not pd.isna(e.amount_fen):
        step["amount"] = yuan_str(int(e.amount_fen))
    if isinstance(e.attachments, str):
        step["attachments"] = json.loads(e.attachments)
    return step

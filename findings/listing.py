"""The current findings (latest facts per finding id) and their export formats.

The spec's findings format (events.md) is kept field for field; ``explanation``
holds the Chinese and English sentences, and ``explanation_zh`` /
``explanation_en`` hold each alone. ``guard`` marks the findings of a rule the
latest run that ran it doubted (it flagged too large a share of what it examined,
``findings.runs``): the sentence saying so, else None. Unless unmasked, every
record is masked whole (``engine.privacy.mask_record``): subject, id lists,
explanations and ``observed`` details, whatever a detector named them, so every
export format written from these records (table, JSON Lines, CSV, XLSX, alerts,
packs) is too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from engine.money import yuan_str
from engine.privacy import mask_record
from findings.runs import run_notes
from projections.views import Views

ID_LISTS = ("person_ids", "class_ids", "institution_ids", "claim_ids", "payment_ids")
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def current_findings(views: Views) -> pd.DataFrame:
    """One row per current finding id: its latest facts, when first raised, whether new,
    and the guard's sentence when its rule flagged too much (``guard``, else None).

    New means first raised by the latest detection run. A finding withdrawn after
    its latest raise (a later run no longer found it) is not current.
    """
    rows = views.rows("rm_findings")
    if rows.empty:
        return rows.assign(first_position=pd.Series(dtype="int64"), new=pd.Series(dtype=bool),
                           first_raised_at=pd.Series(dtype=str),
                           guard=pd.Series(dtype=object))
    rows = rows.sort_values(["position"])
    first = rows.groupby("finding_id").agg(first_position=("position", "min"),
                                           first_raised_at=("occurred_at", "min"))
    latest = rows.groupby("finding_id").last()
    latest = latest.join(first)
    withdrawn = views.rows("rm_findings_withdrawn", ["finding_id", "position"])
    if not withdrawn.empty:  # withdrawn after its latest raise: no longer current
        last_withdrawn = withdrawn.groupby("finding_id")["position"].max()
        gone = last_withdrawn.reindex(latest.index).fillna(-1) > latest["position"]
        latest = latest[~gone]
    runs = views.rows("rm_detection_runs", ["position"]).sort_values("position")
    previous = int(runs["position"].iloc[-2]) if len(runs) >= 2 else 0
    latest["new"] = latest["first_position"] > previous
    notes = run_notes(views)
    latest["guard"] = pd.Series([notes.guard_text(c) for c in latest["code"]],
                                index=latest.index, dtype=object)
    latest["severity_rank"] = latest["severity"].map(SEVERITY_ORDER).fillna(9)
    latest = latest.sort_values(["severity_rank", "amount_at_risk_fen", "code"],
                                ascending=[True, False, True])
    return latest.drop(columns=["severity_rank"])


def as_records(frame: pd.DataFrame, unmask: bool = False) -> list[dict[str, Any]]:
    """Findings in the spec's JSON form, each masked whole unless ``unmask``."""
    out = []
    for fid, r in frame.iterrows():
        rec: dict[str, Any] = {
            "finding_id": fid, "code": r["code"], "category": r["category"],
            "severity": r["severity"], "title": r["title"],
            "explanation": f"{r['explanation_zh']} / {r['explanation_en']}",
            "explanation_zh": r["explanation_zh"], "explanation_en": r["explanation_en"],
            "subject_type": r["subject_type"], "subject_id": r["subject_id"],
        }
        for key in ID_LISTS:
            rec[key] = json.loads(r[key]) if isinstance(r[key], str) else []
        rec["amount_at_risk"] = yuan_str(int(r["amount_at_risk_fen"]))
        rec["evidence"] = json.loads(r["evidence"]) if isinstance(r["evidence"], str) else []
        rec["detected_at"] = r["occurred_at"]
        rec["first_detected_at"] = r["first_raised_at"]
        rec["new"] = bool(r["new"])
        rec["rules_version"], rec["rules_digest"] = r["rules_version"], r["rules_digest"]
        rec["observed"] = json.loads(r["observed"]) if isinstance(r["observed"], str) else {}
        if "guard" in r:
            rec["guard"] = r["guard"] if isinstance(r["guard"], str) else None
        if "case_state" in r:
            rec["case_state"] = r["case_state"]
            rec["case_id"] = r["case_id"] if isinstance(r["case_id"], str) else None
        out.append(rec if unmask else mask_record(rec))
    return out


def write_findings(records: list[dict[str, Any]], fmt: str, out: str | Path | None) -> str | None:
    """Write findings as jsonl, csv or xlsx (to ``out``); return text for stdout otherwise."""
    if fmt == "jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        if out:
            Path(out).write_text(text, encoding="utf-8")
            return None
        return text
    flat = pd.DataFrame([{**r, **{k: ";".join(r[k]) for k in (*ID_LISTS, "evidence")},
                          "observed": json.dumps(r["observed"], ensure_ascii=False)}
                         for r in records])
    if fmt == "csv":
        if out:
            flat.to_csv(out, index=False, encoding="utf-8-sig")
            return None
        return flat.to_csv(index=False)
    if fmt == "xlsx":
        if not out:
            raise ValueError("--format xlsx needs --out FILE.xlsx")
        flat.to_excel(out, index=False, sheet_name="findings")
        return None
    raise ValueError(f"unknown format {fmt!r}: table, jsonl, csv or xlsx")

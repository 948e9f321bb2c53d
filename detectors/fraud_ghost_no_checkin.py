"""FRAUD_GHOST_NO_CHECKIN: subsidy claimed for a trainee never checked in to the class (虚报学员).

A claim item for a class whose trainee has not a single check-in ("in"
attendance record) in that class: no record, no subsidy (不录不补). Only
*zero* fires here; a trainee who came on some days but too few is
INEFF_LOW_ATTENDANCE's case. The whole claimed amount for that trainee and
class is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import class_positions, yuan
from detectors.constraints import Severity

CODE = "FRAUD_GHOST_NO_CHECKIN"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"



def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person named in a claim for a class."""
    claims = frames.claims
    items = frames.claim_items
    items = items[items["claim_id"].isin(claims.index[claims["class_id"].notna()])]
    return [Examined.of("person", items["person_id"], "trainees claimed for",
                        "被申领补贴的学员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    claims = frames.claims
    with_class = claims.loc[claims["class_id"].notna(), ["class_id", "claimant_type",
                                                         "claimant_id"]]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "days", "position"]]
    items = items.merge(with_class, left_on="claim_id", right_index=True)
    if items.empty:
        return []
    # Days checked in per class × person on the roster (from "in" records).
    att = frames.trainee_attendance[["class_id", "person_id", "attended_days"]]
    items = items.merge(att.drop_duplicates(["class_id", "person_id"]),
                        on=["class_id", "person_id"], how="left")
    # Claimed people missing from the roster: look their check-ins up directly.
    off_roster = items["attended_days"].isna()
    if off_roster.any():
        wanted = items.loc[off_roster, ["class_id", "person_id"]].drop_duplicates()
        c = frames.checkins
        c = c.loc[c["class_id"].isin(wanted["class_id"].unique()),
                  ["class_id", "person_id", "direction", "date"]]
        c = c[c["direction"] == "in"].drop_duplicates(["class_id", "person_id", "date"])
        n = c.groupby(["class_id", "person_id"]).size().rename("n_off")
        items = items.join(n, on=["class_id", "person_id"])
        items["attended_days"] = items["attended_days"].fillna(items["n_off"]).fillna(0)
        items["on_roster"] = ~off_roster
    else:
        items["on_roster"] = True
    ghosts = items[items["attended_days"] == 0]
    if ghosts.empty:
        return []

    classes = frames.classes
    known = classes.reindex(ghosts["class_id"].unique())
    planned_of = known["planned_days"].to_dict() if "planned_days" in known else {}
    institution_of = known["institution_id"].to_dict() if "institution_id" in known else {}
    # plain rows grouped in Python: a pandas group per ghost costs more than the rest together
    groups: dict[tuple[str, str], list[Any]] = {}
    cols = ["class_id", "person_id", "amount_fen", "days", "claim_id", "claimant_type",
            "claimant_id", "on_roster", "position"]
    for r in ghosts[cols].itertuples(index=False):
        groups.setdefault((r.class_id, r.person_id), []).append(r)
    out = []
    for (cid, pid), g in sorted(groups.items()):
        claimed = sum(int(r.amount_fen) for r in g if r.amount_fen is not pd.NA
                      and r.amount_fen == r.amount_fen)
        claimed_days = int(sum(_number(r.days) for r in g))
        planned = planned_of.get(cid, 0)
        planned = int(planned) if planned == planned and planned is not None else 0
        institution = institution_of.get(cid)
        institutions = {institution} if isinstance(institution, str) else set()
        institutions |= {r.claimant_id for r in g if r.claimant_type == "institution"}
        claim_ids = sorted({r.claim_id for r in g})
        on_roster = all(bool(r.on_roster) for r in g)
        positions = [r.position for r in g]
        roster_zh = "" if on_roster else "（且不在该班花名册上）"
        roster_en = "" if on_roster else " (and is not on the class roster)"
        days_zh = f"，申报 {claimed_days} 天" if claimed_days else ""
        days_en = f" for {claimed_days} day(s)" if claimed_days else ""
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Subsidy claimed for a trainee who never checked in",
            zh=(f"班级 {cid} 学员签到 0/{planned or '?'} 天{roster_zh}，仍申领补贴 "
                f"{yuan(claimed)} 元{days_zh}（申请 {'、'.join(claim_ids)}）"),
            en=(f"trainee checked in on 0 of {planned or '?'} days in class {cid}{roster_en}, yet "
                f"{yuan(claimed)} yuan was claimed{days_en} (claim {', '.join(claim_ids)})"),
            subject_type="person", subject_id=pid, amount_at_risk_fen=claimed,
            person_ids=[pid], class_ids=[cid], institution_ids=institutions,
            claim_ids=claim_ids,
            evidence=[*positions, *class_positions(classes, [cid])],
            observed={"checked_in_days": 0, "planned_days": planned,
                      "claimed_days": claimed_days, "claimed_fen": claimed,
                      "on_roster": on_roster},
        ))
    return out


def _number(value: Any) -> float:
    """A claimed day count as a number (missing or unreadable counts as none)."""
    n = pd.to_numeric(value, errors="coerce")
    return 0.0 if n is None or n != n or n is pd.NA else float(n)

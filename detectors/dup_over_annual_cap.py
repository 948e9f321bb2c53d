"""DUP_OVER_ANNUAL_CAP: more training subsidies for one person in one year than the cap.

National rule (国办发〔2019〕24号): a person may receive at most ``max_trainings_per_year``
(policy, 3) training subsidies a year. A subsidy is one distinct class the person was
claimed for in a training claim paid net of recoveries, whatever its review decided (a
claim without a class counts as one subsidy of its own); one approved and never paid
is no subsidy. The year is the year the class ended, or the claim's year
when the class is unknown. Subsidies are ranked by the class end (then the first claim);
those beyond the cap are at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors._subsidies import ids_by, paid_training_items
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity, Whole

CODE = "DUP_OVER_ANNUAL_CAP"
CATEGORY = "duplicate_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    max_trainings_per_year: Whole = 3


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person subsidised for a training."""
    return [Examined.of("person", paid_training_items(frames)["person_id"],
                        "subsidised trainees", "获培训补贴人员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    items = paid_training_items(frames)
    if items.empty:
        return []
    items = items.copy()
    items["key"] = items["class_id"].fillna("claim:" + items["claim_id"].astype(str))
    items["when"] = items["end_date"].fillna(items["claimed_on"])
    end_year = items["end_date"].str.slice(0, 4)
    items["year"] = end_year.fillna(items["claim_year"].astype(str)).astype("int64")
    items = items.sort_values(["when", "position"], kind="stable")  # "first" = earliest
    per = items.groupby(["person_id", "year", "key"], as_index=False, sort=False).agg(
        amount_fen=("amount_fen", "sum"), when=("when", "first"),
        first_claim=("position", "min"), class_id=("class_id", "first"),
        institution_id=("institution_id", "first"), class_position=("class_position", "first"))
    n = per.groupby(["person_id", "year"], sort=False)["key"].transform("size")
    over = per[n > p.max_trainings_per_year]
    if over.empty:
        return []
    over = over.sort_values(["person_id", "year", "when", "first_claim", "key"], kind="stable")
    over = over.assign(rank=over.groupby(["person_id", "year"], sort=False).cumcount())
    sub = items[items["person_id"].isin(over["person_id"].unique())]
    claim_ids = ids_by(sub, ["person_id", "year", "key"], "claim_id")
    claim_pos = ids_by(sub, ["person_id", "year", "key"], "position")
    cap = p.max_trainings_per_year
    out = []
    for (person, year), g in over.groupby(["person_id", "year"], sort=True):
        beyond = g[g["rank"] >= cap]
        at_risk = int(beyond["amount_fen"].sum())
        keys = [(person, year, k) for k in g["key"]]
        claims = sorted({c for k in keys for c in claim_ids.get(k, [])})
        evidence = [*g["class_position"].dropna().tolist(),
                    *(x for k in keys for x in claim_pos.get(k, []))]
        shown = "、".join(g["key"].tolist())
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="More training subsidies in one year than the annual cap",
            zh=(f"{year} 年同一人员获培训补贴 {len(g)} 次（{shown}），超过每年 {cap} 次上限；"
                f"超出的 {len(beyond)} 次补贴 {yuan(at_risk)} 元"),
            en=(f"{len(g)} training subsidies in {year} ({', '.join(g['key'])}), above the "
                f"cap of {cap} a year; the {len(beyond)} beyond the cap total "
                f"{yuan(at_risk)} yuan"),
            subject_type="person", subject_id=person, amount_at_risk_fen=at_risk,
            person_ids=[person], class_ids=g["class_id"].dropna().tolist(),
            institution_ids=g["institution_id"].dropna().tolist(), claim_ids=claims,
            evidence=evidence,
            observed={"year": int(year), "subsidies": len(g), "cap": cap,
                      "beyond_cap": beyond["key"].tolist(), "beyond_cap_fen": at_risk},
        ))
    return out

"""DUP_SAME_OCCUPATION_LEVEL: one person subsidised twice for the same occupation and level.

National rule (国办发〔2019〕24号): never subsidise the same person twice for the same
occupation and level (同一职业同一等级不得重复享受补贴), whatever the class,
institution or county. A person counts as subsidised for a class when a training claim
naming that class has an item for them and money was paid for it net of recoveries,
whatever the review decided (a claim rejected and paid anyway was paid; one approved
and never paid subsidised nobody). Two or more distinct
classes with the same occupation and level fire; the first class (by start date) is the
legitimate one and the later subsidies are at risk. Progression to a higher level, and
a class the person left without being claimed for, are not duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors._subsidies import ids_by, paid_training_items
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity, Whole

CODE = "DUP_SAME_OCCUPATION_LEVEL"
CATEGORY = "duplicate_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_classes: Whole = 2


def _subsidised(frames: Frames) -> pd.DataFrame:
    """Paid training items whose class has an occupation and a level."""
    items = paid_training_items(frames)
    return items[items["occupation"].notna() & items["level"].notna()]


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person subsidised for a training of known occupation and level."""
    return [Examined.of("person", _subsidised(frames)["person_id"], "subsidised trainees",
                        "获培训补贴人员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    items = _subsidised(frames)
    if items.empty:
        return []
    per = items.groupby(["person_id", "class_id"], as_index=False, sort=False).agg(
        amount_fen=("amount_fen", "sum"), occupation=("occupation", "first"),
        level=("level", "first"), start_date=("start_date", "first"),
        end_date=("end_date", "first"), institution_id=("institution_id", "first"),
        county=("county", "first"), class_position=("class_position", "first"),
        first_claim=("position", "min"))
    group = ["person_id", "occupation", "level"]
    n = per.groupby(group, sort=False)["class_id"].transform("size")
    dup = per[n >= p.min_classes]
    if dup.empty:
        return []
    dup = dup.sort_values([*group, "start_date", "end_date", "first_claim", "class_id"],
                          kind="stable")
    sub = items[items["person_id"].isin(dup["person_id"].unique())]
    claim_ids = ids_by(sub, ["person_id", "class_id"], "claim_id")
    claim_pos = ids_by(sub, ["person_id", "class_id"], "position")
    roster = frames.roster
    roster = roster[roster["person_id"].isin(dup["person_id"].unique())]
    enrol_pos = ids_by(roster, ["person_id", "class_id"], "enrol_position")
    out = []
    for (person, occupation, level), g in dup.groupby(group, sort=True):
        first, later = g.iloc[0], g.iloc[1:]
        at_risk = int(later["amount_fen"].sum())
        classes = g["class_id"].tolist()
        keys = [(person, c) for c in classes]
        claims = sorted({c for k in keys for c in claim_ids.get(k, [])})
        evidence = [*g["class_position"].tolist(),
                    *(x for k in keys for x in claim_pos.get(k, []) + enrol_pos.get(k, []))]
        lvl = int(level)
        listed = "、".join(f"{r.class_id}（{r.institution_id}，{r.start_date}）"
                          for r in g.itertuples())
        listed_en = ", ".join(f"{r.class_id} ({r.institution_id}, {r.start_date})"
                              for r in g.itertuples())
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Same occupation and level subsidised more than once",
            zh=(f"同一人员就同一职业 {occupation} {lvl} 级获培训补贴 {len(g)} 次：{listed}；"
                f"首次之后的补贴 {yuan(at_risk)} 元属重复培训"),
            en=(f"subsidised {len(g)} times for occupation {occupation} level {lvl}: "
                f"{listed_en}; the later {len(later)} "
                f"{'subsidy duplicates' if len(later) == 1 else 'subsidies duplicate'} the "
                f"first ({yuan(at_risk)} yuan)"),
            subject_type="person", subject_id=person, amount_at_risk_fen=at_risk,
            person_ids=[person], class_ids=classes,
            institution_ids=g["institution_id"].dropna().tolist(), claim_ids=claims,
            evidence=evidence,
            observed={"occupation": occupation, "level": lvl, "classes": len(g),
                      "first_class": first["class_id"],
                      "later_classes": later["class_id"].tolist(),
                      "counties": sorted(set(g["county"].dropna())),
                      "later_amount_fen": at_risk},
        ))
    return out

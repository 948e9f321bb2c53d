"""INEFF_INELIGIBLE_AGE: a subsidised trainee outside working age at the class start.

Subsidised training is for people of working age, ``min_working_age`` to
``max_working_age`` (policy, 16 to 60) at enrolment: retirees and children claimed as
trainees are the national audit's "fake trainees". Age is whole years at the class
start (the claim date when the class is unknown), from the registered birth date, or
the ID number's birth date when none was registered. 60 years and some months is still
60: eligible. One finding per person and class; the claimed subsidy is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

from detectors._subsidies import age_on, id_birth, ids_by, training_items
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity, Whole

CODE = "INEFF_INELIGIBLE_AGE"
CATEGORY = "ineffective_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_working_age: Whole = 16
    max_working_age: Whole = 60


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every trainee of a training claim that was not rejected."""
    return [Examined.of("person", training_items(frames)["person_id"], "trainees claimed for",
                        "被申领培训补贴的学员", ("min_working_age", "max_working_age"))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    items = training_items(frames)
    if items.empty:
        return []
    items = items.copy()
    items["key"] = items["class_id"].fillna("claim:" + items["claim_id"].astype(str))
    per = items.groupby(["person_id", "key"], as_index=False, sort=False).agg(
        amount_fen=("amount_fen", "sum"), class_id=("class_id", "first"),
        start_date=("start_date", "first"), claimed_on=("claimed_on", "first"),
        institution_id=("institution_id", "first"), class_position=("class_position", "first"))
    persons = frames.persons
    born = per["person_id"].map(persons["birth_date"]) if not persons.empty else None
    from_id = id_birth(per["person_id"])
    per["birth"] = from_id if born is None else born.fillna(from_id)
    per["source"] = "id_number" if born is None else born.isna().map(
        {True: "id_number", False: "registration"})
    per["on"] = per["start_date"].fillna(per["claimed_on"])
    per["age"] = age_on(per["birth"], per["on"])
    bad = per[per["age"].notna()
              & ((per["age"] < p.min_working_age) | (per["age"] > p.max_working_age))]
    if bad.empty:
        return []
    sub = items[items["person_id"].isin(bad["person_id"].unique())]
    claim_ids = ids_by(sub, ["person_id", "key"], "claim_id")
    claim_pos = ids_by(sub, ["person_id", "key"], "position")
    out = []
    for r in bad.sort_values(["person_id", "key"]).itertuples():
        age = int(r.age)
        side_zh = "未满" if age < p.min_working_age else "超过"
        side_en = "under" if age < p.min_working_age else "over"
        limit = p.min_working_age if age < p.min_working_age else p.max_working_age
        reg = [persons.at[r.person_id, "position"]] if r.person_id in persons.index else []
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Subsidised trainee outside working age",
            zh=(f"学员 {r.on} 开班时 {age} 岁（生于 {r.birth}），{side_zh}劳动年龄 "
                f"{p.min_working_age}–{p.max_working_age} 岁，仍申领培训补贴 "
                f"{yuan(r.amount_fen)} 元"),
            en=(f"trainee aged {age} (born {r.birth}) when the class started on {r.on}, "
                f"{side_en} the working age {p.min_working_age}-{p.max_working_age} "
                f"(limit {limit}), yet {yuan(r.amount_fen)} yuan was claimed"),
            subject_type="person", subject_id=r.person_id, amount_at_risk_fen=int(r.amount_fen),
            person_ids=[r.person_id], class_ids=[r.class_id] if isinstance(r.class_id, str)
            else [], institution_ids=[r.institution_id] if isinstance(r.institution_id, str)
            else [], claim_ids=claim_ids.get((r.person_id, r.key), []),
            evidence=[*reg, r.class_position, *claim_pos.get((r.person_id, r.key), [])],
            observed={"age": age, "birth_date": r.birth, "birth_source": r.source,
                      "reference_date": r.on, "min_working_age": p.min_working_age,
                      "max_working_age": p.max_working_age},
        ))
    return out

"""FRAUD_GHOST_DECEASED: a dead person enrolled, checked in or claimed for (冒用死亡人员身份).

A person with a recorded date of death who, after that date, is in a class that
starts after it, is enrolled, checks in, or is named in a claim for something
that happened after it (a class starting after the death; for a claim without a
class, a claim filed after the death unless its certificate was issued before).
A trainee who attended, then died, and whose claim was filed later is the
legitimate look-alike: the class started and every check-in happened in life.
The claim items for the affected classes (and the classless claims) are at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors._subsidies import people_in_training
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity
from engine.privacy import mask_person_id

CODE = "FRAUD_GHOST_DECEASED"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "critical"


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person enrolled, checked in or claimed for."""
    return [Examined.of("person", people_in_training(frames), "enrolled or claimed-for persons",
                        "报名、签到或被申领补贴的人员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    persons = frames.persons
    dod = persons["date_of_death"].dropna().astype(str).str.slice(0, 10)
    if dod.empty:
        return []
    classes = frames.classes

    # Enrolments: in a class that starts after the death, or enrolled after it.
    r = frames.roster
    r = r.loc[r["person_id"].isin(dod.index), ["class_id", "person_id", "enrol_position",
                                                "enrolled_at"]].copy()
    r["dod"] = r["person_id"].map(dod).astype("string")
    r["start_date"] = r["class_id"].map(classes["start_date"]).astype("string")
    r["enrol_date"] = r["enrolled_at"].str.slice(0, 10)
    r["started_after"] = (r["start_date"] > r["dod"]).fillna(False).astype(bool)
    r["enrolled_after"] = (r["enrol_date"] > r["dod"]).fillna(False).astype(bool)
    r = r[r["started_after"] | r["enrolled_after"]]

    # Check-ins dated after the death.
    c = frames.checkins
    c = c.loc[c["person_id"].isin(dod.index), ["class_id", "person_id", "date", "position"]]
    c = c[c["date"] > c["person_id"].map(dod)]

    # Claim items: for a class starting after the death, or (no class) filed after it.
    it = frames.claim_items
    it = it.loc[it["person_id"].isin(dod.index),
                ["claim_id", "person_id", "amount_fen", "position", "occurred_at",
                 "certificate_id"]].copy()
    claims = frames.claims
    it = it.join(claims[["class_id", "claimant_type", "claimant_id"]], on="claim_id")
    it["dod"] = it["person_id"].map(dod).astype("string")
    it["start_date"] = it["class_id"].map(classes["start_date"]).astype("string")
    certs = frames.certificates
    issued = (certs.sort_values("position").drop_duplicates("certificate_id")
              .set_index("certificate_id")["occurred_at"].str.slice(0, 10))
    it["cert_date"] = it["certificate_id"].map(issued).astype("string")
    claimed_after = it["occurred_at"].str.slice(0, 10) > it["dod"]
    no_class = it["class_id"].isna()
    earned_in_life = (it["cert_date"] <= it["dod"]).fillna(False).astype(bool)
    it["classless_after"] = no_class & claimed_after.fillna(False).astype(bool) & ~earned_in_life
    it["class_after"] = (it["start_date"] > it["dod"]).fillna(False).astype(bool)

    flagged_classes = (set(zip(r["person_id"], r["class_id"], strict=True))
                       | set(zip(c["person_id"], c["class_id"], strict=True))
                       | set(zip(it.loc[it["class_after"], "person_id"],
                                 it.loc[it["class_after"], "class_id"], strict=True)))
    pair_flag = pd.Series([(a, b) in flagged_classes for a, b in
                           zip(it["person_id"], it["class_id"], strict=True)],
                          index=it.index, dtype=bool)
    it = it[pair_flag | it["classless_after"]]

    people = sorted({pid for pid, _ in flagged_classes} | set(it["person_id"]))
    if not people:
        return []
    class_inst = classes["institution_id"]
    class_pos = classes.get("position", pd.Series(dtype="int64"))
    r_by = dict(tuple(r.groupby("person_id")))
    c_by = dict(tuple(c.groupby("person_id")))
    it_by = dict(tuple(it.groupby("person_id")))
    out = []
    for pid in people:
        died = dod[pid]
        pr = r_by.get(pid, r.iloc[:0])
        pc = c_by.get(pid, c.iloc[:0])
        pi = it_by.get(pid, it.iloc[:0])
        class_ids = sorted({cl for q, cl in flagged_classes if q == pid})
        started_after = sorted(set(pr.loc[pr["started_after"], "class_id"])
                               | set(pi.loc[pi["class_after"], "class_id"].dropna()))
        enrolled_after = int(pr["enrolled_after"].sum())
        checkins_after = int(pc["date"].nunique())
        last_checkin = str(pc["date"].max()) if checkins_after else None
        claimed = int(pi["amount_fen"].fillna(0).sum())
        claim_ids = sorted(set(pi["claim_id"]))
        institutions = {class_inst[x] for x in class_ids if x in class_inst.index}
        institutions |= set(pi.loc[pi["claimant_type"] == "institution", "claimant_id"].dropna())
        parts_zh, parts_en = [], []
        if started_after:
            parts_zh.append(f"{len(started_after)} 个班在其死亡后开班")
            parts_en.append(f"{len(started_after)} class(es) starting after the death")
        if enrolled_after:
            parts_zh.append(f"死亡后报名 {enrolled_after} 次")
            parts_en.append(f"{enrolled_after} enrolment(s) after the death")
        if checkins_after:
            parts_zh.append(f"死亡后有 {checkins_after} 天考勤记录（最晚 {last_checkin}）")
            parts_en.append(f"attendance recorded on {checkins_after} day(s) after the death "
                            f"(last {last_checkin})")
        if pi["classless_after"].any():
            n = int(pi["classless_after"].sum())
            parts_zh.append(f"死亡后申领无班级补贴 {n} 项")
            parts_en.append(f"{n} claim item(s) without a class filed after the death")
        shown = mask_person_id(pid)
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Deceased person enrolled, checked in or claimed for",
            zh=(f"学员 {shown} 已于 {died} 死亡，其后仍有：{'；'.join(parts_zh)}；"
                f"涉及申领补贴 {yuan(claimed)} 元"),
            en=(f"trainee {shown} died on {died}, yet afterwards: {'; '.join(parts_en)}; "
                f"{yuan(claimed)} yuan claimed for it"),
            subject_type="person", subject_id=pid, amount_at_risk_fen=claimed,
            person_ids=[pid], class_ids=class_ids + sorted(set(pi["class_id"].dropna())),
            institution_ids=institutions, claim_ids=claim_ids,
            evidence=[persons.at[pid, "position"], *pr["enrol_position"], *pc["position"],
                      *pi["position"], *(class_pos[x] for x in class_ids if x in class_pos.index)],
            observed={"date_of_death": died, "classes_started_after_death": started_after,
                      "enrolments_after_death": enrolled_after,
                      "attendance_days_after_death": checkins_after, "last_checkin": last_checkin,
                      "claimed_fen": claimed},
        ))
    return out

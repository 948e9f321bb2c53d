"""Questions an investigator asks every day, one call each.

* a person's trainings, outcomes and the subsidies paid for them;
* an institution's classes, pass and employment rates and the money it received.

Outcome rates follow each trainee of the institution's classes: passed means
an assessment in the class's occupation taken after the class started;
employed means an employment verified starting after the class ended.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from engine.money import yuan_str
from engine.privacy import mask_record
from projections.views import Views


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [dict(r) for r in clean.to_dict(orient="records")]


def trainee_outcomes(views: Views) -> pd.DataFrame:
    """Per class × trainee (not withdrawn): passed the class's occupation, employed after."""
    cls = views.classes[["institution_id", "occupation", "level", "mode", "start_date",
                         "end_date"]]
    r = views.roster[~views.roster["withdrawn"]][["class_id", "person_id"]].join(
        cls, on="class_id")
    a = views.assessments[["person_id", "occupation", "passed", "occurred_at", "score"]]
    a = a.assign(taken_on=a["occurred_at"].str.slice(0, 10))
    m = r.merge(a, on=["person_id", "occupation"], how="left")
    m = m[m["taken_on"].isna() | (m["taken_on"] >= m["start_date"])]
    passed = m.groupby(["class_id", "person_id"])["passed"].max()
    assessed = m.dropna(subset=["taken_on"]).groupby(["class_id", "person_id"]).size()
    e = views.employment[["person_id", "start_date"]].rename(columns={"start_date": "job_start"})
    j = r.merge(e, on="person_id", how="left")
    j = j[j["job_start"].notna() & (j["job_start"] >= j["end_date"])]
    employed = j.groupby(["class_id", "person_id"]).size()
    out = r.set_index(["class_id", "person_id"])
    out["assessed"] = assessed.reindex(out.index).fillna(0).astype("int64") > 0
    out["passed"] = passed.reindex(out.index).fillna(False).astype(bool)
    out["employed"] = employed.reindex(out.index).fillna(0).astype("int64") > 0
    return out.reset_index()


def person_report(views: Views, person_id: str, unmask: bool = False) -> dict[str, Any]:
    """A person's record, trainings, outcomes and subsidies.

    Unless ``unmask``, masked whole: the ID number wherever it recurs (a claim
    the person made names them as claimant), the name, any phone or account.
    """
    persons = views.persons
    profile: dict[str, Any] = {"person_id": person_id, "known": person_id in persons.index}
    if profile["known"]:
        p = persons.loc[person_id]
        profile.update({k: (None if pd.isna(p[k]) else p[k]) for k in (
            "name", "gender", "birth_date", "county", "hukou", "category", "date_of_death",
            "id_valid", "id_problem", "age")})
        profile["age"] = None if profile["age"] is None else int(profile["age"])
        profile["id_valid"] = bool(profile["id_valid"])
    att = views.trainee_attendance
    mine = att[att["person_id"] == person_id].join(
        views.classes[["institution_id", "occupation", "level", "mode", "start_date",
                       "end_date"]], on="class_id", suffixes=("", "_c"))
    trainings = [{
        "class_id": r.class_id, "institution_id": r.institution_id, "occupation": r.occupation,
        "level": int(r.level), "mode": r.mode, "start_date": r.start_date,
        "end_date": r.end_date, "withdrawn": bool(r.withdrawn),
        "attended_days": int(r.attended_days), "planned_days": int(r.planned_days),
        "attended_hours": float(r.attended_hours), "planned_hours": float(r.planned_hours),
    } for r in mine.itertuples()]
    items = views.claim_items
    items = items[items["person_id"] == person_id].join(
        views.claims[["kind", "claimant_id", "class_id", "decision"]], on="claim_id")
    subsidies = [{"claim_id": r.claim_id, "kind": r.kind, "claimant_id": r.claimant_id,
                  "class_id": r.class_id, "amount": yuan_str(r.amount_fen),
                  "days": None if pd.isna(r.days) else int(r.days),
                  "decision": None if pd.isna(r.decision) else r.decision}
                 for r in items.itertuples()]
    upgrade = views.skill_upgrade_payments
    upgrade = upgrade[upgrade["person_id"] == person_id]
    a = views.assessments
    c = views.certificates
    e = views.employment
    report = {
        "person": profile,
        "trainings": trainings,
        "subsidies": subsidies,
        "subsidy_total": yuan_str(int(items["amount_fen"].sum())),
        "skill_upgrade_subsidies": [{"certificate_id": r.certificate_id,
                                     "amount": yuan_str(r.amount_fen)}
                                    for r in upgrade.itertuples()],
        "assessments": _records(a[a["person_id"] == person_id][
            ["assessment_id", "agency_id", "occupation", "level", "score", "passed",
             "occurred_at"]]),
        "certificates": _records(c[c["person_id"] == person_id][
            ["certificate_id", "agency_id", "occupation", "level", "occurred_at"]]),
        "employment": [{"employer_id": r.employer_id, "start_date": r.start_date,
                        "monthly_income": yuan_str(r.monthly_income_fen),
                        "social_insurance": bool(r.social_insurance)}
                       for r in e[e["person_id"] == person_id].itertuples()],
    }
    return report if unmask else mask_record(report)


def institution_report(views: Views, institution_id: str) -> dict[str, Any]:
    """An institution's profile, classes, pass and employment rates and money received."""
    inst = views.institutions
    profile: dict[str, Any] = {"institution_id": institution_id,
                               "known": institution_id in inst.index}
    if profile["known"]:
        row = inst.loc[institution_id]
        profile.update({k: (None if pd.isna(row[k]) else row[k]) for k in (
            "name", "credit_code", "kind", "county", "venue_capacity", "licensed_occupations")})
        if profile["venue_capacity"] is not None:
            profile["venue_capacity"] = int(profile["venue_capacity"])
    classes = views.classes
    mine = classes[classes["institution_id"] == institution_id]
    outcomes = trainee_outcomes(views)
    outcomes = outcomes[outcomes["institution_id"] == institution_id]
    assessed = outcomes[outcomes["assessed"]]
    claims = views.claims
    claims = claims[(claims["claimant_type"] == "institution")
                    & (claims["claimant_id"] == institution_id)]
    return {
        "institution": profile,
        "classes": len(mine),
        "trainees": len(outcomes),
        "pass_rate": round(float(assessed["passed"].mean()), 4) if len(assessed) else None,
        "employment_rate": round(float(outcomes["employed"].mean()), 4) if len(outcomes) else None,
        "claimed": yuan_str(int(claims["amount_fen"].sum())),
        "approved": yuan_str(int(claims["approved_fen"].fillna(0).sum())),
        "received": yuan_str(int(claims["paid_fen"].sum() - claims["recovered_fen"].sum())),
        "class_list": [{
            "class_id": r.Index, "occupation": r.occupation, "level": int(r.level),
            "mode": r._asdict()["mode"], "start_date": r.start_date, "end_date": r.end_date,
            "enrolled": int(r.enrolled), "active": int(r.active),
            "planned_hours": float(r.planned_hours),
            "delivered_hours": None if pd.isna(r.delivered_hours) else float(r.delivered_hours),
        } for r in mine.itertuples()],
    }

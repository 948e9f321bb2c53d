"""What a rating reads, gathered from the views as of one point (the shell around ``model``).

Every frame here is filtered by the views' as-of bound, so the same position
gives the same facts: that is what makes a past rating reproducible. Case
states come from ``casework`` when it is installed; without it (or for a
finding with no case) a finding counts as open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from findings.listing import current_findings
from projections.queries import trainee_outcomes
from projections.views import Views


@dataclass(frozen=True)
class CreditFacts:
    """The inputs of the credit model, as plain frames."""

    subjects: pd.DataFrame  # subject_type, subject_id, name, credit_code
    findings: pd.DataFrame  # finding_id, code, severity, state, subject_type, subject_id,
    #                         institution_ids, class_ids (lists), first_position, first_day
    outcomes: pd.DataFrame  # institution_id, trainees, assessed, passed, employed
    spot_checks: pd.DataFrame  # institution_id, class_id, date, observed, recorded
    complaints: pd.DataFrame  # complaint_id, subject_type, subject_id (institution | agency)
    repairs: pd.DataFrame  # event_id, subject_type, subject_id, position, to_grade
    position: int  # the last log position these facts include


def case_states(views: Views) -> dict[str, str]:
    """finding_id -> case state, from ``casework.status``; {} while no finding has a case.

    A dismissal that still stands counts as ``dismissed`` even once the case is closed.
    """
    from casework.status import case_states as states_of

    frame = states_of(views)
    if frame is None or frame.empty or "state" not in frame.columns:
        return {}
    state = frame["state"].astype(str)
    if "dismissed" in frame.columns:
        state = state.where(~frame["dismissed"].fillna(False).astype(bool), "dismissed")
    return {str(k): str(v) for k, v in state.items()}


def _subjects(views: Views) -> pd.DataFrame:
    inst = views.institutions
    ag = views.agencies
    rows = [("institution", i, r.get("name"), r.get("credit_code")) for i, r in inst.iterrows()]
    rows += [("agency", a, r.get("name"), None) for a, r in ag.iterrows()]
    return pd.DataFrame(rows, columns=["subject_type", "subject_id", "name", "credit_code"])


def _findings(views: Views) -> pd.DataFrame:
    cols = ["finding_id", "code", "severity", "state", "subject_type", "subject_id",
            "institution_ids", "class_ids", "first_position", "first_day"]
    f = current_findings(views)
    if f.empty:
        return pd.DataFrame(columns=cols)
    states = case_states(views)
    out = pd.DataFrame({
        "finding_id": f.index.astype(str),
        "code": f["code"].to_numpy(),
        "severity": f["severity"].to_numpy(),
        "subject_type": f["subject_type"].to_numpy(),
        "subject_id": f["subject_id"].to_numpy(),
        "institution_ids": [json.loads(x) if isinstance(x, str) else []
                            for x in f["institution_ids"]],
        "class_ids": [json.loads(x) if isinstance(x, str) else [] for x in f["class_ids"]],
        "first_position": f["first_position"].astype("int64").to_numpy(),
        "first_day": f["first_raised_at"].str.slice(0, 10).to_numpy(),
    })
    out["state"] = [states.get(f, "open") for f in out["finding_id"]]
    return out[cols].sort_values("finding_id").reset_index(drop=True)


def _outcomes(views: Views) -> pd.DataFrame:
    t = trainee_outcomes(views)
    if t.empty:
        return pd.DataFrame(columns=["institution_id", "trainees", "assessed", "passed",
                                     "employed"])
    t = t.assign(passed_assessed=t["passed"] & t["assessed"])
    g = t.groupby("institution_id").agg(trainees=("person_id", "size"),
                                        assessed=("assessed", "sum"),
                                        passed=("passed_assessed", "sum"),
                                        employed=("employed", "sum"))
    return g.astype("int64").reset_index()


def _spot_checks(views: Views) -> pd.DataFrame:
    cols = ["institution_id", "class_id", "date", "observed", "recorded"]
    s = views.spot_checks
    s = s[s["class_id"].notna() & s["headcount_observed"].notna()]
    if s.empty:
        return pd.DataFrame(columns=cols)
    c = views.checkins
    c = c[(c["direction"] == "in") & c["class_id"].isin(s["class_id"].unique())]
    recorded = c.drop_duplicates(["class_id", "date", "person_id"]).groupby(
        ["class_id", "date"]).size().rename("recorded")
    s = s.join(recorded, on=["class_id", "date"]).join(views.classes["institution_id"],
                                                       on="class_id")
    s["recorded"] = s["recorded"].fillna(0).astype("int64")
    s = s.rename(columns={"headcount_observed": "observed"})
    s["observed"] = s["observed"].astype("int64")
    return s[cols].sort_values(["institution_id", "class_id", "date"]).reset_index(drop=True)


def _complaints(views: Views) -> pd.DataFrame:
    """Complaints about an institution, an agency, or a class (counted to its institution)."""
    c = views.complaints[["complaint_id", "subject_type", "subject_id"]].copy()
    owner = views.classes["institution_id"]
    on_class = c["subject_type"] == "class"
    c.loc[on_class, "subject_id"] = c.loc[on_class, "subject_id"].map(owner)
    c.loc[on_class, "subject_type"] = "institution"
    c = c[c["subject_type"].isin(["institution", "agency"]) & c["subject_id"].notna()]
    return c.drop_duplicates("complaint_id").sort_values("complaint_id").reset_index(drop=True)


def _repairs(views: Views) -> pd.DataFrame:
    return views.rows("rm_credit_repairs", ["event_id", "subject_type", "subject_id",
                                            "position", "occurred_at", "to_grade"])


def gather(views: Views, position: int) -> CreditFacts:
    """The credit model's inputs from ``views`` (whose as-of bound is ``position``)."""
    return CreditFacts(_subjects(views), _findings(views), _outcomes(views),
                       _spot_checks(views), _complaints(views), _repairs(views), position)

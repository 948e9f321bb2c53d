"""INEFF_PEER_OUTCOMES: an institution's pass and job rates far below its peers' (无效培训).

For each institution × occupation, its trainees (class × person on the roster,
not withdrawn) are followed up:

* **passed**: an assessment in the class's occupation, passed, taken on or
  after the class's start date and within ``outcome_window_days`` of its end;
* **employed**: an ``EmploymentVerified`` whose job starts after the class's
  end date and within ``outcome_window_days`` of it.

A trainee counts only once the outcomes could be known: their class ended at
least ``min_days_after_end`` days before the latest assessment or employment
record in the data (a class that ended last week has no jobs yet).

Peers are the other institutions' trainees of the same occupation. Because a
training mode changes what "employed after training" means (enterprise
employees and apprentices already have a job; order classes are hired by
their employer), the peers' rates are taken per mode and weighted by the
institution's own mix of modes (indirect standardisation): the expected rate
is Σ n_mode · peer_rate_mode / n. The institution is flagged when, on at
least ``min_trainees`` comparable trainees (against at least
``min_peer_trainees`` peer trainees from ``min_peer_institutions``
institutions), **both** its pass rate and its employment rate sit at least
``min_gap`` below the expected rates **and** both are significant: z =
(x − Σ n·p) / √(Σ n·p·(1−p)) at or below ``−min_z`` (a one-sided binomial z
against the peers' rates). One rate low alone is not ineffective training.

At risk: the training subsidies claimed for the counted trainees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import pct, yuan
from detectors.constraints import Number, Severity, Share, Whole

CODE = "INEFF_PEER_OUTCOMES"
CATEGORY = "ineffective_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    min_trainees: Whole = 20
    min_peer_trainees: Whole = 20
    min_peer_institutions: Whole = 2
    min_gap: Share = Decimal("0.30")
    min_z: Number = Decimal("3.0")
    outcome_window_days: Whole = 365
    min_days_after_end: Whole = 90


def _shift(iso: pd.Series, days: int) -> pd.Series:
    d = pd.to_datetime(iso, errors="coerce") + pd.Timedelta(days=days)
    return d.dt.strftime("%Y-%m-%d")


def outcome_horizon(frames: Frames) -> str | None:
    """The latest date of any outcome record (assessment taken, employment verified)."""
    dates = [frames.assessments["occurred_at"].str.slice(0, 10).max()
             if not frames.assessments.empty else None,
             frames.employment["occurred_at"].str.slice(0, 10).max()
             if not frames.employment.empty else None]
    known = [d for d in dates if isinstance(d, str)]
    return max(known) if known else None


def trainee_outcomes(frames: Frames, window_days: int, min_days_after_end: int) -> pd.DataFrame:
    """Per class × person on the roster (not withdrawn, outcomes due): passed, employed.

    Columns: class_id, person_id, institution_id, occupation, mode, start_date,
    end_date, passed, employed. Empty when no outcome can be due yet.
    """
    cols = ["class_id", "person_id", "institution_id", "occupation", "mode", "start_date",
            "end_date", "passed", "employed"]
    horizon = outcome_horizon(frames)
    roster = frames.roster
    if horizon is None or roster.empty or frames.classes.empty:
        return pd.DataFrame(columns=cols)
    due_by = (date.fromisoformat(horizon) - timedelta(days=min_days_after_end)).isoformat()
    r = roster.loc[~roster["withdrawn"].astype(bool), ["class_id", "person_id"]]
    r = r.join(frames.classes[["institution_id", "occupation", "mode", "start_date",
                               "end_date"]], on="class_id")
    r = r.dropna(subset=["institution_id", "occupation", "start_date", "end_date"])
    r = r[r["end_date"] <= due_by].drop_duplicates(["class_id", "person_id"])
    r = r.reset_index(drop=True)
    if r.empty:
        return pd.DataFrame(columns=cols)
    r["mode"] = r["mode"].fillna("-")
    last = _shift(r["end_date"], window_days)

    a = frames.assessments
    a = a.loc[a["passed"].fillna(False).astype(bool), ["person_id", "occupation", "occurred_at"]]
    a = a.assign(day=a["occurred_at"].str.slice(0, 10)).drop(columns="occurred_at")
    m = r[["person_id", "occupation", "start_date"]].assign(row=r.index, last=last).merge(
        a, on=["person_id", "occupation"])
    ok = (m["day"] >= m["start_date"]) & (m["day"] <= m["last"])
    r["passed"] = r.index.isin(m.loc[ok, "row"])

    e = frames.employment[["person_id", "start_date"]].rename(columns={"start_date": "job"})
    m = r[["person_id", "end_date"]].assign(row=r.index, last=last).merge(e, on="person_id")
    ok = (m["job"] > m["end_date"]) & (m["job"] <= m["last"])
    r["employed"] = r.index.isin(m.loc[ok, "row"])
    return r[cols]


def _z(x: np.ndarray, expected: np.ndarray, var: np.ndarray) -> np.ndarray:
    """One-sided binomial z of observed counts against expected counts (variance floored)."""
    return (x - expected) / np.sqrt(np.maximum(var, 1e-6))


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every institution with a trainee whose outcomes are due."""
    t = trainee_outcomes(frames, p.outcome_window_days, p.min_days_after_end)
    return [Examined.of("institution", t["institution_id"], "institutions with trainees",
                        "有学员的培训机构")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    t = trainee_outcomes(frames, p.outcome_window_days, p.min_days_after_end)
    if t.empty:
        return []
    cell = t.groupby(["institution_id", "occupation", "mode"]).agg(
        n=("passed", "size"), passed=("passed", "sum"), employed=("employed", "sum"))
    occ_mode = cell.groupby(["occupation", "mode"]).agg(
        N=("n", "sum"), P=("passed", "sum"), E=("employed", "sum"),
        insts=("n", "size"))
    cell = cell.join(occ_mode, on=["occupation", "mode"])
    cell["peer_n"] = cell["N"] - cell["n"]
    cell["peer_insts"] = cell["insts"] - 1
    cell = cell[cell["peer_n"] > 0].copy()
    if cell.empty:
        return []
    cell["pp"] = (cell["P"] - cell["passed"]) / cell["peer_n"]
    cell["pe"] = (cell["E"] - cell["employed"]) / cell["peer_n"]
    cell["exp_p"] = cell["n"] * cell["pp"]
    cell["exp_e"] = cell["n"] * cell["pe"]
    cell["var_p"] = cell["n"] * cell["pp"] * (1 - cell["pp"])
    cell["var_e"] = cell["n"] * cell["pe"] * (1 - cell["pe"])
    cell["peer_passed"] = cell["P"] - cell["passed"]
    cell["peer_employed"] = cell["E"] - cell["employed"]
    g = cell.groupby(level=["institution_id", "occupation"]).agg(
        n=("n", "sum"), passed=("passed", "sum"), employed=("employed", "sum"),
        exp_p=("exp_p", "sum"), exp_e=("exp_e", "sum"), var_p=("var_p", "sum"),
        var_e=("var_e", "sum"), peer_n=("peer_n", "sum"), peer_passed=("peer_passed", "sum"),
        peer_employed=("peer_employed", "sum"), modes=("n", "size"))
    # Peer institutions: distinct other institutions in the same occupation and modes.
    pairs = t[["institution_id", "occupation", "mode"]].drop_duplicates()
    both = cell.reset_index()[["institution_id", "occupation", "mode"]].merge(
        pairs, on=["occupation", "mode"], suffixes=("", "_peer"))
    both = both[both["institution_id"] != both["institution_id_peer"]]
    g["peer_institutions"] = both.groupby(["institution_id", "occupation"])[
        "institution_id_peer"].nunique()
    g["peer_institutions"] = g["peer_institutions"].fillna(0).astype("int64")
    g["rate_p"] = g["passed"] / g["n"]
    g["rate_e"] = g["employed"] / g["n"]
    g["peer_p"] = g["exp_p"] / g["n"]
    g["peer_e"] = g["exp_e"] / g["n"]
    g["z_p"] = _z(g["passed"].to_numpy(float), g["exp_p"].to_numpy(), g["var_p"].to_numpy())
    g["z_e"] = _z(g["employed"].to_numpy(float), g["exp_e"].to_numpy(), g["var_e"].to_numpy())
    gap, z = float(p.min_gap), -float(p.min_z)
    flagged = g[(g["n"] >= p.min_trainees) & (g["peer_n"] >= p.min_peer_trainees)
                & (g["peer_institutions"] >= p.min_peer_institutions)
                & (g["peer_p"] - g["rate_p"] >= gap - 1e-12)
                & (g["peer_e"] - g["rate_e"] >= gap - 1e-12)
                & (g["z_p"] <= z) & (g["z_e"] <= z)]
    if flagged.empty:
        return []

    classes = frames.classes
    claims = frames.claims
    training = claims[(claims["kind"] == "training") & claims["class_id"].notna()]
    items = frames.claim_items.merge(training[["class_id"]], left_on="claim_id",
                                     right_index=True)
    out = []
    for (inst, occ), r in flagged.iterrows():
        mine = t[(t["institution_id"] == inst) & (t["occupation"] == occ)]
        mine = mine.merge(cell.loc[(inst, occ)].reset_index()[["mode"]], on="mode")
        cls = sorted(mine["class_id"].unique())
        claimed = items.merge(mine[["class_id", "person_id"]], on=["class_id", "person_id"])
        at_risk = int(claimed["amount_fen"].sum())
        name = classes.loc[classes.index.isin(cls), "occupation_name"].dropna()
        occ_text = f"{occ} {name.iloc[0]}" if not name.empty else str(occ)
        n = int(r["n"])
        modes = sorted(mine["mode"].unique())
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Pass and employment rates far below peers for the same occupation",
            zh=(f"{inst} 的 {occ_text} 学员 {n} 人：取证通过率 {pct(r['rate_p'])}"
                f"（{int(r['passed'])}/{n}），同工种同类型同行 {pct(r['peer_p'])}；"
                f"培训后就业率 {pct(r['rate_e'])}（{int(r['employed'])}/{n}），同行 "
                f"{pct(r['peer_e'])}；均低于同行 {gap * 100:g} 个百分点以上（z = {r['z_p']:.1f}、"
                f"{r['z_e']:.1f} ≤ -{p.min_z}），涉及培训补贴 {yuan(at_risk)} 元"),
            en=(f"{inst}, {occ_text}: {n} trainees, pass rate {pct(r['rate_p'])} "
                f"({int(r['passed'])} of {n}) against {pct(r['peer_p'])} at peers, employment "
                f"rate {pct(r['rate_e'])} ({int(r['employed'])} of {n}) against "
                f"{pct(r['peer_e'])}; both at least {gap * 100:g} points below peers (z = "
                f"{r['z_p']:.1f} and {r['z_e']:.1f}, at or below -{p.min_z}); "
                f"{yuan(at_risk)} yuan of training subsidy claimed for them"),
            subject_type="institution", subject_id=inst, amount_at_risk_fen=at_risk,
            person_ids=mine["person_id"], class_ids=cls, institution_ids=[inst],
            claim_ids=claimed["claim_id"],
            evidence=[*classes.loc[classes.index.isin(cls), "position"],
                      *claimed["position"]],
            observed={"occupation": occ, "modes": modes, "trainees": n,
                      "passed": int(r["passed"]), "employed": int(r["employed"]),
                      "pass_rate": round(float(r["rate_p"]), 4),
                      "employment_rate": round(float(r["rate_e"]), 4),
                      "peer_pass_rate": round(float(r["peer_p"]), 4),
                      "peer_employment_rate": round(float(r["peer_e"]), 4),
                      "peer_trainees": int(r["peer_n"]),
                      "peer_passed": int(r["peer_passed"]),
                      "peer_employed": int(r["peer_employed"]),
                      "peer_institutions": int(r["peer_institutions"]),
                      "z_pass": round(float(r["z_p"]), 2),
                      "z_employment": round(float(r["z_e"]), 2)},
        ))
    return out

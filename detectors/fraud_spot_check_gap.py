"""FRAUD_SPOT_CHECK_GAP: an inspector counted far fewer people than were checked in (抽查人数不符).

For each spot check (``SpotCheckPerformed``), the number of distinct trainees
checked in ("in" records) in that class on that local day is compared with the
inspector's ``headcount_observed``. It fires when observed/checked-in is below
``max_observed_ratio`` *and* the gap is at least ``min_gap`` people: a count one
or two short (someone in the toilet, someone left early) is the look-alike.
The money at risk is the claimed amount for the people checked in that day,
in proportion to the missing share (an estimate: who was absent is unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from detectors.base import Examined, Finding, Frames
from detectors.common import class_positions, pct, yuan
from detectors.constraints import Severity, Share, Whole

CODE = "FRAUD_SPOT_CHECK_GAP"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    max_observed_ratio: Share = Decimal("0.70")
    min_gap: Whole = 3



def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every spot-checked class."""
    return [Examined.of("class", frames.spot_checks["class_id"], "spot-checked classes",
                        "被抽查的班级", ("max_observed_ratio", "min_gap"))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    spots = frames.spot_checks
    spots = spots[spots["class_id"].notna() & spots["headcount_observed"].notna()]
    if spots.empty:
        return []
    c = frames.checkins
    c = c.loc[c["class_id"].isin(spots["class_id"].unique()),
              ["class_id", "person_id", "date", "direction", "position"]]
    c = c[c["direction"] == "in"]
    c = c.merge(spots[["class_id", "date"]].drop_duplicates(), on=["class_id", "date"])
    first = c.sort_values("position").drop_duplicates(["class_id", "date", "person_id"])
    recorded = first.groupby(["class_id", "date"]).size().rename("recorded")
    s = spots.join(recorded, on=["class_id", "date"])
    s["recorded"] = s["recorded"].fillna(0).astype("int64")
    s["gap"] = s["recorded"] - s["headcount_observed"]
    s["ratio"] = s["headcount_observed"] / s["recorded"].where(s["recorded"] > 0)
    hit = s[(s["gap"] >= p.min_gap) & (s["ratio"] < float(p.max_observed_ratio))]
    if hit.empty:
        return []

    claims = frames.claims
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    items = items.join(claims["class_id"], on="claim_id")
    items = items[items["class_id"].isin(hit["class_id"].unique())]
    classes = frames.classes
    day_rows = dict(tuple(first.groupby(["class_id", "date"])))
    out = []
    seen: dict[tuple[str, str, str], int] = {}
    order = [c for c in ("class_id", "date", "occurred_ts", "headcount_observed", "position")
             if c in hit.columns]
    for r in hit.sort_values(order).itertuples():
        rows = day_rows[(r.class_id, r.date)]
        people = sorted(set(rows["person_id"]))
        ci = items[(items["class_id"] == r.class_id) & items["person_id"].isin(people)]
        claimed = int(ci["amount_fen"].fillna(0).sum())
        at_risk = claimed * int(r.gap) // int(r.recorded)
        known = r.class_id in classes.index
        institution = classes.at[r.class_id, "institution_id"] if known else None
        observed_n, recorded_n, gap = int(r.headcount_observed), int(r.recorded), int(r.gap)
        inspector = r.inspector if isinstance(r.inspector, str) else "?"
        nth = seen[(r.class_id, r.date, inspector)] = seen.get((r.class_id, r.date, inspector),
                                                                0) + 1
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Spot check counted far fewer trainees than were checked in",
            zh=(f"班级 {r.class_id} {r.date} 抽查（检查人 {inspector}）实到 {observed_n} 人，"
                f"签到记录 {recorded_n} 人，相差 {gap} 人（{pct(r.ratio)}，阈值低于 "
                f"{pct(float(p.max_observed_ratio))} 且相差不少于 {p.min_gap} 人）；"
                f"按缺额比例估算风险金额 {yuan(at_risk)} 元"),
            en=(f"class {r.class_id} on {r.date}: inspector {inspector} counted "
                f"{observed_n} people but {recorded_n} were checked in, {gap} missing "
                f"({pct(r.ratio)}; thresholds below {pct(float(p.max_observed_ratio))} and "
                f"at least {p.min_gap} missing); {yuan(at_risk)} yuan at risk, estimated "
                f"as the missing share of {yuan(claimed)} yuan claimed"),
            subject_type="class", subject_id=r.class_id, amount_at_risk_fen=at_risk,
            person_ids=people, class_ids=[r.class_id],
            institution_ids=[institution] if isinstance(institution, str) else [],
            claim_ids=set(ci["claim_id"]),
            evidence=[r.position, *rows["position"], *ci["position"],
                      *class_positions(classes, [r.class_id])],
            observed={"date": r.date, "inspector": inspector, "headcount_observed": observed_n,
                      "checked_in": recorded_n, "gap": gap,
                      "ratio": round(float(r.ratio), 4), "claimed_fen": claimed},
            key=f"{r.date}#{inspector}#{nth}",  # by content: log positions differ per store
        ))
    return out

"""The credit model: facts and weights in, a score, a grade and its reasons out. Pure.

Every subject starts at ``start`` points. Findings take points by severity,
times the factor of their case state (confirmed weigh more than open,
dismissed nothing); pass and employment rates far below the peer median,
spot checks that counted fewer people than had checked in, and complaints
take points too; each factor is capped. The grade is the band the score
reaches, raised by a credit repair made after the last finding. Each reason
names its factor, its points and the finding, class or complaint ids behind
it, so the score explains itself and the reasons add up to it.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pandas as pd

from credit.facts import CreditFacts
from credit.params import GRADE_EN, GRADE_ZH, GRADES, SEVERITIES, CreditParams

SPOT_CHECK_CODE = "FRAUD_SPOT_CHECK_GAP"  # its finding already counts: the raw gap does not
STATE_ZH = {"open": "待处理", "assigned": "已分派", "reopened": "重新打开", "confirmed": "已确认",
            "recovered": "已追回", "closed": "已结案", "dismissed": "已排除"}
SEVERITY_ZH = {"low": "低", "medium": "中", "high": "高", "critical": "严重"}


@dataclass(frozen=True)
class Rating:
    """One subject's rating; ``facts_digest`` changes exactly when score, grade or reasons do."""

    subject_type: str
    subject_id: str
    name: str | None
    credit_code: str | None
    score: int
    grade: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    facts_digest: str = ""
    last_finding_position: int = 0
    last_finding_day: str | None = None

    @property
    def grade_label(self) -> str:
        return f"{self.grade} {GRADE_ZH[self.grade]} {GRADE_EN[self.grade]}"


def _int(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _attributed(findings: pd.DataFrame) -> pd.DataFrame:
    """Long form: one row per (subject, finding); institutions via institution_ids."""
    if findings.empty:
        return findings.assign(owner_type=pd.Series(dtype=str), owner_id=pd.Series(dtype=str))
    inst = findings.explode("institution_ids").dropna(subset=["institution_ids"])
    inst = inst.assign(owner_type="institution", owner_id=inst["institution_ids"])
    own = findings[findings["subject_type"].isin(["institution", "agency"])]
    own = own.assign(owner_type=own["subject_type"], owner_id=own["subject_id"])
    both = pd.concat([inst, own], ignore_index=True)
    return both.drop_duplicates(["owner_type", "owner_id", "finding_id"])


def _finding_reasons(mine: pd.DataFrame, p: CreditParams) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    room = p.findings_cap
    groups = sorted(mine.groupby(["severity", "state"]),
                    key=lambda kv: (-SEVERITIES.index(kv[0][0]) if kv[0][0] in SEVERITIES else 1,
                                    -p.state_factor.get(kv[0][1], Decimal(1)), kv[0][1]))
    for (severity, state), g in groups:
        factor = p.state_factor.get(state, Decimal(1))
        raw = _int(Decimal(p.severity_points.get(severity, 0)) * factor * len(g))
        points = min(raw, room)
        if points <= 0:
            continue
        room -= points
        codes = sorted(set(g["code"]))
        out.append({
            "factor": "findings", "severity": severity, "state": state, "count": len(g),
            "points": -points, "finding_ids": sorted(g["finding_id"]), "codes": codes,
            "zh": f"{STATE_ZH.get(state, state)}{SEVERITY_ZH.get(severity, severity)}风险问题"
                  f"{len(g)}项（{'、'.join(codes)}）扣{points}分",
            "en": f"{len(g)} {state} {severity}-severity finding(s) ({', '.join(codes)}): "
                  f"-{points}",
        })
    return out


def _rate_reasons(outcomes: pd.DataFrame, p: CreditParams) -> dict[str, list[dict[str, Any]]]:
    """Pass and employment rates far below the peer median, per institution."""
    o = p.outcomes
    out: dict[str, list[dict[str, Any]]] = {}
    specs = (("pass_rate", "passed", "assessed", "考核通过率", "pass rate"),
             ("employment_rate", "employed", "trainees", "就业率", "employment rate"))
    for factor, num, den, zh, en in specs:
        rows = outcomes[outcomes[den] >= o.min_trainees]
        if len(rows) < o.min_peers:
            continue
        rates = {r.institution_id: (Decimal(int(getattr(r, num))) / Decimal(int(getattr(r, den))))
                 .quantize(Decimal("0.0001")) for r in rows.itertuples()}
        median = Decimal(statistics.median(rates.values())).quantize(Decimal("0.0001"))
        for iid, rate in sorted(rates.items()):
            shortfall = median - rate
            if shortfall < o.min_shortfall:
                continue
            points = min(o.cap, _int(shortfall * 100 * o.points_per_point))
            if points <= 0:
                continue
            out.setdefault(iid, []).append({
                "factor": factor, "points": -points, "rate": str(rate),
                "peer_median": str(median), "peers": len(rates),
                "zh": f"{zh}{rate:.2%}，同行中位数{median:.2%}，扣{points}分",
                "en": f"{en} {rate:.2%} against a peer median of {median:.2%}: -{points}",
            })
    return out


def _spot_reasons(spots: pd.DataFrame, skip: set[str], p: CreditParams) -> list[dict[str, Any]]:
    s = p.spot_checks
    gap = spots[(spots["recorded"] - spots["observed"] >= s.min_gap)
                & (spots["observed"] < spots["recorded"] * float(s.max_observed_ratio))
                & ~spots["class_id"].isin(skip)]
    if gap.empty:
        return []
    points = min(s.cap, s.points * len(gap))
    checks = [f"{r.class_id}@{r.date}:{r.observed}/{r.recorded}" for r in gap.itertuples()]
    return [{"factor": "spot_checks", "points": -points, "count": len(gap), "checks": checks,
             "zh": f"抽查人数少于签到人数{len(gap)}次，扣{points}分",
             "en": f"{len(gap)} spot check(s) counted fewer people than checked in: -{points}"}]


def _complaint_reasons(ids: list[str], p: CreditParams) -> list[dict[str, Any]]:
    if not ids:
        return []
    points = min(p.complaints.cap, p.complaints.points * len(ids))
    return [{"factor": "complaints", "points": -points, "count": len(ids),
             "complaint_ids": sorted(ids), "zh": f"投诉{len(ids)}件，扣{points}分",
             "en": f"{len(ids)} complaint(s): -{points}"}]


def _raise(grade: str, bands: int) -> str:
    return GRADES[max(0, GRADES.index(grade) - bands)]


def digest_of(subject_type: str, subject_id: str, score: int, grade: str,
              reasons: list[dict[str, Any]]) -> str:
    text = json.dumps([subject_type, subject_id, score, grade, reasons], sort_keys=True,
                      ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def rate_all(facts: CreditFacts, p: CreditParams) -> list[Rating]:
    """A rating for every registered institution and agency, in (type, id) order."""
    attributed = _attributed(facts.findings)
    by_owner = dict(tuple(attributed.groupby(["owner_type", "owner_id"])))
    rate_reasons = _rate_reasons(facts.outcomes, p)
    spots = dict(tuple(facts.spot_checks.groupby("institution_id")))
    complaints = facts.complaints.groupby(["subject_type", "subject_id"])["complaint_id"]
    complaint_ids = {k: list(v) for k, v in complaints}
    repairs = facts.repairs.sort_values("position")
    out = []
    for r in facts.subjects.sort_values(["subject_type", "subject_id"]).itertuples():
        key = (r.subject_type, r.subject_id)
        mine = by_owner.get(key, attributed.iloc[0:0])
        reasons = _finding_reasons(mine, p)
        if r.subject_type == "institution":
            reasons += rate_reasons.get(r.subject_id, [])
            skip = {c for ids in mine.loc[mine["code"] == SPOT_CHECK_CODE, "class_ids"]
                    for c in ids}
            reasons += _spot_reasons(spots.get(r.subject_id, facts.spot_checks.iloc[0:0]),
                                     skip, p)
        reasons += _complaint_reasons(complaint_ids.get(key, []), p)
        score = max(0, p.start + sum(int(x["points"]) for x in reasons))
        grade = p.grade(score)
        counted = mine[mine["state"].map(lambda s: p.state_factor.get(s, Decimal(1)) > 0)]
        last_pos = int(counted["first_position"].max()) if len(counted) else 0
        last_day = str(counted["first_day"].max()) if len(counted) else None
        mine_repairs = repairs[(repairs["subject_type"] == r.subject_type)
                               & (repairs["subject_id"] == r.subject_id)
                               & (repairs["position"] > last_pos)]
        if len(mine_repairs) and grade != GRADES[0]:
            rep = mine_repairs.iloc[-1]
            raised = _raise(grade, p.repair_bands)
            day = str(rep["occurred_at"])[:10]
            reasons.append({"factor": "repair", "points": 0, "event_id": rep["event_id"],
                            "from_grade": grade, "to_grade": raised,
                            "zh": f"信用修复（{day}）：{grade}级上调为{raised}级",
                            "en": f"credit repair on {day}: grade {grade} raised to {raised}"})
            grade = raised
        name = None if pd.isna(r.name) else str(r.name)
        code = None if pd.isna(r.credit_code) else str(r.credit_code)
        out.append(Rating(r.subject_type, r.subject_id, name, code, score, grade, reasons,
                          digest_of(r.subject_type, r.subject_id, score, grade, reasons),
                          last_pos, last_day))
    return out

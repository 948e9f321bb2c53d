"""FRAUD_GHOST_INVALID_ID: a trainee whose resident ID number cannot exist (虚假身份/幽灵学员).

A person enrolled in a class or named in a claim item whose ID number fails
the GB 11643-1999 checks (length, digits, region code, birth date, ISO 7064
MOD 11-2 check character). Registered persons carry the result in
``persons.id_problem``; ids that were never registered are checked with
``engine.identity.id_problem``. The finding names the check that failed, and
every claimed item for that ID number is at risk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from detectors._subsidies import people_in_training
from detectors.base import Examined, Finding, Frames
from detectors.common import isin, yuan
from detectors.constraints import Severity
from engine.identity import id_problem
from engine.privacy import mask_person_id

CODE = "FRAUD_GHOST_INVALID_ID"
CATEGORY = "subsidy_fraud"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"


_ZH = (
    (re.compile(r"length (\d+), expected 18"), "号码长度 {0} 位（应为 18 位）"),
    (re.compile(r"first 17 characters must be digits"), "前 17 位含非数字字符"),
    (re.compile(r"region code (\S+) names no province"), "地区码 {0} 不对应任何省份"),
    (re.compile(r"birth date (\S+) is not a date"), "出生日期 {0} 不是有效日期"),
    (re.compile(r"birth year (\d+) is implausible"), "出生年份 {0} 不合理"),
    (re.compile(r"check character (\S+), expected (\S+)"), "校验码为 {0}，按 GB 11643 应为 {1}"),
)


def problem_zh(problem: str) -> str:
    """The Chinese wording of an ``engine.identity.id_problem`` reason."""
    for pattern, text in _ZH:
        m = pattern.fullmatch(problem)
        if m:
            return text.format(*m.groups())
    return problem


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person enrolled, checked in or claimed for."""
    return [Examined.of("person", people_in_training(frames), "enrolled or claimed-for persons",
                        "报名、签到或被申领补贴的人员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    roster = frames.roster[["class_id", "person_id", "enrol_position"]]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    wanted = pd.Index(pd.concat([roster["person_id"], items["person_id"]]).dropna().unique())
    if wanted.empty:
        return []
    persons = frames.persons
    registered = isin(wanted, persons.index)
    problems = persons["id_problem"].reindex(wanted[registered]).dropna()
    unregistered = pd.Series(wanted[~registered], index=wanted[~registered])
    other = unregistered.map(id_problem).dropna()
    bad = pd.concat([problems, other])
    if bad.empty:
        return []

    roster = roster[roster["person_id"].isin(bad.index)]
    items = items[items["person_id"].isin(bad.index)]
    claims = frames.claims
    items = items.join(claims[["class_id", "claimant_type", "claimant_id"]], on="claim_id")
    classes = frames.classes
    class_inst = classes["institution_id"]
    class_pos = classes.get("position", pd.Series(dtype="int64"))
    by_person_roster = {k: g for k, g in roster.groupby("person_id")}
    by_person_items = {k: g for k, g in items.groupby("person_id")}

    out = []
    for pid in sorted(bad.index):
        problem = str(bad[pid])
        r = by_person_roster.get(pid, roster.iloc[:0])
        it = by_person_items.get(pid, items.iloc[:0])
        class_ids = set(r["class_id"].dropna()) | set(it["class_id"].dropna())
        institutions = {class_inst[c] for c in class_ids if c in class_inst.index}
        institutions |= set(it.loc[it["claimant_type"] == "institution", "claimant_id"].dropna())
        claimed = int(it["amount_fen"].fillna(0).sum())
        claim_ids = sorted(set(it["claim_id"].dropna()))
        is_registered = pid in persons.index
        evidence = [*r["enrol_position"], *it["position"],
                    *(class_pos[c] for c in class_ids if c in class_pos.index)]
        if is_registered:
            evidence.append(persons.at[pid, "position"])
        shown = mask_person_id(pid)
        reg_zh = "" if is_registered else "（该号码未登记为人员）"
        reg_en = "" if is_registered else " (never registered as a person)"
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Trainee with an invalid ID number",
            zh=(f"学员身份证号 {shown} 未通过 GB 11643 校验：{problem_zh(problem)}{reg_zh}；"
                f"参训 {len(class_ids)} 个班，申领补贴 {yuan(claimed)} 元"
                f"（{len(claim_ids)} 笔申请）"),
            en=(f"trainee ID number {shown} fails the GB 11643 check: {problem}{reg_en}; "
                f"in {len(class_ids)} class(es), {yuan(claimed)} yuan claimed in "
                f"{len(claim_ids)} claim(s)"),
            subject_type="person", subject_id=pid, amount_at_risk_fen=claimed,
            person_ids=[pid], class_ids=class_ids, institution_ids=institutions,
            claim_ids=claim_ids, evidence=evidence,
            observed={"id_problem": problem, "registered": is_registered,
                      "classes": len(class_ids), "claims": len(claim_ids),
                      "claimed_fen": claimed},
        ))
    return out

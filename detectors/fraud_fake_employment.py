"""FRAUD_FAKE_EMPLOYMENT: employment used as a training outcome that is not real (虚假就业).

An employment record (``EmploymentVerified``) of a trainee, starting on or after
the start of one of their classes and at most ``outcome_window_days`` after its
end (so it can count as that class's outcome), is not real employment when:

* the employer is linked to the class's institution: the same legal
  representative, phone or bank account (any version of the institution's
  registration/updates, compared without spaces and case);
* it has no social insurance (``social_insurance`` false; a missing value is
  not a finding);
* the monthly income is under the policy's ``local_minimum_income`` (the local
  minimum living standard, which no seed states: unset by default, so this part
  checks nothing and ``unchecked`` says how many incomes went uncompared).

One finding per person lists every such employment, its employers, the
institutions and classes. The money at risk is what was claimed for the person
in those classes when the class's subsidy depends on employment (订单式/项目制,
``order``/``project``); otherwise 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors.base import Examined, Finding, Frames, Unchecked
from detectors.common import fen, isin, yuan
from detectors.constraints import Severity, Whole, Yuan

CODE = "FRAUD_FAKE_EMPLOYMENT"
CATEGORY = "subsidy_fraud"

LINK_ATTRS = ("legal_rep_id", "phone", "bank_account")
ATTR_ZH = {"legal_rep_id": "法定代表人", "phone": "电话", "bank_account": "银行账户"}
ATTR_EN = {"legal_rep_id": "legal representative", "phone": "phone",
           "bank_account": "bank account"}
EMPLOYMENT_MODES = ("order", "project")


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    outcome_window_days: Whole = 365
    local_minimum_income: Yuan | None = None  # no seed gives the amount: unset


def _long(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    cols = [c for c in LINK_ATTRS if c in frame.columns]
    if frame.empty or not cols:
        return pd.DataFrame(columns=[key, "attr", "value"])
    long = frame[[key, *cols]].melt(id_vars=[key], var_name="attr", value_name="value")
    long = long[long["value"].notna()]
    long = long.assign(value=long["value"].astype(str).str.replace(r"\s+", "", regex=True)
                       .str.upper())
    return long[long["value"] != ""].drop_duplicates()


def _links(frames: Frames) -> pd.DataFrame:
    """(institution_id, employer_id) → attributes they share."""
    inst = _long(frames.institution_history, "institution_id")
    emp = _long(frames.employers.reset_index(), "employer_id")
    if inst.empty or emp.empty:
        return pd.DataFrame(columns=["institution_id", "employer_id", "shared"])
    both = inst.merge(emp, on=["attr", "value"])
    if both.empty:
        return pd.DataFrame(columns=["institution_id", "employer_id", "shared"])
    return both.groupby(["institution_id", "employer_id"])["attr"].agg(
        lambda s: tuple(sorted(set(s)))).rename("shared").reset_index()


def _outcomes(frames: Frames, p: Params) -> pd.DataFrame:
    """Employment records of trainees that can count as a class's outcome: job × class."""
    emp = frames.employment
    roster = frames.roster
    if emp.empty or roster.empty:
        return pd.DataFrame(columns=["person_id", "employer_id", "start_date", "class_id"])
    e = emp.sort_values(["occurred_ts", "position"], kind="stable").drop_duplicates(
        ["person_id", "employer_id", "start_date"], keep="last")
    e = e[isin(e["person_id"], roster["person_id"])]
    cls = frames.classes.reindex(
        columns=["institution_id", "start_date", "end_date", "mode", "position"])
    r = roster[["class_id", "person_id"]].join(
        cls.rename(columns={"start_date": "class_start", "end_date": "class_end",
                            "position": "class_position"}), on="class_id")
    r = r[r["class_end"].notna() & r["class_start"].notna()]
    pairs = e[["person_id", "employer_id", "start_date", "monthly_income_fen",
               "social_insurance", "position"]].merge(r, on="person_id")
    end = pd.to_datetime(pairs["class_end"], errors="coerce")
    window_end = (end + pd.Timedelta(days=p.outcome_window_days)).dt.strftime("%Y-%m-%d")
    return pairs[(pairs["start_date"] >= pairs["class_start"])
                 & (pairs["start_date"] <= window_end)]


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every trainee with a job that counts as a class's outcome."""
    return [Examined.of("person", _outcomes(frames, p)["person_id"],
                        "trainees employed after a class", "培训后就业的学员",
                        ("local_minimum_income",))]


def unchecked(frames: Frames, p: Params) -> list[Unchecked]:
    """Outcome jobs whose income was not compared, the local minimum being unset."""
    if p.local_minimum_income is not None:
        return []
    jobs = _outcomes(frames, p).drop_duplicates(["person_id", "employer_id", "start_date"])
    if jobs.empty:
        return []
    return [Unchecked("local_minimum_income", len(jobs),
                      "outcome jobs whose monthly income was not compared with the local "
                      "minimum", "培训后就业的月收入未与当地最低标准比对")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    pairs = _outcomes(frames, p)
    if pairs.empty:
        return []
    links = _links(frames)
    pairs = pairs.merge(links, on=["institution_id", "employer_id"], how="left")
    linked = pairs["shared"].notna()
    uninsured = pairs["social_insurance"].astype(object).eq(False)
    income = pd.to_numeric(pairs["monthly_income_fen"], errors="coerce")
    minimum = fen(p.local_minimum_income) if p.local_minimum_income is not None else None
    low = income.notna() & (income < minimum) if minimum is not None \
        else pd.Series(False, index=pairs.index)
    pairs = pairs.assign(linked=linked, uninsured=uninsured, low=low)
    bad = pairs[linked | uninsured | low]
    if bad.empty:
        return []

    # Money claimed for these people in employment-conditioned classes.
    claims = frames.claims
    cond = set(bad.loc[bad["mode"].isin(EMPLOYMENT_MODES), "class_id"])
    tc = claims.loc[(claims["kind"] == "training") & claims["class_id"].isin(cond),
                    ["class_id"]]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    items = items[items["person_id"].isin(bad["person_id"])].merge(
        tc, left_on="claim_id", right_index=True)
    items_by: dict[tuple[str, str], list[dict]] = {}
    for it in items.to_dict("records"):
        items_by.setdefault((it["person_id"], it["class_id"]), []).append(it)
    emp_pos = frames.employers.reindex(columns=["position"])["position"].to_dict()
    inst_pos = frames.institutions.reindex(columns=["position"])["position"].to_dict()
    rows: dict[str, list[dict]] = {}
    for rec in bad.sort_values(["person_id", "start_date", "employer_id", "class_id"]).to_dict(
            "records"):
        rows.setdefault(rec["person_id"], []).append(rec)
    out = []
    for pid, recs in rows.items():
        jobs: dict[tuple[str, str], list[dict]] = {}
        for rec in recs:
            jobs.setdefault((rec["employer_id"], rec["start_date"]), []).append(rec)
        reasons_zh, reasons_en, obs_jobs = [], [], []
        linked_insts: set[str] = set()
        for (employer, start), jr in jobs.items():
            j = jr[0]
            why_zh, why_en = [], []
            shared_all: set[str] = set()
            seen: set[str] = set()
            for li in jr:
                if not li["linked"] or li["institution_id"] in seen:
                    continue
                seen.add(li["institution_id"])
                shared_all |= set(li["shared"])
                why_zh.append(f"与培训机构 {li['institution_id']} 共用"
                              + "、".join(ATTR_ZH[a] for a in li["shared"]))
                why_en.append(f"shares its {' and '.join(ATTR_EN[a] for a in li['shared'])} "
                              f"with institution {li['institution_id']}")
            linked_insts |= seen
            if j["uninsured"]:
                why_zh.append("未缴社会保险")
                why_en.append("no social insurance")
            inc = j["monthly_income_fen"]
            inc = None if inc is None or inc is pd.NA or inc != inc else int(inc)
            if j["low"]:
                why_zh.append(f"月收入 {yuan(inc)} 元低于当地最低 {yuan(minimum)} 元")
                why_en.append(f"monthly income {yuan(inc)} yuan below the local minimum "
                              f"{yuan(minimum)}")
            reasons_zh.append(f"{start} 起在 {employer} 就业：" + "，".join(why_zh))
            reasons_en.append(f"employed by {employer} from {start}: " + "; ".join(why_en))
            insured = j["social_insurance"]
            obs_jobs.append({
                "employer_id": employer, "start_date": start,
                "linked_institutions": sorted(seen), "shared": sorted(shared_all),
                "social_insurance": None if insured is None or insured != insured
                else bool(insured),
                "monthly_income_fen": inc})
        class_ids = sorted({rec["class_id"] for rec in recs})
        mine = [it for cid in class_ids for it in items_by.get((pid, cid), [])]
        at_risk = int(sum(int(it["amount_fen"]) for it in mine
                          if it["amount_fen"] is not None and it["amount_fen"] is not pd.NA))
        emp_ids = sorted({e for e, _ in jobs})
        inst_ids = sorted({rec["institution_id"] for rec in recs
                           if isinstance(rec["institution_id"], str)})
        evidence = [rec["position"] for rec in recs] + [rec["class_position"] for rec in recs]
        evidence += [it["position"] for it in mine]
        evidence += [emp_pos[x] for x in emp_ids if x in emp_pos]
        evidence += [inst_pos[x] for x in sorted(linked_insts) if x in inst_pos]
        money_zh = f"，订单/项目制补贴 {yuan(at_risk)} 元受影响" if at_risk else ""
        money_en = f"; {yuan(at_risk)} yuan of employment-based subsidy depends on it" \
            if at_risk else ""
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Training outcome employment that is not real",
            zh=(f"学员（班级 {'、'.join(class_ids)}）" + "；".join(reasons_zh) + money_zh),
            en=(f"trainee of class {', '.join(class_ids)}: " + "; ".join(reasons_en)
                + money_en),
            subject_type="person", subject_id=pid, amount_at_risk_fen=at_risk,
            person_ids=[pid], class_ids=class_ids, institution_ids=inst_ids,
            claim_ids=[it["claim_id"] for it in mine], evidence=evidence,
            observed={"employers": emp_ids, "jobs": obs_jobs,
                      "local_minimum_income_fen": minimum, "claimed_at_risk_fen": at_risk},
        ))
    return out

"""The fund-safety report (资金安全报告): a pure function of the views and their as-of point.

Per county × programme × year it puts the fund ledger (allocated → claimed →
approved → paid → recovered → remaining, from ``projections.ledger``) beside the
money the latest findings put at risk, by finding category; the payments made
after the 31 March deadline; and the vouchers never written off (核销). Money
stays integer fen (``*_fen``) in every table, so columns add up to the ledger
and to the findings exactly; ``display`` turns fen into ``Decimal`` yuan with
bilingual headings at the edge.

A finding is attributed to a county × programme × year through the claims it
names (the claim's county, programme and year), else through the payments it
names; a finding touching several such keys is split between them equally, to
the fen, the remainder going to the first keys in sort order. A finding naming
neither (an identity problem, an agency) is counted in its own
"unattributed" row, so the at-risk column always totals the findings' total.

Money at risk is only as good as the rules that found it: the report puts first
the rules the share-flagged guard doubts (they flagged too large a share of what
they examined: the local standard probably differs from the rules file) and what
the latest runs could not check for want of a local standard, and marks each
finding of a doubted rule (``guard``) where the money is attributed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from detectors.base import CATEGORIES as ALL_CATEGORIES
from detectors.base import CATEGORY_ZH
from engine.money import to_yuan
from engine.privacy import mask_person_id
from findings.listing import current_findings
from findings.runs import RunNotes, run_notes
from projections.ledger import KEYS, ledger
from projections.views import Views

# the one category list (detectors.base), fraud first: it is what finance reads for first
CATEGORIES = tuple(sorted(ALL_CATEGORIES, key=lambda c: c != "subsidy_fraud"))
UNATTRIBUTED = "(unattributed 无法归属)"
VOUCHER_CODE = "COMP_VOUCHER_NOT_WRITTEN_OFF"

HEADINGS: dict[str, str] = {
    "county": "county 县区", "program": "programme 项目", "year": "year 年度",
    "allocated_fen": "allocated 下达预算", "claimed_fen": "claimed 申领",
    "approved_fen": "approved 审核通过", "paid_fen": "paid 已拨付",
    "recovered_fen": "recovered 已追回", "remaining_fen": "remaining 结余",
    "paid_late_fen": "paid late 逾期支付金额", "late_payments": "late payments 逾期笔数",
    "at_risk_fen": "at risk 风险资金", "findings": "findings 问题数",
    "vouchers_open": "vouchers not written off 兑现未核销券数",
    "vouchers_open_fen": "their redeemed amount 兑现金额",
    "category": "category 问题类别", "category_zh": "类别",
    "payment_id": "payment 付款编号", "claim_id": "claim 申请编号",
    "paid_on": "paid on 支付日期", "deadline": "deadline 截止日期",
    "days_late": "days late 逾期天数", "amount_fen": "amount 金额",
    "voucher_id": "voucher 培训券", "person_id": "holder 持券人 (masked 脱敏)",
    "kind": "kind 类型", "occupation": "occupation 职业", "issued_on": "issued 发券日期",
    "expires_on": "expires 有效期至", "stage": "stage 环节",
    "redeemed_fen": "redeemed 兑现金额", "redeemed_on": "redeemed on 兑现日期",
    "class_id": "class 班级", "finding_id": "finding 问题编号", "code": "rule 规则",
    "severity": "severity 严重程度", "item": "item 项目", "count": "count 数量",
    "guard": "rule doubted 规则存疑", "share": "share flagged 标记比例",
    "flagged": "flagged 已标记", "examined": "examined 已检查", "subjects": "of 对象",
    "warning": "warning 警示", "key": "key to set 应设置的键", "what": "not checked 未检查",
}
for _c in CATEGORIES:
    HEADINGS[f"at_risk_{_c}_fen"] = f"at risk: {_c} 风险资金:{CATEGORY_ZH[_c]}"


@dataclass(frozen=True)
class FundReport:
    """The report's tables (money in fen) and the point in the log they describe."""

    as_of: str
    county: str | None
    year: int | None
    summary: pd.DataFrame        # item, amount_fen, count
    ledger: pd.DataFrame         # one row per county × programme × year (+ unattributed)
    at_risk: pd.DataFrame        # county × programme × year × category: findings, at_risk_fen
    late_payments: pd.DataFrame  # every payment past its deadline
    vouchers: pd.DataFrame       # every voucher never written off
    attribution: pd.DataFrame    # each finding's share per key: where at_risk comes from
    findings_total_fen: int      # Σ amount at risk of the findings in scope
    warnings: pd.DataFrame       # rules the guard doubts: code, share, flagged, examined …
    not_checked: pd.DataFrame    # what the rules could not check: code, what, count, key

    def tables(self) -> dict[str, tuple[str, pd.DataFrame]]:
        """Sheet/section name → (bilingual title, frame in fen), in reading order."""
        return {
            "summary": ("Summary 汇总", self.summary),
            "warnings": ("Rules that flagged too much: the local standard probably differs "
                         "from the rules file 规则标记比例过高：当地标准可能与规则文件不同",
                         self.warnings),
            "not_checked": ("Not checked: local standards the rules file does not set "
                            "未检查：规则文件未设的当地标准", self.not_checked),
            "ledger": ("Funds per county × programme × year 分县区项目年度资金", self.ledger),
            "at_risk": ("Money at risk by finding category 风险资金(按问题类别)", self.at_risk),
            "late_payments": ("Payments past the 31 March deadline 逾期支付", self.late_payments),
            "vouchers": ("Vouchers never written off 未核销培训券", self.vouchers),
            "findings": ("Findings behind the money at risk 风险资金对应问题", self.attribution),
        }


def fund_report(views: Views, county: str | None = None, year: int | None = None
                ) -> FundReport:
    """Build every table of the report from the views, as of the views' point."""
    base = ledger(views)
    notes = run_notes(views)
    attribution = _attribute(views)
    vouchers = _vouchers(views)
    late = _late_payments(views)
    if county is not None or year is not None:
        keep = _in_scope(attribution, county, year)
        attribution = attribution[keep & attribution["county"].notna()]
        base = base[_in_scope(base, county, year)]
        vouchers = vouchers[_in_scope(vouchers, county, year)]
        late = late[_in_scope(late, county, year)]
    total = int(attribution["at_risk_fen"].sum())
    at_risk = _at_risk_table(attribution)
    table = _ledger_table(base, at_risk, vouchers)
    return FundReport(
        as_of=views.as_of.label, county=county, year=year,
        summary=_summary(table, attribution, late, vouchers),
        ledger=table, at_risk=at_risk, late_payments=late.reset_index(drop=True),
        vouchers=vouchers.reset_index(drop=True),
        attribution=attribution.reset_index(drop=True), findings_total_fen=total,
        warnings=_warnings(notes), not_checked=_not_checked(notes))


def _warnings(notes: RunNotes) -> pd.DataFrame:
    """One row per rule the guard doubts, with its share flagged and the sentence."""
    rows = [{"code": code, "share": f"{g['share']:.0%}", "flagged": int(g["flagged"]),
             "examined": int(g["examined"]), "subjects": f"{g['subjects_en']} {g['subjects_zh']}",
             "warning": f"{g['zh']} / {g['en']}"} for code, g in notes.guards.items()]
    return pd.DataFrame(rows, columns=["code", "share", "flagged", "examined", "subjects",
                                       "warning"])


def _not_checked(notes: RunNotes) -> pd.DataFrame:
    """One row per rule × thing it did not check, with the key that would let it."""
    rows = [{"code": code, "what": f"{n['zh']} / {n['en']}", "count": int(n["count"]),
             "key": n["key"]} for code, ns in notes.not_checked.items() for n in ns]
    return pd.DataFrame(rows, columns=["code", "what", "count", "key"])


# -- findings → keys ------------------------------------------------------------------------

def _ids(value: object) -> list[str]:
    return list(json.loads(value)) if isinstance(value, str) and value else []


def _attribute(views: Views) -> pd.DataFrame:
    """One row per finding × key it is attributed to, with its share of the money (fen)."""
    findings = current_findings(views)
    claims = views.claims
    claim_key = {cid: (r.county, r.program, int(r.year))
                 for cid, r in zip(claims.index, claims.itertuples(), strict=True)}
    pay = views.payments
    pay_key = {r.payment_id: (r.county, r.program, int(r.year)) for r in pay.itertuples()}
    rows = []
    for fid, f in findings.iterrows():
        amount = int(f["amount_at_risk_fen"]) if pd.notna(f["amount_at_risk_fen"]) else 0
        keys = sorted({claim_key[c] for c in _ids(f["claim_ids"]) if c in claim_key})
        if not keys:
            keys = sorted({pay_key[p] for p in _ids(f["payment_ids"]) if p in pay_key})
        shares = _split(amount, len(keys)) if keys else [amount]
        for key, share in zip(keys or [(None, None, None)], shares, strict=True):
            rows.append({"finding_id": fid, "code": f["code"], "category": f["category"],
                         "severity": f["severity"], "county": key[0], "program": key[1],
                         "year": key[2], "at_risk_fen": share, "guard": f["guard"]})
    cols = ["finding_id", "code", "category", "severity", *KEYS, "at_risk_fen", "guard"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["year"] = frame["year"].astype("Int64")
    frame["at_risk_fen"] = frame["at_risk_fen"].astype("int64")
    return frame.sort_values([*KEYS, "category", "finding_id"], kind="stable",
                             na_position="last").reset_index(drop=True)


def _split(amount: int, n: int) -> list[int]:
    """``amount`` fen in ``n`` shares that differ by at most one fen and add up exactly."""
    base, extra = divmod(amount, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _at_risk_table(attribution: pd.DataFrame) -> pd.DataFrame:
    """County × programme × year × category: distinct findings and their share at risk."""
    a = attribution.assign(county=attribution["county"].fillna(UNATTRIBUTED),
                           program=attribution["program"].fillna(""))
    out = a.groupby(["county", "program", "year", "category"], dropna=False, sort=True).agg(
        findings=("finding_id", "nunique"), at_risk_fen=("at_risk_fen", "sum")).reset_index()
    out["category_zh"] = out["category"].map(CATEGORY_ZH).fillna("")
    out["findings"] = out["findings"].astype("int64")
    out["at_risk_fen"] = out["at_risk_fen"].astype("int64")
    return out[["county", "program", "year", "category", "category_zh", "findings",
                "at_risk_fen"]]


# -- payments and vouchers ------------------------------------------------------------------

def _late_payments(views: Views) -> pd.DataFrame:
    """Each payment after 31 March of the year after its claim's year."""
    p = views.payments
    p = p[p["late"]].copy()
    p["days_late"] = (pd.to_datetime(p["paid_on"]) - pd.to_datetime(p["deadline"])).dt.days
    cols = ["payment_id", "claim_id", *KEYS, "paid_on", "deadline", "days_late",
            "amount_fen", "recovered_fen"]
    out = p[cols].sort_values(["year", "county", "program", "paid_on", "payment_id"])
    return out.astype({"days_late": "int64", "amount_fen": "int64", "recovered_fen": "int64",
                       "year": "int64"})


def _vouchers(views: Views) -> pd.DataFrame:
    """Every voucher without a write-off, its stage, its class's county and programme."""
    v = views.vouchers
    v = v[v["written_off_at"].isna()].reset_index()
    classes = views.classes
    class_id = v["redeemed_class_id"].fillna(v["used_in_class"])
    findings = current_findings(views)
    flagged = findings[findings["code"] == VOUCHER_CODE]
    flag = dict(zip(flagged["subject_id"], flagged.index, strict=True))
    out = pd.DataFrame({
        "voucher_id": v["voucher_id"],
        "person_id": v["person_id"].map(lambda x: mask_person_id(x) if isinstance(x, str)
                                        else x),
        "kind": v["kind"], "occupation": v["occupation"],
        "issued_on": v["occurred_at"].str.slice(0, 10), "expires_on": v["expires_on"],
        "stage": v["stage"], "redeemed_fen": v["redeemed_fen"].astype("int64"),
        "redeemed_on": v["redeemed_at"].str.slice(0, 10), "class_id": class_id,
        "county": class_id.map(classes["county"]) if len(classes) else None,
        "program": class_id.map(classes["program"]) if len(classes) else None,
        "year": pd.to_numeric(v["occurred_at"].str.slice(0, 4)).astype("Int64"),
        "finding_id": v["voucher_id"].map(flag),
    })
    return out.sort_values(["stage", "voucher_id"], kind="stable")


# -- the per-key table and the summary ------------------------------------------------------

def _ledger_table(base: pd.DataFrame, at_risk: pd.DataFrame,
                  vouchers: pd.DataFrame) -> pd.DataFrame:
    """The ledger with at-risk money per category and open vouchers beside it.

    Findings that name no claim or payment add one last row, ``UNATTRIBUTED``.
    """
    known = at_risk[at_risk["county"] != UNATTRIBUTED]
    risk = _risk_columns(known.astype({"year": "int64"})).reset_index()
    redeemed = vouchers[vouchers["redeemed_on"].notna() & vouchers["county"].notna()]
    open_v = redeemed.astype({"year": "int64"}).groupby(KEYS).agg(
        vouchers_open=("voucher_id", "size"), vouchers_open_fen=("redeemed_fen", "sum"))
    frame = base.set_index(KEYS).join(risk.set_index(KEYS), how="outer")
    frame = frame.join(open_v, how="outer").reset_index()
    unattributed = at_risk[at_risk["county"] == UNATTRIBUTED]
    if len(unattributed):
        row = _risk_columns(unattributed.assign(year=0)).reset_index()
        frame = pd.concat([frame, row.assign(year=None)], ignore_index=True)
    cols = [*KEYS, "allocated_fen", "claimed_fen", "approved_fen", "paid_fen",
            "recovered_fen", "remaining_fen", "at_risk_fen",
            *[f"at_risk_{c}_fen" for c in CATEGORIES], "findings", "late_payments",
            "paid_late_fen", "vouchers_open", "vouchers_open_fen"]
    frame = frame.reindex(columns=cols)
    filled = [c for c in cols if c not in KEYS]
    frame[filled] = frame[filled].fillna(0).astype("int64")
    frame["year"] = frame["year"].astype("Int64")
    return frame


def _risk_columns(at_risk: pd.DataFrame) -> pd.DataFrame:
    """Per key: at risk per category, their total and the number of distinct findings."""
    keys = ["county", "program", "year"]
    risk = at_risk.groupby([*keys, "category"])["at_risk_fen"].sum().unstack(
        "category", fill_value=0)
    total = risk.sum(axis=1)  # every category, even one this report has no column for
    risk = risk.reindex(columns=list(CATEGORIES), fill_value=0)
    risk.columns = [f"at_risk_{c}_fen" for c in risk.columns]
    risk["at_risk_fen"] = total
    risk["findings"] = at_risk.groupby(keys)["findings"].sum()
    return risk


def _summary(table: pd.DataFrame, attribution: pd.DataFrame, late: pd.DataFrame,
             vouchers: pd.DataFrame) -> pd.DataFrame:
    """The report's totals: one row per item, with an amount (fen) and/or a count."""
    rows: list[tuple[str, int | None, int | None]] = []
    for col in ("allocated_fen", "claimed_fen", "approved_fen", "paid_fen", "recovered_fen",
                "remaining_fen"):
        rows.append((HEADINGS[col], int(table[col].sum()), None))
    rows.append(("at risk (all findings) 风险资金合计", int(attribution["at_risk_fen"].sum()),
                 int(attribution["finding_id"].nunique())))
    for c in CATEGORIES:
        part = attribution[attribution["category"] == c]
        rows.append((HEADINGS[f"at_risk_{c}_fen"], int(part["at_risk_fen"].sum()),
                     int(part["finding_id"].nunique())))
    gone = attribution[attribution["county"].isna()]
    rows.append((f"at risk, {UNATTRIBUTED}", int(gone["at_risk_fen"].sum()),
                 int(gone["finding_id"].nunique())))
    doubted = attribution[attribution["guard"].notna()]
    rows.append(("at risk, from rules the guard doubts 其中来自存疑规则",
                 int(doubted["at_risk_fen"].sum()), int(doubted["finding_id"].nunique())))
    rows.append(("paid past the deadline 逾期支付", int(late["amount_fen"].sum()), len(late)))
    redeemed = vouchers[vouchers["redeemed_on"].notna()]
    rows.append(("redeemed vouchers not written off 兑现未核销培训券",
                 int(redeemed["redeemed_fen"].sum()), len(redeemed)))
    rows.append(("of which flagged 其中已立问题 (" + VOUCHER_CODE + ")",
                 int(redeemed[redeemed["finding_id"].notna()]["redeemed_fen"].sum()),
                 int(redeemed["finding_id"].notna().sum())))
    rows.append(("vouchers not written off, all stages 未核销培训券(全部环节)", None,
                 len(vouchers)))
    out = pd.DataFrame(rows, columns=["item", "amount_fen", "count"])
    return out.astype({"amount_fen": "Int64", "count": "Int64"})


def _in_scope(frame: pd.DataFrame, county: str | None, year: int | None) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    if county is not None:
        keep &= frame["county"] == county
    if year is not None:
        keep &= frame["year"] == year
    return keep.fillna(False).astype(bool)


# -- presentation ---------------------------------------------------------------------------

def yuan(value: object) -> Decimal | None:
    """Exact yuan of a fen amount; missing stays missing."""
    return None if value is None or pd.isna(value) else to_yuan(int(value))  # type: ignore[arg-type]


def display(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame for people: fen columns as ``Decimal`` yuan, bilingual headings, no NaN."""
    out = frame.astype(object).where(frame.notna(), None)
    for col in frame.columns:
        if col.endswith("_fen"):
            out[col] = [yuan(v) for v in frame[col]]
    return out.rename(columns=lambda c: HEADINGS.get(c, c))

"""COMP_VOUCHER_NOT_WRITTEN_OFF: a redeemed voucher never written off (兑现未核销).

The voucher loop is 申请-发券-培训(评价)-兑现-核销. A voucher that was redeemed
(兑现) but has no ``VoucherWrittenOff`` more than ``grace_days`` after its
redemption, as of the latest date in the data, fires. When the voucher names a
class (by its redemption or the enrolment that used it) and
``require_paid_training`` is set, the class's training must also have been paid
to the voucher's holder's claim (a paid claim of that class with an item for
the holder); an evaluation voucher (no class) fires on its redemption alone.
An issued voucher that expired unused is the look-alike and stays silent. The
redeemed amount is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import lists_by, yuan
from detectors.constraints import Severity, Whole
from projections.chinatime import CHINA

CODE = "COMP_VOUCHER_NOT_WRITTEN_OFF"
CATEGORY = "compliance"

TS_FRAMES = ("payments", "claim_items", "checkins", "certificates", "assessments",
             "employment", "budgets", "person_history", "spot_checks", "skill_upgrade_payments")


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    grace_days: Whole = 90
    require_paid_training: bool = True


def latest_date(frames: Frames) -> str | None:
    """The latest local date any event in the frames carries (the data's 'today')."""
    best = None
    for name in TS_FRAMES:
        f = getattr(frames, name)
        if f.empty or "occurred_ts" not in f.columns:
            continue
        ts = pd.to_numeric(f["occurred_ts"], errors="coerce").max()
        if ts == ts:
            d = datetime.fromtimestamp(int(ts), CHINA).date().isoformat()
            best = d if best is None or d > best else best
    v = frames.vouchers
    for col in ("occurred_at", "redeemed_at", "written_off_at"):
        if col in v.columns and v[col].notna().any():
            d = str(v[col].max())[:10]  # the latest time's date: no slicing every value
            best = d if best is None or d > best else best
    return best


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every redeemed voucher (only those can be waiting for their write-off)."""
    v = frames.vouchers
    return [Examined.of("voucher", v.index[v["redeemed_at"].notna()], "redeemed vouchers",
                        "已兑现的培训券", ("grace_days",))]


def detect(frames: Frames, p: Params) -> list[Finding]:
    v = frames.vouchers
    if v.empty:
        return []
    v = v[v["redeemed_at"].notna() & v["written_off_at"].isna()]
    if v.empty:
        return []
    today = latest_date(frames)
    if today is None:
        return []
    redeemed_on = pd.to_datetime(v["redeemed_at"].str.slice(0, 10), errors="coerce")
    waited = (pd.Timestamp(date.fromisoformat(today)) - redeemed_on).dt.days
    v = v.assign(waited=waited, class_id=v["redeemed_class_id"].fillna(v["used_in_class"]))
    v = v[v["waited"] > p.grace_days].reset_index()
    if v.empty:
        return []
    # The holder's paid claims for the voucher's class.
    claims = frames.claims
    paid = claims.loc[(claims["paid_fen"] > 0) & claims["class_id"].notna(), ["class_id"]]
    items = frames.claim_items[["claim_id", "person_id", "position"]]
    items = items[items["claim_id"].isin(paid.index)].merge(paid, left_on="claim_id",
                                                            right_index=True)
    link = v[["voucher_id", "person_id", "class_id"]].merge(items, on=["person_id", "class_id"])
    pays = frames.payments[["payment_id", "claim_id", "position"]]
    link_pay = link[["voucher_id", "claim_id"]].drop_duplicates().merge(
        pays.rename(columns={"position": "pay_position"}), on="claim_id")
    paid_vouchers = set(link["voucher_id"])
    if p.require_paid_training:
        v = v[v["class_id"].isna() | v["voucher_id"].isin(paid_vouchers)]
    if v.empty:
        return []
    # per voucher: plain lists (one pass each; a sub-frame per finding costs far more)
    link_pos = lists_by(link["voucher_id"], link["position"])
    link_claims = lists_by(link["voucher_id"], link["claim_id"])
    pay_pos = lists_by(link_pay["voucher_id"], link_pay["pay_position"])
    pay_ids = lists_by(link_pay["voucher_id"], link_pay["payment_id"])
    roster = frames.roster
    roster = roster[roster["voucher_id"].isin(v["voucher_id"])]
    enrolled = lists_by(roster["voucher_id"], roster["enrol_position"])
    classes = frames.classes
    out = []
    for r in v.sort_values("voucher_id").itertuples(index=False):
        class_id = r.class_id if isinstance(r.class_id, str) else None
        lk = link_claims.get(r.voucher_id)
        pk = pay_ids.get(r.voucher_id)
        evidence = [getattr(r, "position", None), *enrolled.get(r.voucher_id, ()),
                    *link_pos.get(r.voucher_id, ()), *pay_pos.get(r.voucher_id, ())]
        inst = [classes.at[class_id, "institution_id"]] if class_id in classes.index else []
        amount = int(r.redeemed_fen)
        paid_zh = f"，培训补贴已支付（{'、'.join(sorted(set(pk)))}）" if pk is not None else ""
        paid_en = f"; the training was paid ({', '.join(sorted(set(pk)))})" \
            if pk is not None else ""
        what_zh = f"班级 {class_id}" if class_id else "评价"
        what_en = f"class {class_id}" if class_id else "an evaluation"
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Redeemed voucher never written off",
            zh=(f"培训券 {r.voucher_id} 于 {r.redeemed_at[:10]} 兑现 {yuan(amount)} 元（{what_zh}）"
                f"{paid_zh}，至 {today} 已 {int(r.waited)} 天仍未核销（宽限 {p.grace_days} 天）"),
            en=(f"voucher {r.voucher_id} was redeemed for {yuan(amount)} yuan on "
                f"{r.redeemed_at[:10]} ({what_en}){paid_en}, and is still not written off "
                f"{int(r.waited)} days later on {today} (grace {p.grace_days} days)"),
            subject_type="voucher", subject_id=r.voucher_id, amount_at_risk_fen=amount,
            person_ids=[r.person_id] if isinstance(r.person_id, str) else [],
            class_ids=[class_id] if class_id else [], institution_ids=inst,
            claim_ids=lk or [], payment_ids=pk or [],
            evidence=evidence,
            # facts that stay put while the data's "today" moves on, so the finding is not
            # "changed" every day (a dismissal would reopen, a stream would re-alert);
            # the explanation says how long it has been at first detection
            observed={"redeemed_on": r.redeemed_at[:10], "redeemed_fen": amount,
                      "overdue_since": (date.fromisoformat(r.redeemed_at[:10])
                                        + timedelta(days=p.grace_days)).isoformat(),
                      "grace_days": p.grace_days, "training_paid": pk is not None},
        ))
    return out


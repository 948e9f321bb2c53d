"""FRAUD_PAY_WRONG_ACCOUNT: a subsidy paid to an account that is not the claimant's (冒领).

The payment's ``bank_account`` is compared with the claimant's account *as of
the payment*: the last account its registration/update rows gave before the
payment (``person_history`` for persons, ``institution_history`` for
institutions, the employer's registration for employers). A claimant whose
first known account was recorded after the payment (back-filled registration)
is compared with that first account. So an account changed through
PersonUpdated before the payment is the claimant's, and a payment to it stays
silent. Accounts are compared without spaces and case. A claimant with no known
account cannot be judged and is skipped. When the paid account is registered to
someone else, the finding names the owner. The payment, net of recoveries, is
at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import isin, normalise_contact, yuan
from detectors.constraints import Severity

CODE = "FRAUD_PAY_WRONG_ACCOUNT"
CATEGORY = "subsidy_fraud"

KIND_ZH = {"person": "个人", "institution": "机构", "employer": "企业"}


@dataclass(frozen=True)
class Params:
    severity: Severity = "critical"


def _accounts(frames: Frames) -> pd.DataFrame:
    """Every known account of every claimant: key (type, id), time, account, position."""
    parts = []
    ph = frames.person_history
    if not ph.empty:
        parts.append(pd.DataFrame({"owner_type": "person", "owner_id": ph["person_id"],
                                   "ts": ph["occurred_ts"], "account": ph["bank_account"],
                                   "acc_position": ph["position"]}))
    ih = frames.institution_history
    if not ih.empty:
        parts.append(pd.DataFrame({"owner_type": "institution", "owner_id": ih["institution_id"],
                                   "ts": ih["occurred_ts"], "account": ih["bank_account"],
                                   "acc_position": ih["position"]}))
    em = frames.employers
    if not em.empty:
        ts = (pd.to_datetime(em["registered_at"], utc=True, format="ISO8601", errors="coerce")
              - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
        parts.append(pd.DataFrame({"owner_type": "employer", "owner_id": em.index,
                                   "ts": ts.to_numpy(), "account": em["bank_account"].to_numpy(),
                                   "acc_position": em["position"].to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["owner_type", "owner_id", "ts", "account", "shown",
                                     "acc_position", "key"])
    a = pd.concat(parts, ignore_index=True)
    a = a[a["account"].notna() & a["ts"].notna()]
    a = a.assign(shown=a["account"], account=normalise_contact(a["account"]),
                 ts=a["ts"].astype("int64"),
                 key=a["owner_type"] + "\x1f" + a["owner_id"].astype(str))
    return a[a["account"] != ""]


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every payment to a known claim's claimant that names an account."""
    pay = frames.payments
    pay = pay[pay["claim_id"].isin(frames.claims.index) & pay["bank_account"].notna()]
    return [Examined.of("payment", pay["payment_id"], "payments to a claimant's account",
                        "付往申领人账户的付款")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    pay = frames.payments
    if pay.empty:
        return []
    claims = frames.claims.reindex(
        columns=["claimant_type", "claimant_id", "class_id", "position"])
    m = pay[["payment_id", "claim_id", "amount_fen", "recovered_fen", "bank_account",
             "position", "occurred_ts", "occurred_at"]].join(
        claims.rename(columns={"position": "claim_position"}), on="claim_id", how="inner")
    m = m[m["claimant_id"].notna() & m["bank_account"].notna()]
    acc = _accounts(frames)
    if m.empty or acc.empty:
        return []
    m = m.assign(key=m["claimant_type"].astype(str) + "\x1f" + m["claimant_id"].astype(str),
                 paid_shown=m["bank_account"], paid_account=normalise_contact(m["bank_account"]),
                 ts=m["occurred_ts"].astype("int64"))
    m = m[isin(m["key"], acc["key"])]
    if m.empty:
        return []
    acc = acc.sort_values(["ts", "acc_position"], kind="stable")
    asof = pd.merge_asof(m.sort_values("ts"),
                         acc[["key", "ts", "account", "shown", "acc_position"]],
                         on="ts", by="key", direction="backward")
    first = acc.groupby("key")[["account", "shown", "acc_position"]].first()
    missing = asof["account"].isna()
    asof["account"] = asof["account"].fillna(asof["key"].map(first["account"]))
    asof["shown"] = asof["shown"].fillna(asof["key"].map(first["shown"]))
    asof["acc_position"] = asof["acc_position"].astype("float64").fillna(
        asof["key"].map(first["acc_position"]))
    asof["backfilled"] = missing
    wrong = asof[asof["paid_account"] != asof["account"]].sort_values("position")
    if wrong.empty:
        return []
    # Who else holds the paid account (latest rows first), and whether the claimant ever did.
    owners = acc[acc["account"].isin(wrong["paid_account"])].sort_values(
        ["ts", "acc_position"], ascending=False)
    held = set(zip(owners["key"], owners["account"], strict=True))
    owner_of = owners.drop_duplicates("account").set_index("account")
    classes = frames.classes
    out = []
    for r in wrong.itertuples(index=False):
        net = max(int(r.amount_fen or 0) - int(r.recovered_fen or 0), 0)
        class_id = r.class_id if isinstance(r.class_id, str) else None
        persons = [r.claimant_id] if r.claimant_type == "person" else []
        institutions = [r.claimant_id] if r.claimant_type == "institution" else []
        if class_id and class_id in classes.index:
            institutions.append(classes.at[class_id, "institution_id"])
        owner_zh = owner_en = ""
        owner = None
        evidence = [r.position, r.claim_position, r.acc_position]
        if r.paid_account in owner_of.index:
            o = owner_of.loc[r.paid_account]
            if o["key"] != r.key:
                owner = f"{o['owner_type']}:{o['owner_id']}"
                owner_zh = f"，该账户登记在{KIND_ZH.get(o['owner_type'], '')} {o['owner_id']} 名下"
                owner_en = f"; that account is registered to {o['owner_type']} {o['owner_id']}"
                evidence.append(o["acc_position"])
                if o["owner_type"] == "person":
                    persons.append(o["owner_id"])
                elif o["owner_type"] == "institution":
                    institutions.append(o["owner_id"])
        former = (r.key, r.paid_account) in held
        if former:
            owner_zh += "（申领人在其他时间登记过该账户）"
            owner_en += " (the claimant held it at another time)"
        kind = r.claimant_type
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Subsidy paid to an account that is not the claimant's",
            zh=(f"付款 {r.payment_id}（{yuan(net)} 元）打入账户 {r.paid_shown}，而申领"
                f"{KIND_ZH.get(kind, '')} {r.claimant_id} 付款时的登记账户为 {r.shown}"
                f"{owner_zh}"),
            en=(f"payment {r.payment_id} of {yuan(net)} yuan went to account {r.paid_shown}, "
                f"but {kind} claimant {r.claimant_id} had account {r.shown} at the time"
                f"{owner_en}"),
            subject_type="payment", subject_id=r.payment_id, amount_at_risk_fen=net,
            person_ids=persons, class_ids=[class_id] if class_id else [],
            institution_ids=institutions, claim_ids=[r.claim_id], payment_ids=[r.payment_id],
            evidence=evidence,
            observed={"paid_account": r.paid_shown, "claimant_account": r.shown,
                      "claimant_type": kind, "account_owner": owner,
                      "claimant_held_it_at_another_time": former,
                      "account_recorded_after_payment": bool(r.backfilled),
                      "net_paid_fen": net},
        ))
    return out

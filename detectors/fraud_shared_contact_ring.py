"""FRAUD_SHARED_CONTACT_RING: subsidised trainees sharing one phone or bank account (冒名顶替团伙).

Several distinct subsidised trainees (named in claim items) whose registered
phone or bank account is the same one, or whose own subsidy (claims with a
person claimant) was paid into one account: a broker collecting other
people's subsidies. At least ``min_persons`` distinct persons must share the
value; a couple sharing a home phone, or namesakes with their own contacts,
stay silent. The value is shown masked. Every claim item of the ring's
members is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors.base import Finding, Frames
from detectors.common import normalise_contact, yuan

CODE = "FRAUD_SHARED_CONTACT_RING"
CATEGORY = "subsidy_fraud"

_KIND_ZH = {"phone": "手机号", "bank_account": "银行账户"}
_KIND_EN = {"phone": "phone number", "bank_account": "bank account"}


@dataclass(frozen=True)
class Params:
    severity: str = "high"
    min_persons: int = 3


def mask(value: str) -> str:
    """Keep the first 4 characters (and the last 4 of a long number), star the rest."""
    if len(value) >= 12:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    return value[:4] + "*" * max(len(value) - 4, 0)



def detect(frames: Frames, p: Params) -> list[Finding]:
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    subsidised = pd.Index(items["person_id"].dropna().unique())
    if subsidised.empty:
        return []
    persons = frames.persons
    known = persons.loc[persons.index.isin(subsidised), ["phone", "bank_account", "position"]]
    pairs = [pd.DataFrame({"person_id": known.index, "kind": kind,
                           "value": normalise_contact(known[kind]).to_numpy()})
             for kind in ("phone", "bank_account")]
    # Money: payments of claims made by the persons themselves.
    claims = frames.claims
    own = claims[claims["claimant_type"] == "person"]
    pay = frames.payments
    pay = pay[pay["claim_id"].isin(own.index)]
    paid = pd.DataFrame({"person_id": pay["claim_id"].map(own["claimant_id"]).to_numpy(),
                         "kind": "bank_account",
                         "value": normalise_contact(pay["bank_account"]).to_numpy()})
    pairs.append(paid[paid["person_id"].isin(subsidised)])
    allp = pd.concat(pairs, ignore_index=True).dropna(subset=["person_id", "value"])
    allp = allp.drop_duplicates()
    n = allp.groupby(["kind", "value"])["person_id"].nunique()
    rings = n[n >= p.min_persons]
    if rings.empty:
        return []

    members = allp.merge(rings.rename("n").reset_index(), on=["kind", "value"])
    by_ring = {k: sorted(set(g["person_id"])) for k, g in members.groupby(["kind", "value"])}
    items = items[items["person_id"].isin(members["person_id"].unique())]
    items = items.join(claims[["class_id", "claimant_type", "claimant_id"]], on="claim_id")
    classes = frames.classes
    history = frames.person_history
    history = history[history["person_id"].isin(members["person_id"].unique())]
    history = history.assign(phone=normalise_contact(history["phone"]),
                             bank_account=normalise_contact(history["bank_account"]))
    pay = pay.assign(account=normalise_contact(pay["bank_account"]))
    out = []
    for (kind, value), count in rings.sort_index().items():
        people = by_ring[(kind, value)]
        pi = items[items["person_id"].isin(people)]
        claimed = int(pi["amount_fen"].fillna(0).sum())
        class_ids = set(pi["class_id"].dropna())
        institutions = {classes.at[c, "institution_id"] for c in class_ids
                        if c in classes.index}
        institutions |= set(pi.loc[pi["claimant_type"] == "institution", "claimant_id"])
        h = history[history["person_id"].isin(people)]
        h = h[h[kind] == value]
        payments = pay[pay["account"] == value] if kind == "bank_account" else pay.iloc[:0]
        shown = mask(str(value))
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Several subsidised trainees share one phone or bank account",
            zh=(f"{count} 名受补贴学员共用同一{_KIND_ZH[kind]} {shown}（阈值 {p.min_persons} "
                f"人），共申领补贴 {yuan(claimed)} 元"),
            en=(f"{count} subsidised trainees share one {_KIND_EN[kind]} {shown} "
                f"(threshold {p.min_persons}); {yuan(claimed)} yuan claimed for them"),
            subject_type="person", subject_id=people[0], amount_at_risk_fen=claimed,
            person_ids=people, class_ids=class_ids, institution_ids=institutions,
            claim_ids=set(pi["claim_id"]) | set(payments["claim_id"]),
            payment_ids=set(payments["payment_id"]),
            evidence=[*h["position"], *pi["position"], *payments["position"]],
            observed={"kind": kind, "value_masked": shown, "persons": int(count),
                      "claimed_fen": claimed},
        ))
    return out

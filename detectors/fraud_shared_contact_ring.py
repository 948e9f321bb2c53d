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

from detectors.base import Examined, Finding, Frames
from detectors.common import isin, missing, normalise_contact, yuan
from detectors.constraints import Severity, Whole
from engine.privacy import mask_account, mask_phone

CODE = "FRAUD_SHARED_CONTACT_RING"
CATEGORY = "subsidy_fraud"

_KIND_ZH = {"phone": "手机号", "bank_account": "银行账户"}
_KIND_EN = {"phone": "phone number", "bank_account": "bank account"}


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_persons: Whole = 3


_MASK = {"phone": mask_phone, "bank_account": mask_account}


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person named in a claim item (a ring's subject is one of its members)."""
    return [Examined.of("person", frames.claim_items["person_id"], "persons claimed for",
                        "被申领补贴的人员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    subsidised = pd.Index(items["person_id"].dropna().unique())
    if subsidised.empty:
        return []
    persons = frames.persons
    known = persons.loc[isin(persons.index, subsidised), ["phone", "bank_account", "position"]]
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
    pairs.append(paid[isin(paid["person_id"], subsidised)])
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
    # per person and per contact value, as plain lists (a filter per ring costs far more)
    by_person: dict[str, list[tuple]] = {}
    for row in zip(items["person_id"].tolist(), items["amount_fen"].tolist(),
                   items["class_id"].tolist(), items["claimant_type"].tolist(),
                   items["claimant_id"].tolist(), items["claim_id"].tolist(),
                   items["position"].tolist(), strict=True):
        by_person.setdefault(row[0], []).append(row[1:])
    seen: dict[tuple[str, object], list[tuple[str, int]]] = {}
    for kind in ("phone", "bank_account"):
        for pid, value, pos in zip(history["person_id"].tolist(),
                                   normalise_contact(history[kind]).tolist(),
                                   history["position"].tolist(), strict=True):
            seen.setdefault((kind, value), []).append((pid, pos))
    paid_to: dict[object, list[tuple]] = {}
    for row in zip(normalise_contact(pay["bank_account"]).tolist(), pay["claim_id"].tolist(),
                   pay["payment_id"].tolist(), pay["position"].tolist(), strict=True):
        paid_to.setdefault(row[0], []).append(row[1:])
    out = []
    for (kind, value), count in rings.sort_index().items():
        people = by_ring[(kind, value)]
        mine = [r for person in people for r in by_person.get(person, ())]
        claimed = sum(int(r[0]) for r in mine if not missing(r[0]))
        class_ids = {r[1] for r in mine if isinstance(r[1], str)}
        institutions = {classes.at[c, "institution_id"] for c in class_ids
                        if c in classes.index}
        institutions |= {r[3] for r in mine if r[2] == "institution"}
        members_set = set(people)
        h_pos = [pos for pid, pos in seen.get((kind, value), ()) if pid in members_set]
        payments = paid_to.get(value, []) if kind == "bank_account" else []
        shown = _MASK[kind](str(value))
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Several subsidised trainees share one phone or bank account",
            zh=(f"{count} 名受补贴学员共用同一{_KIND_ZH[kind]} {shown}（阈值 {p.min_persons} "
                f"人），共申领补贴 {yuan(claimed)} 元"),
            en=(f"{count} subsidised trainees share one {_KIND_EN[kind]} {shown} "
                f"(threshold {p.min_persons}); {yuan(claimed)} yuan claimed for them"),
            subject_type="person", subject_id=people[0], amount_at_risk_fen=claimed,
            person_ids=people, class_ids=class_ids, institution_ids=institutions,
            claim_ids={r[4] for r in mine} | {r[0] for r in payments},
            payment_ids={r[1] for r in payments},
            evidence=[*h_pos, *(r[5] for r in mine), *(r[2] for r in payments)],
            observed={"kind": kind, "value_masked": shown, "persons": int(count),
                      "claimed_fen": claimed},
        ))
    return out

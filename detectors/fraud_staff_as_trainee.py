"""FRAUD_STAFF_AS_TRAINEE: an institution's own people enrolled as its trainees (自训自报).

A trainee enrolled in an institution's class, or claimed for by the
institution, who is the institution's legal representative (same ID number),
or whose registered phone or bank account is the institution's own. An
enterprise training centre's legal representative in its own enterprise-
employee or apprentice class is that enterprise's employee training, not a
ring, so that one match is skipped there. Everything claimed for the person in
that institution's classes or claims is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors._subsidies import people_in_training
from detectors.base import Examined, Finding, Frames
from detectors.common import class_positions, isin, missing, normalise_contact, yuan
from detectors.constraints import Severity
from engine.privacy import mask_account, mask_person_id, mask_phone

CODE = "FRAUD_STAFF_AS_TRAINEE"
CATEGORY = "subsidy_fraud"

_OWN_STAFF_MODES = ("enterprise", "apprentice")


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"





def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every person enrolled, checked in or claimed for."""
    return [Examined.of("person", people_in_training(frames), "enrolled or claimed-for persons",
                        "报名、签到或被申领补贴的人员")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    classes = frames.classes
    institutions = frames.institutions
    if institutions.empty:
        return []
    roster = frames.roster[["class_id", "person_id", "enrol_position"]]
    r = roster.join(classes[["institution_id", "mode"]], on="class_id")
    claims = frames.claims
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    items = items.join(claims[["class_id", "claimant_type", "claimant_id"]], on="claim_id")
    items["institution_id"] = items["class_id"].map(classes["institution_id"]).astype("string")
    by_claimant = (items["claimant_type"] == "institution").fillna(False).astype(bool)
    items["institution_id"] = items["institution_id"].fillna(
        items["claimant_id"].astype("string").where(by_claimant))
    items["mode"] = items["class_id"].map(classes["mode"]).astype("string")
    pairs = pd.concat([r[["person_id", "institution_id", "mode"]],
                       items[["person_id", "institution_id", "mode"]]], ignore_index=True)
    pairs = pairs.dropna(subset=["person_id", "institution_id"])
    if pairs.empty:
        return []
    inst = institutions[["kind", "legal_rep_id", "phone", "bank_account"]].copy()
    inst["phone"] = normalise_contact(inst["phone"])
    inst["bank_account"] = normalise_contact(inst["bank_account"])
    persons = frames.persons
    persons = persons.loc[isin(persons.index, pairs["person_id"].unique()),
                          ["phone", "bank_account", "position"]].copy()
    persons["phone"] = normalise_contact(persons["phone"])
    persons["bank_account"] = normalise_contact(persons["bank_account"])
    m = pairs.join(inst, on="institution_id").merge(
        persons.add_suffix("_p"), left_on="person_id", right_index=True, how="left")
    own_staff_class = ((m["kind"] == "enterprise").fillna(False).astype(bool)
                       & m["mode"].isin(_OWN_STAFF_MODES).astype(bool))
    m["rep"] = (m["person_id"] == m["legal_rep_id"]).fillna(False).astype(bool) \
        & ~own_staff_class
    m["same_phone"] = (m["phone_p"] == m["phone"]).fillna(False).astype(bool)
    m["same_bank"] = (m["bank_account_p"] == m["bank_account"]).fillna(False).astype(bool)
    hits = m[m["rep"] | m["same_phone"] | m["same_bank"]]
    if hits.empty:
        return []
    flags = hits.groupby(["person_id", "institution_id"])[["rep", "same_phone",
                                                           "same_bank"]].any()
    hit_people = flags.index.get_level_values("person_id").unique()
    r = r[r["person_id"].isin(hit_people)]
    items = items[items["person_id"].isin(hit_people)]
    # per (person, institution), as plain lists (a filter per finding costs far more)
    enrolled: dict[tuple, list[tuple]] = {}
    for pid, iid, cid, pos in zip(r["person_id"].tolist(), r["institution_id"].tolist(),
                                  r["class_id"].tolist(), r["enrol_position"].tolist(),
                                  strict=True):
        enrolled.setdefault((pid, iid), []).append((cid, pos))
    claimed_for: dict[tuple, list[tuple]] = {}
    for pid, iid, *rest in zip(items["person_id"].tolist(), items["institution_id"].tolist(),
                               items["amount_fen"].tolist(), items["class_id"].tolist(),
                               items["claim_id"].tolist(), items["position"].tolist(),
                               strict=True):
        claimed_for.setdefault((pid, iid), []).append(tuple(rest))
    out = []
    for (pid, iid), *bits in flags.sort_index().itertuples(name=None):
        f = dict(zip(("rep", "same_phone", "same_bank"), bits, strict=True))
        pr = enrolled.get((pid, iid), [])
        pi = claimed_for.get((pid, iid), [])
        claimed = sum(int(a) for a, *_ in pi if not missing(a))
        class_ids = {c for c, _ in pr} | {c for _, c, _, _ in pi if isinstance(c, str)}
        why_zh, why_en = [], []
        if f["rep"]:
            why_zh.append("为该机构法定代表人")
            why_en.append("is its legal representative")
        if f["same_phone"]:
            shown = mask_phone(str(institutions.at[iid, "phone"]))
            why_zh.append(f"手机号与机构电话相同（{shown}）")
            why_en.append(f"has the institution's phone ({shown})")
        if f["same_bank"]:
            shown = mask_account(str(institutions.at[iid, "bank_account"]))
            why_zh.append(f"银行账户与机构账户相同（{shown}）")
            why_en.append(f"has the institution's bank account ({shown})")
        evidence = [*(pos for _, pos in pr), *(pos for *_, pos in pi),
                    institutions.at[iid, "position"],
                    *class_positions(classes, class_ids)]
        if pid in persons.index:
            evidence.append(persons.at[pid, "position"])
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Institution's own people enrolled as its trainees",
            zh=(f"机构 {iid} 的学员 {mask_person_id(pid)} {'、'.join(why_zh)}；在该机构参训 "
                f"{len(class_ids)} 个班，申领补贴 {yuan(claimed)} 元"),
            en=(f"trainee {mask_person_id(pid)} of institution {iid} {' and '.join(why_en)}; "
                f"in {len(class_ids)} of its class(es), {yuan(claimed)} yuan claimed"),
            subject_type="person", subject_id=pid, amount_at_risk_fen=claimed,
            person_ids=[pid], class_ids=class_ids, institution_ids=[iid],
            claim_ids={claim for _, _, claim, _ in pi}, evidence=evidence,
            observed={"legal_rep": bool(f["rep"]), "same_phone": bool(f["same_phone"]),
                      "same_bank_account": bool(f["same_bank"]), "classes": len(class_ids),
                      "claimed_fen": claimed},
        ))
    return out

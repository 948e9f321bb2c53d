"""FRAUD_OVER_CAP_CLAIM: a claim item above what the subsidy rules allow (超标准申领).

Training claims (kind ``training`` with a class) are summed per class × person
(one training), so a cap cannot be dodged by splitting a trainee over several
claims, and compared with the class mode's allowance from the ``[policy]``
table:

* 普惠制 ``inclusive``: ``inclusive_per_day`` × days, at most ``inclusive_cap``;
* 订单式/项目制 ``order``/``project``: ``order_first_rate`` a day for the first
  ``order_first_days`` days, ``order_later_rate`` after;
* ``enterprise`` / ``apprentice`` / ``entrepreneurship``: the per-person amount.

Days are the items' ``days`` (else the trainee's attended days), never more than
the class's planned days. A trainee with no claimed days and no check-in is
FRAUD_GHOST_NO_CHECKIN's case and is left to it. Certification claims (kind
``certification``) are summed per certificate and compared with
``certification_subsidy`` for the certificate's level. Everything is compared
in integer fen. One finding per claim (the latest claim of a split training)
lists every item over the standard; the total excess is at risk.

A standard left unset (``""`` or a level missing from ``certification_subsidy``:
the seeds give no apprentice, entrepreneurship or certification amounts) is not
guessed: those trainings and certificates are not compared, and ``unchecked``
says how many and which key to set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames, Unchecked
from detectors.common import fen, per_frames, yuan
from detectors.constraints import Level, Severity, Whole, Yuan

CODE = "FRAUD_OVER_CAP_CLAIM"
CATEGORY = "subsidy_fraud"

MODE_ZH = {"inclusive": "普惠制", "order": "订单式", "project": "项目制",
           "enterprise": "企业职工", "apprentice": "新型学徒制", "entrepreneurship": "创业"}


FLAT_KEYS = {"enterprise": "enterprise_per_person", "apprentice": "apprentice_per_person",
             "entrepreneurship": "entrepreneurship_per_person"}


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    min_excess: Yuan = Decimal("0.01")  # yuan: ignore smaller differences
    inclusive_per_day: Yuan | None = Decimal("100.00")
    inclusive_cap: Yuan | None = Decimal("1000.00")
    enterprise_per_person: Yuan | None = Decimal("300.00")
    apprentice_per_person: Yuan | None = None  # no seed gives it: unset
    entrepreneurship_per_person: Yuan | None = None  # no seed gives it: unset
    order_first_days: Whole = 10
    order_first_rate: Yuan | None = Decimal("150.00")
    order_later_rate: Yuan | None = Decimal("100.00")
    # yuan per level 5..1; no seed gives it: empty
    certification_subsidy: dict[Level, Yuan] = field(default_factory=dict)


def _mode_keys(p: Params) -> dict[str, tuple[str, ...]]:
    """Per class mode, the rules keys its standard needs that are unset (none: checked)."""
    order = tuple(k for k in ("order_first_rate", "order_later_rate") if getattr(p, k) is None)
    inclusive = () if p.inclusive_per_day is not None or p.inclusive_cap is not None \
        else ("inclusive_per_day", "inclusive_cap")
    return {"inclusive": inclusive, "order": order, "project": order,
            **{mode: (key,) if getattr(p, key) is None else () for mode, key in FLAT_KEYS.items()}}


@per_frames("claims", "claim_items", "classes", "trainee_attendance")
def _trainings(frames: Frames) -> pd.DataFrame:
    """Training claim items summed per class × person, with the days the standard uses.

    Trainees with no claimed days and no check-in are left out (a per-day standard has
    nothing to multiply: FRAUD_GHOST_NO_CHECKIN's case), except in flat-rate modes.
    """
    claims = frames.claims
    tc = claims.loc[(claims["kind"] == "training") & claims["class_id"].notna(), ["class_id"]]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "days", "position"]]
    items = items.merge(tc, left_on="claim_id", right_index=True)
    if items.empty:
        return items.assign(mode=pd.Series(dtype="object"))
    items = items.assign(amount=items["amount_fen"].fillna(0).astype("int64"),
                         d=pd.to_numeric(items["days"], errors="coerce"))
    g = items.groupby(["class_id", "person_id"], sort=True)
    agg = g.agg(amount=("amount", "sum"), item_days=("d", "sum"), days_known=("d", "count"),
                n_items=("d", "size"), last_position=("position", "max")).reset_index()
    cls = frames.classes.reindex(
        columns=["mode", "planned_days", "institution_id", "position"])
    agg = agg.join(cls.rename(columns={"position": "class_position"}), on="class_id")
    agg = agg[agg["mode"].notna()]
    att = frames.trainee_attendance[["class_id", "person_id", "attended_days"]]
    agg = agg.merge(att.drop_duplicates(["class_id", "person_id"]),
                    on=["class_id", "person_id"], how="left")
    attended = agg["attended_days"].fillna(0)
    all_days = agg["days_known"] == agg["n_items"]
    days = agg["item_days"].where(all_days, attended).astype("float64")
    planned = pd.to_numeric(agg["planned_days"], errors="coerce")
    days = days.where(~(planned > 0) | (days <= planned), planned)
    agg["days_used"] = days.fillna(0).astype("int64")
    agg["days_source"] = np.where(all_days, "claimed", "attended")
    agg["days_capped"] = (planned > 0) & (agg["days_used"] < np.where(
        all_days, agg["item_days"], attended))
    per_day_mode = agg["mode"].isin(["inclusive", "order", "project"])
    unknown_days = per_day_mode & ~all_days & (attended == 0)  # ghost: another rule's case
    return agg[~unknown_days].reset_index(drop=True)


def _training(frames: Frames, p: Params) -> pd.DataFrame:
    """``_trainings`` with the standard's ``allowed`` fen (-1: the mode's standard is unset)."""
    agg = _trainings(frames)
    if agg.empty:
        return agg.assign(allowed=pd.Series(dtype="int64"))
    d = agg["days_used"]
    mode = agg["mode"]
    first = p.order_first_days
    per_day, cap = p.inclusive_per_day, p.inclusive_cap
    if per_day is None:  # the cap alone, or nothing to compare with
        inclusive = fen(cap) if cap is not None else -1
    elif cap is None:
        inclusive = d * fen(per_day)
    else:
        inclusive = np.minimum(d * fen(per_day), fen(cap))
    first_rate, later_rate = p.order_first_rate, p.order_later_rate
    orders = -1 if first_rate is None or later_rate is None else (
        np.minimum(d, first) * fen(first_rate) + np.maximum(d - first, 0) * fen(later_rate))
    flat = {m: fen(getattr(p, k)) if getattr(p, k) is not None else -1
            for m, k in FLAT_KEYS.items()}
    allowed = np.select(
        [mode == "inclusive", mode.isin(["order", "project"]), mode == "enterprise",
         mode == "apprentice", mode == "entrepreneurship"],
        [inclusive, orders, flat["enterprise"], flat["apprentice"], flat["entrepreneurship"]],
        default=-1)
    return agg.assign(allowed=allowed)


def _certification(frames: Frames) -> pd.DataFrame:
    claims = frames.claims
    cc = claims.loc[claims["kind"] == "certification", []]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "certificate_id",
                                "position"]]
    items = items[items["certificate_id"].notna()].merge(cc, left_on="claim_id",
                                                         right_index=True)
    if items.empty:
        return items
    certs = frames.certificates.drop_duplicates("certificate_id")
    certs = certs.set_index("certificate_id")[["level", "position", "person_id"]]
    items = items.assign(amount=items["amount_fen"].fillna(0).astype("int64"))
    agg = items.groupby("certificate_id", sort=True).agg(
        amount=("amount", "sum"), last_position=("position", "max"),
        n_items=("amount", "size")).reset_index()
    agg = agg.join(certs.rename(columns={"position": "cert_position",
                                         "person_id": "holder"}), on="certificate_id")
    return agg[agg["level"].notna()]


def _training_over(frames: Frames, p: Params, threshold: int) -> list[dict]:
    tr = _training(frames, p)
    if tr.empty:
        return []
    tr = tr[(tr["allowed"] >= 0) & (tr["amount"] - tr["allowed"] >= threshold)]
    if tr.empty:
        return []
    claims = frames.claims
    tc = claims.loc[(claims["kind"] == "training")
                    & claims["class_id"].isin(tr["class_id"].unique()), ["class_id"]]
    rows = frames.claim_items[["claim_id", "person_id", "position"]].merge(
        tc, left_on="claim_id", right_index=True)
    rows = rows.merge(tr[["class_id", "person_id"]], on=["class_id", "person_id"])
    rows = rows.sort_values("position", kind="stable")
    claim_lists: dict[tuple[str, str], list[str]] = {}
    pos_lists: dict[tuple[str, str], list[int]] = {}
    for cid, pid, claim, pos in zip(rows["class_id"], rows["person_id"], rows["claim_id"],
                                    rows["position"], strict=True):
        claim_lists.setdefault((cid, pid), []).append(claim)
        pos_lists.setdefault((cid, pid), []).append(int(pos))
    out = []
    for r in tr.to_dict("records"):
        key = (r["class_id"], r["person_id"])
        claim_ids = claim_lists[key]
        out.append({
            "claim": claim_ids[-1], "claim_ids": claim_ids, "person_ids": [r["person_id"]],
            "class_id": r["class_id"], "institution_id": r["institution_id"],
            "kind": r["mode"], "days": int(r["days_used"]), "days_source": r["days_source"],
            "days_capped": bool(r["days_capped"]), "claimed": int(r["amount"]),
            "allowed": int(r["allowed"]), "evidence": [*pos_lists[key], r["class_position"]],
            "person_id": r["person_id"]})
    return out


def _certification_standard(frames: Frames, p: Params) -> pd.DataFrame:
    """Certification claims per certificate with the standard of its level (missing: unset)."""
    cert = _certification(frames)
    if cert.empty:
        return cert.assign(allowed=pd.Series(dtype="float64"))
    table = {str(k): fen(v) for k, v in p.certification_subsidy.items()}
    return cert.assign(allowed=cert["level"].astype("int64").astype(str).map(table))


def _certification_over(frames: Frames, p: Params, threshold: int) -> list[dict]:
    cert = _certification_standard(frames, p)
    cert = cert[cert["allowed"].notna()]
    if cert.empty:
        return []
    cert = cert[cert["amount"] - cert["allowed"] >= threshold]
    if cert.empty:
        return []
    claims = frames.claims
    rows = frames.claim_items[["claim_id", "person_id", "certificate_id", "position"]]
    rows = rows[rows["certificate_id"].isin(cert["certificate_id"].unique())
                & rows["claim_id"].isin(claims.index[claims["kind"] == "certification"])]
    rows = rows.sort_values("position", kind="stable")
    by: dict[str, list[tuple[str, str, int]]] = {}
    for cert_id, claim, pid, pos in zip(rows["certificate_id"], rows["claim_id"],
                                        rows["person_id"], rows["position"], strict=True):
        by.setdefault(cert_id, []).append((claim, pid, int(pos)))
    out = []
    for r in cert.to_dict("records"):
        got = by[r["certificate_id"]]
        out.append({
            "claim": got[-1][0], "claim_ids": [g[0] for g in got],
            "person_ids": [*(g[1] for g in got), r["holder"]], "class_id": None,
            "institution_id": None, "kind": "certification", "level": int(r["level"]),
            "certificate_id": r["certificate_id"], "claimed": int(r["amount"]),
            "allowed": int(r["allowed"]), "evidence": [*(g[2] for g in got), r["cert_position"]],
            "person_id": got[-1][1]})
    return out


def _describe(e: dict, p: Params) -> tuple[str, str]:
    excess = e["claimed"] - e["allowed"]
    if e["kind"] == "certification":
        return (f"证书 {e['certificate_id']}（{e['level']} 级）取证补贴标准 "
                f"{yuan(e['allowed'])} 元，申领 {yuan(e['claimed'])} 元，超出 {yuan(excess)} 元",
                f"certificate {e['certificate_id']} (level {e['level']}) earns a certification "
                f"subsidy of {yuan(e['allowed'])} yuan, but {yuan(e['claimed'])} yuan was "
                f"claimed, {yuan(excess)} yuan over")
    rule_zh, rule_en = _rule_text(e["kind"], e["days"], p)
    capped = ", capped at the planned days" if e["days_capped"] else ""
    return (f"{MODE_ZH.get(e['kind'], e['kind'])}培训 {e['days']} 天，按{rule_zh}最多可补 "
            f"{yuan(e['allowed'])} 元，申领 {yuan(e['claimed'])} 元，超出 {yuan(excess)} 元"
            f"（班级 {e['class_id']}）",
            f"{e['kind']} training of {e['days']} day(s) ({e['days_source']}{capped}): "
            f"{rule_en} allow at most {yuan(e['allowed'])} yuan, but {yuan(e['claimed'])} "
            f"yuan was claimed, {yuan(excess)} yuan over (class {e['class_id']})")


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Training claims of a mode with a standard; certification claims with a level's amount."""
    claims = frames.claims
    checked = [mode for mode, keys in _mode_keys(p).items() if not keys]
    modes = claims["class_id"].map(frames.classes["mode"])
    training = claims.index[(claims["kind"] == "training") & modes.isin(checked)]
    cert = _certification_standard(frames, p)
    items = frames.claim_items
    certification = items.loc[
        items["certificate_id"].isin(cert.loc[cert["allowed"].notna(), "certificate_id"])
        & items["claim_id"].isin(claims.index[claims["kind"] == "certification"]), "claim_id"]
    return [Examined.of("claim", training, "training claims", "培训补贴申请",
                        ("inclusive_per_day", "inclusive_cap", "order_first_rate",
                         "order_later_rate", *FLAT_KEYS.values())),
            Examined.of("claim", certification, "certification claims", "取证补贴申请",
                        ("certification_subsidy",))]


def unchecked(frames: Frames, p: Params) -> list[Unchecked]:
    """Trainings of a mode whose standard is unset; certificates of a level with no amount."""
    out = []
    unset = {mode: keys for mode, keys in _mode_keys(p).items() if keys}
    if unset:
        modes = _trainings(frames)["mode"]
        for mode, keys in sorted(unset.items()):
            n = int((modes == mode).sum())
            if n:
                out.append(Unchecked(keys[0], n, f"{mode} trainings (class × trainee) not "
                                     "compared with a per-person standard",
                                     f"{MODE_ZH[mode]}培训（班级×学员）未与补贴标准比对"))
    cert = _certification_standard(frames, p)
    missing = cert[cert["allowed"].isna()]
    if not missing.empty:
        levels = sorted({str(int(x)) for x in missing["level"]}, reverse=True)
        out.append(Unchecked(
            "certification_subsidy", len(missing),
            f"certificates claimed for (level {', '.join(levels)}) not compared with a "
            "certification subsidy amount",
            f"申领取证补贴的证书（{'、'.join(levels)} 级）未与取证补贴标准比对"))
    return out


def detect(frames: Frames, p: Params) -> list[Finding]:
    threshold = fen(p.min_excess)
    entries = _training_over(frames, p, threshold) + _certification_over(frames, p, threshold)
    by_claim: dict[str, list[dict]] = {}
    for e in entries:
        by_claim.setdefault(e["claim"], []).append(e)
    out: list[Finding] = []
    for claim in sorted(by_claim):
        es = sorted(by_claim[claim], key=lambda e: (-(e["claimed"] - e["allowed"]),
                                                    e["person_id"]))
        excess = sum(e["claimed"] - e["allowed"] for e in es)
        claimed = sum(e["claimed"] for e in es)
        allowed = sum(e["allowed"] for e in es)
        zh, en = _describe(es[0], p)
        if len(es) > 1:
            zh = (f"申请 {claim} 中 {len(es)} 项超标准：申领 {yuan(claimed)} 元，标准最多 "
                  f"{yuan(allowed)} 元，共超出 {yuan(excess)} 元；最大一项：{zh}")
            en = (f"claim {claim} has {len(es)} items above the standard: {yuan(claimed)} yuan "
                  f"claimed where at most {yuan(allowed)} is allowed, {yuan(excess)} yuan over "
                  f"in total; the largest: {en}")
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Claim above the subsidy standard",
            zh=zh, en=en, subject_type="claim", subject_id=claim, amount_at_risk_fen=excess,
            person_ids=[x for e in es for x in e["person_ids"]],
            class_ids=[e["class_id"] for e in es if e["class_id"]],
            institution_ids=[e["institution_id"] for e in es if isinstance(
                e["institution_id"], str)],
            claim_ids=[x for e in es for x in e["claim_ids"]],
            evidence=[x for e in es for x in e["evidence"]],
            observed={"items_over": len(es), "claimed_fen": claimed, "allowed_fen": allowed,
                      "excess_fen": excess,
                      "items": [{k: e[k] for k in ("person_id", "kind", "days", "days_source",
                                                   "certificate_id", "level", "claimed",
                                                   "allowed") if k in e} for e in es]},
        ))
    return out


def _rule_text(mode: str, days: int, p: Params) -> tuple[str, str]:
    if mode == "inclusive" and p.inclusive_per_day is None:
        return f"封顶 {p.inclusive_cap} 元", f"a cap of {p.inclusive_cap} yuan"
    if mode == "inclusive" and p.inclusive_cap is None:
        return f"每天 {p.inclusive_per_day} 元", f"{p.inclusive_per_day} yuan a day"
    if mode == "inclusive":
        return (f"每天 {p.inclusive_per_day} 元、封顶 {p.inclusive_cap} 元",
                f"{p.inclusive_per_day} yuan a day capped at {p.inclusive_cap}")
    if mode in ("order", "project"):
        return (f"前 {p.order_first_days} 天每天 {p.order_first_rate} 元、之后每天 "
                f"{p.order_later_rate} 元",
                f"{p.order_first_rate} yuan a day for the first {p.order_first_days} days "
                f"and {p.order_later_rate} after")
    amount = {"enterprise": p.enterprise_per_person, "apprentice": p.apprentice_per_person,
              "entrepreneurship": p.entrepreneurship_per_person}[mode]
    return f"每人 {amount} 元", f"{amount} yuan per person"

"""FRAUD_BENFORD: an institution's claim amounts break Benford's law *and* the subsidy rules' shape.

Benford's first-digit test with Nigrini's mean absolute deviation (MAD) and
conformity bands (first digits: close ≤ 0.006, acceptable ≤ 0.012, marginal
≤ 0.015, nonconformity above) is the classic screen for invented amounts.
But subsidy amounts are not natural amounts: they follow fixed rules (100
yuan a day capped at 1000, 150/100 a day for order classes, 300 flat, 300-700
by level ...), so *every* honest institution's amounts are nonconforming -
Benford alone would flag them all (synth/policy.py makes the same
point). Comparing one institution's first digits with its peers' is not fair
on its own either: the digits follow the class lengths and modes an
institution happens to run (a 7-day inclusive class pays 700, a 10-day one
1000), so honest institutions differ from the pool by a MAD of 0.02-0.15.

The fair test used here combines three conditions, on institutions with at
least ``min_items`` claim items (of ``claim_kinds``, amount > 0):

1. **Benford**: first-digit MAD against log10(1 + 1/d) above
   ``marginal_mad`` (Nigrini's nonconformity) - reported with its band;
2. **Peers**: first-digit MAD against the peers' pooled distribution, taken
   per stratum (claim kind × class mode) and weighted by the institution's own
   mix, at least ``min_peer_mad`` (on at least ``min_peer_items`` peer items);
3. **Rule shape**: the share of its amounts that are not whole multiples of
   the rules' unit exceeds the peers' share (same strata, same weighting) by at
   least ``min_unshaped_excess``. The unit is ``rule_unit`` when a rules file
   sets it, else the greatest common divisor of the subsidy amounts the rules
   file does set (per-day rates, caps, flat amounts, certification amounts):
   every amount those rules produce is a whole multiple of it, in any city.

Condition 3 is what separates invented amounts from honest heterogeneity, and
because it is relative to the peers, a city whose rules pay odd amounts (by
the hour, say) does not flag everyone. At risk: the not-rule-shaped items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors.base import Examined, Finding, Frames
from detectors.common import fen, pct, yuan
from detectors.constraints import Level, Severity, Share, Whole, Yuan

CODE = "FRAUD_BENFORD"
CATEGORY = "subsidy_fraud"

DIGITS = np.arange(1, 10)
BENFORD = np.log10(1 + 1 / DIGITS)
BAND_ZH = {"close": "高度符合", "acceptable": "可接受", "marginal": "勉强符合",
           "nonconformity": "不符合"}


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    claim_kinds: tuple[str, ...] = ("training", "certification", "living")
    min_items: Whole = 100
    close_mad: Share = Decimal("0.006")
    acceptable_mad: Share = Decimal("0.012")
    marginal_mad: Share = Decimal("0.015")
    min_peer_mad: Share = Decimal("0.015")
    min_peer_items: Whole = 100
    min_unshaped_excess: Share = Decimal("0.50")
    rule_unit: Yuan | None = None  # unset: derived from the policy amounts below
    # the policy amounts the unit is derived from (the [policy] values, set or unset)
    inclusive_per_day: Yuan | None = Decimal("100.00")
    inclusive_cap: Yuan | None = Decimal("1000.00")
    enterprise_per_person: Yuan | None = Decimal("300.00")
    apprentice_per_person: Yuan | None = None
    entrepreneurship_per_person: Yuan | None = None
    order_first_rate: Yuan | None = Decimal("150.00")
    order_later_rate: Yuan | None = Decimal("100.00")
    certification_subsidy: dict[Level, Yuan] = field(default_factory=dict)


def unit_fen(p: Params) -> int:
    """The amount every rule-made subsidy is a whole multiple of, in fen."""
    if p.rule_unit is not None:
        return fen(p.rule_unit)
    amounts = [p.inclusive_per_day, p.inclusive_cap, p.enterprise_per_person,
               p.apprentice_per_person, p.entrepreneurship_per_person, p.order_first_rate,
               p.order_later_rate, *p.certification_subsidy.values()]
    return math.gcd(*(fen(a) for a in amounts if a is not None and a > 0)) or 1


def band(mad: float, p: Params) -> str:
    """Nigrini's first-digit conformity band of a MAD."""
    if mad <= float(p.close_mad):
        return "close"
    if mad <= float(p.acceptable_mad):
        return "acceptable"
    if mad <= float(p.marginal_mad):
        return "marginal"
    return "nonconformity"


def first_digit(amount_fen: pd.Series) -> pd.Series:
    """First significant digit of a positive amount (the same in fen and in yuan)."""
    v = amount_fen.astype("int64").to_numpy()
    exp = np.floor(np.log10(v)).astype("int64")
    return pd.Series(v // 10 ** exp, index=amount_fen.index)


def _items(frames: Frames, p: Params) -> pd.DataFrame:
    claims = frames.claims
    wanted = claims[claims["kind"].isin(list(p.claim_kinds))]
    items = frames.claim_items[["claim_id", "person_id", "amount_fen", "position"]]
    items = items[items["amount_fen"].notna() & (items["amount_fen"] > 0)]
    it = items.merge(wanted[["kind", "class_id", "claimant_type", "claimant_id"]],
                     left_on="claim_id", right_index=True)
    classes = frames.classes
    it["institution_id"] = it["class_id"].map(classes["institution_id"])
    own = it["claimant_type"] == "institution"
    it["institution_id"] = it["institution_id"].fillna(it["claimant_id"].where(own))
    it["mode"] = it["class_id"].map(classes["mode"]).fillna("-")
    it = it.dropna(subset=["institution_id"])
    it["digit"] = first_digit(it["amount_fen"])
    it["unshaped"] = (it["amount_fen"].astype("int64") % unit_fen(p)) != 0
    return it


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every institution with enough claim items to be tested."""
    it = _items(frames, p)
    size = it.groupby("institution_id").size() if not it.empty else pd.Series(dtype="int64")
    return [Examined.of("institution", size.index[size >= p.min_items],
                        "institutions tested", "参与检验的培训机构")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    it = _items(frames, p)
    if it.empty:
        return []
    size = it.groupby("institution_id").size()
    tested = size[size >= p.min_items].index
    if tested.empty:
        return []
    # Counts per institution × stratum × digit, and per stratum over everyone.
    cnt = it.groupby(["institution_id", "kind", "mode", "digit"]).size().unstack(
        "digit", fill_value=0).reindex(columns=DIGITS, fill_value=0)
    uns = it.groupby(["institution_id", "kind", "mode"])["unshaped"].sum()
    stratum = cnt.groupby(level=["kind", "mode"]).sum()
    stratum_uns = uns.groupby(level=["kind", "mode"]).sum()

    rows = []
    for inst in tested:
        own = cnt.loc[inst]  # strata × digits
        n_s = own.sum(axis=1)
        n = int(n_s.sum())
        observed = own.sum(axis=0).to_numpy() / n
        mad_b = float(np.abs(observed - BENFORD).mean())
        peer = stratum.loc[own.index] - own
        peer_n = peer.sum(axis=1)
        ok = peer_n > 0
        covered = int(n_s[ok].sum())
        peer_items = int(peer_n[ok].sum())
        if covered == 0:
            rows.append((inst, n, observed, mad_b, None, None, None, None, peer_items))
            continue
        w = n_s[ok] / covered
        expected = (peer[ok].div(peer_n[ok], axis=0).mul(w, axis=0)).sum(axis=0).to_numpy()
        obs_cov = own[ok].sum(axis=0).to_numpy() / covered
        mad_p = float(np.abs(obs_cov - expected).mean())
        own_uns = uns.loc[inst].reindex(own.index).fillna(0)
        share = float(own_uns[ok].sum() / covered)
        peer_share_s = (stratum_uns.reindex(own.index).fillna(0) - own_uns)[ok] / peer_n[ok]
        peer_share = float((peer_share_s * w).sum())
        rows.append((inst, n, observed, mad_b, expected, mad_p, share, peer_share, peer_items))

    out = []
    classes = frames.classes
    for inst, n, observed, mad_b, expected, mad_p, share, peer_share, peer_items in rows:
        if (mad_b <= float(p.marginal_mad) or mad_p is None or peer_items < p.min_peer_items
                or mad_p < float(p.min_peer_mad)
                or share - peer_share < float(p.min_unshaped_excess)):
            continue
        mine = it[it["institution_id"] == inst]
        odd = mine[mine["unshaped"]]
        at_risk = int(odd["amount_fen"].sum())
        b = band(mad_b, p)
        counts = mine["digit"].value_counts().reindex(DIGITS, fill_value=0)
        top = ", ".join(f"{d}: {observed[d - 1]:.0%}" for d in DIGITS
                        if observed[d - 1] >= 0.10)
        cls = odd["class_id"].dropna()
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Claim amounts break Benford's law and the subsidy rules' shape",
            zh=(f"{inst} 的 {n} 笔申领金额首位数字与本福特定律的平均绝对偏差 MAD = {mad_b:.3f}"
                f"（{BAND_ZH[b]}，> {float(p.marginal_mad):g}），与同类申领的同行分布偏差 "
                f"MAD = {mad_p:.3f} ≥ {p.min_peer_mad}；{pct(share)} 的金额不是 "
                f"{yuan(unit_fen(p))} 元的整数倍（同行 {pct(peer_share)}），不符合补贴"
                f"标准的金额形态；首位数字 {top}；涉及 {len(odd)} 笔共 {yuan(at_risk)} 元"),
            en=(f"{inst}: the first digits of its {n} claim amounts deviate from Benford's law "
                f"by MAD {mad_b:.3f} ({b}, above {float(p.marginal_mad):g}) and from its "
                f"peers' same-kind claims by MAD {mad_p:.3f} (at least "
                f"{p.min_peer_mad}); {pct(share)} of the amounts are not whole "
                f"multiples of {yuan(unit_fen(p))} yuan (peers {pct(peer_share)}), unlike "
                f"amounts the subsidy rules produce; first digits {top}; {len(odd)} items, "
                f"{yuan(at_risk)} yuan"),
            subject_type="institution", subject_id=inst, amount_at_risk_fen=at_risk,
            person_ids=odd["person_id"].dropna(), class_ids=cls,
            institution_ids=[inst], claim_ids=odd["claim_id"],
            evidence=[*odd["position"],
                      *classes.loc[classes.index.isin(cls.unique()), "position"]],
            observed={"items": n, "digit_counts": [int(x) for x in counts],
                      "observed_share": [round(float(x), 4) for x in observed],
                      "benford_share": [round(float(x), 4) for x in BENFORD],
                      "peer_share": [round(float(x), 4) for x in expected],
                      "benford_mad": round(mad_b, 5), "benford_band": b,
                      "peer_mad": round(mad_p, 5), "peer_items": peer_items,
                      "unshaped_share": round(share, 4),
                      "peer_unshaped_share": round(peer_share, 4),
                      "unshaped_items": len(odd)},
        ))
    return out

"""INEFF_UNLICENSED_OCCUPATION: a class outside its institution's licensed occupations.

Training must stay inside the institution's licensed occupations (the Jinzhong 2023
work plan, 七(五)). The licence that counts is the one in force when the class started:
the latest version of the institution's ``licensed_occupations`` (registration or update
that carried the field) whose occurred date is on or before the class start date; when
none is that early (a back-filled registration), the earliest version. An institution
that gains a licence later is licensed for classes that start after it, not before. The
class's claimed training subsidy is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from detectors._subsidies import claimed_by_class, ids_by, training_items
from detectors.base import Examined, Finding, Frames
from detectors.common import yuan
from detectors.constraints import Severity

CODE = "INEFF_UNLICENSED_OCCUPATION"
CATEGORY = "ineffective_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"


def _versions(frames: Frames) -> pd.DataFrame:
    """Each institution's licence versions: position, effective date (local), in order."""
    h = frames.institution_history
    if h.empty or "licensed_occupations" not in h.columns:
        return pd.DataFrame(columns=["institution_id", "position", "occurred_ts", "day"])
    v = h[h["licensed_occupations"].notna()][["institution_id", "position", "occurred_ts",
                                               "occurred_at"]]
    v = v.assign(day=pd.to_datetime(v["occurred_at"].str.slice(0, 10), errors="coerce"))
    return v.dropna(subset=["day"]).drop(columns="occurred_at")


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every class of an institution with a recorded licence."""
    classes = frames.classes
    licensed = _versions(frames)
    ids = classes.index[classes["institution_id"].isin(licensed["institution_id"])] \
        if not licensed.empty else ()
    return [Examined.of("class", ids, "classes of licensed institutions",
                        "有许可记录机构的班级")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    classes = frames.classes
    versions = _versions(frames)
    if classes.empty or versions.empty:
        return []
    c = classes[["institution_id", "occupation", "start_date"]].dropna()
    c = c.assign(day=pd.to_datetime(c["start_date"], errors="coerce")).dropna(subset=["day"])
    c = c[c["institution_id"].isin(versions["institution_id"].unique())]
    if c.empty:
        return []
    c = c.reset_index().sort_values("day", kind="stable")
    v = versions.sort_values(["day", "occurred_ts", "position"], kind="stable")
    v = v.rename(columns={"position": "licence_position"})
    asof = pd.merge_asof(c, v[["day", "institution_id", "licence_position"]], on="day",
                         by="institution_id", direction="backward")
    earliest = v.groupby("institution_id")["licence_position"].first()
    asof["fallback"] = asof["licence_position"].isna()
    asof["licence_position"] = asof["licence_position"].fillna(
        asof["institution_id"].map(earliest)).astype("int64")
    lic = frames.licences[["position", "occupation"]].rename(
        columns={"position": "licence_position", "occupation": "licensed"})
    covered = asof.merge(lic, left_on=["licence_position", "occupation"],
                         right_on=["licence_position", "licensed"], how="left")
    bad = covered[covered["licensed"].isna()].set_index("class_id")
    if bad.empty:
        return []
    licensed = ids_by(lic[lic["licence_position"].isin(bad["licence_position"].unique())],
                      ["licence_position"], "licensed")
    later = frames.licences
    later = later[later["institution_id"].isin(bad["institution_id"].unique())]
    gained = later.groupby(["institution_id", "occupation"])["occurred_at"].min()
    items = training_items(frames)
    claimed = claimed_by_class(items)
    sub = items[items["class_id"].isin(bad.index)]
    claim_ids = ids_by(sub, ["class_id"], "claim_id")
    claim_pos = ids_by(sub, ["class_id"], "position")
    persons = ids_by(sub, ["class_id"], "person_id")
    out = []
    for cid, r in bad.sort_index().iterrows():
        inst, occ = r["institution_id"], r["occupation"]
        held = sorted(licensed.get((int(r["licence_position"]),), []))
        at_risk = int(claimed["claimed_fen"].get(cid, 0))
        since = gained.get((inst, occ))
        if since is not None and since[:10] <= r["start_date"]:
            since = None  # held it once before, not when the class started
        note_zh = f"（该职业 {since[:10]} 才获许可）" if since is not None else ""
        note_en = f" (licensed for it only from {since[:10]})" if since is not None else ""
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Class outside the institution's licensed occupations",
            zh=(f"机构 {inst} 于 {r['start_date']} 开班培训职业 {occ}，不在其当时许可的 "
                f"{len(held)} 个职业（{'、'.join(held) or '无'}）之内{note_zh}；"
                f"申领培训补贴 {yuan(at_risk)} 元"),
            en=(f"institution {inst} started a class in occupation {occ} on "
                f"{r['start_date']}, outside the occupations it was licensed for then "
                f"({', '.join(held) or 'none'}){note_en}; {yuan(at_risk)} yuan training "
                f"subsidy claimed"),
            subject_type="class", subject_id=cid, amount_at_risk_fen=at_risk,
            person_ids=persons.get((cid,), []), class_ids=[cid], institution_ids=[inst],
            claim_ids=claim_ids.get((cid,), []),
            evidence=[classes.at[cid, "position"], int(r["licence_position"]),
                      *claim_pos.get((cid,), [])],
            observed={"occupation": occ, "start_date": r["start_date"],
                      "licensed_then": held, "licence_fallback_to_earliest": bool(r["fallback"]),
                      "licensed_from": None if since is None else since[:10]},
        ))
    return out

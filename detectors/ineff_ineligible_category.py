"""INEFF_INELIGIBLE_CATEGORY: a subsidised trainee of a category the programme does not cover.

Coverage per programme is policy ``covered_categories`` (programme -> categories). A
programme missing from the table, or given an empty list, covers every category, so
by default (an empty table: the seeds' lists end in 等) nothing fires. The programme is
the claim's (the class's when the claim has none); the category is the person's as of
the class start (the claim date when the class is unknown), from their registration
and updates, so a trainee who found a job after the course and was updated to
``employee`` is judged by what they were when they trained. One finding per person and
class; the claimed subsidy is at risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from detectors._subsidies import ids_by, training_items
from detectors.base import Examined, Finding, Frames, Unchecked
from detectors.common import yuan
from detectors.constraints import Severity

CODE = "INEFF_INELIGIBLE_CATEGORY"
CATEGORY = "ineffective_training"


@dataclass(frozen=True)
class Params:
    severity: Severity = "medium"
    covered_categories: dict[str, list[str]] = field(default_factory=dict)


def _category_as_of(frames: Frames, per: pd.DataFrame) -> pd.Series:
    """Each row's person category on its reference day (the earliest known when none yet)."""
    h = frames.person_history
    if h.empty:
        return pd.Series(pd.NA, index=per.index, dtype="object")
    h = h[h["category"].notna() & h["person_id"].isin(per["person_id"].unique())]
    h = h.assign(day=pd.to_datetime(h["occurred_at"].str.slice(0, 10), errors="coerce"))
    h = h.dropna(subset=["day"]).sort_values(["day", "occurred_ts", "position"], kind="stable")
    left = per[["person_id"]].assign(
        day=pd.to_datetime(per["on"], errors="coerce"), row=per.index)
    left = left.dropna(subset=["day"]).sort_values("day", kind="stable")
    asof = pd.merge_asof(left, h[["day", "person_id", "category"]], on="day", by="person_id",
                         direction="backward").set_index("row")["category"]
    earliest = h.groupby("person_id")["category"].first()
    out = asof.reindex(per.index)
    return out.fillna(per["person_id"].map(earliest))


def _coverage(p: Params) -> dict[str, list[str]]:
    """Programmes narrowed to some categories (the others cover every category)."""
    return {str(k): sorted({str(c) for c in v}) for k, v in p.covered_categories.items() if v}


def _items(frames: Frames, programmes: list[str] | None) -> pd.DataFrame:
    """Training items with their programme (``prog``), of ``programmes`` when given."""
    items = training_items(frames)
    items = items.assign(prog=items["claim_program"].fillna(items["program"]))
    return items if programmes is None else items[items["prog"].isin(programmes)]


def examined(frames: Frames, p: Params) -> list[Examined]:
    """Every subsidised trainee of a programme whose coverage is narrowed."""
    return [Examined.of("person", _items(frames, list(_coverage(p)))["person_id"],
                        "trainees of programmes with a coverage list",
                        "有覆盖人群清单的项目的学员", ("covered_categories",))]


def unchecked(frames: Frames, p: Params) -> list[Unchecked]:
    """Trainings (person × class) of programmes every category may join."""
    items = _items(frames, None)
    items = items[~items["prog"].isin(list(_coverage(p)))]
    key = items["class_id"].fillna("claim:" + items["claim_id"].astype(str))
    n = len(pd.DataFrame({"person": items["person_id"], "training": key}).drop_duplicates())
    if not n:
        return []
    shown = sorted({str(x) for x in items["prog"].dropna()})
    return [Unchecked("covered_categories", n,
                      f"trainings of programmes with no coverage list ({', '.join(shown)}): "
                      "every trainee category accepted",
                      f"项目（{'、'.join(shown)}）未设覆盖人群，所有类别学员均视为可补贴")]


def detect(frames: Frames, p: Params) -> list[Finding]:
    coverage = _coverage(p)
    if not coverage:
        return []
    items = _items(frames, list(coverage))
    if items.empty:
        return []
    items["key"] = items["class_id"].fillna("claim:" + items["claim_id"].astype(str))
    per = items.groupby(["person_id", "key", "prog"], as_index=False, sort=False).agg(
        amount_fen=("amount_fen", "sum"), class_id=("class_id", "first"),
        start_date=("start_date", "first"), claimed_on=("claimed_on", "first"),
        institution_id=("institution_id", "first"), class_position=("class_position", "first"))
    per["on"] = per["start_date"].fillna(per["claimed_on"])
    per["category"] = _category_as_of(frames, per)
    allowed = pd.DataFrame([(prog, cat) for prog, cats in coverage.items() for cat in cats],
                           columns=["prog", "category"]).assign(ok=True)
    per = per.merge(allowed, on=["prog", "category"], how="left")
    bad = per[per["category"].notna() & per["ok"].isna()]
    if bad.empty:
        return []
    sub = items[items["person_id"].isin(bad["person_id"].unique())]
    claim_ids = ids_by(sub, ["person_id", "key"], "claim_id")
    claim_pos = ids_by(sub, ["person_id", "key"], "position")
    persons = frames.persons
    out = []
    for r in bad.sort_values(["person_id", "key"]).itertuples():
        covered = coverage[r.prog]
        reg = [persons.at[r.person_id, "position"]] if r.person_id in persons.index else []
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="Subsidised trainee of a category the programme does not cover",
            zh=(f"学员类别 {r.category}（{r.on}）不在项目 {r.prog} 覆盖的 {len(covered)} 类人员"
                f"（{'、'.join(covered)}）之内，仍申领培训补贴 {yuan(r.amount_fen)} 元"),
            en=(f"trainee of category {r.category} (on {r.on}) is not among the {len(covered)} "
                f"categories programme {r.prog} covers ({', '.join(covered)}), yet "
                f"{yuan(r.amount_fen)} yuan was claimed"),
            subject_type="person", subject_id=r.person_id, amount_at_risk_fen=int(r.amount_fen),
            person_ids=[r.person_id],
            class_ids=[r.class_id] if isinstance(r.class_id, str) else [],
            institution_ids=[r.institution_id] if isinstance(r.institution_id, str) else [],
            claim_ids=claim_ids.get((r.person_id, r.key), []),
            evidence=[*reg, r.class_position, *claim_pos.get((r.person_id, r.key), [])],
            observed={"category": r.category, "programme": r.prog, "covered": covered,
                      "reference_date": r.on},
        ))
    return out

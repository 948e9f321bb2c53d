"""Shared by the duplicate- and ineffective-training detectors: who was subsidised for what.

Not a detector (the registry skips modules starting with ``_``). Pure functions
of the frames, vectorised, never modifying them.

* ``latest_items``: claim items of each claim's latest ``SubsidyClaimed`` event only, so a
  corrected (re-sent) claim counts once.
* ``training_items``: those items for training claims that were not rejected, with the
  claim's class (occupation, level, dates, institution) beside each item.
* ``paid_training_items``: the same for training claims paid net of recoveries, whatever
  their review said: what the duplicate-training rules count as *subsidised*.
* ``age_on``: whole years between ISO dates, vectorised.
* ``haversine_km``: great-circle distance, vectorised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from detectors.base import Frames, missing
from detectors.common import per_frames

_CLASS_COLS = ["institution_id", "occupation", "level", "mode", "start_date", "end_date",
               "program", "county", "position"]


@per_frames("claim_items")
def latest_items(frames: Frames) -> pd.DataFrame:
    """Claim items from each claim's latest event (occurred order, then position)."""
    items = frames.claim_items
    if items.empty:
        return items
    events = items[["claim_id", "occurred_ts", "position"]].drop_duplicates()
    events = events.sort_values(["claim_id", "occurred_ts", "position"], kind="stable")
    last = events.groupby("claim_id", sort=False)["position"].last()
    return items[items["position"].to_numpy() == items["claim_id"].map(last).to_numpy()]


@per_frames("claims", "claim_items", "classes")
def training_items(frames: Frames) -> pd.DataFrame:
    """Items of training claims not rejected, one row per claim item, with class columns.

    Columns: ``position`` (the claim event), ``claim_id``, ``person_id``, ``amount_fen``
    (int64), ``class_id`` (may be missing), ``claimant_id``, ``claim_program``,
    ``claim_year``, ``claimed_on`` (ISO date), ``paid_fen`` (the claim's); and from
    the class (missing when unknown): ``institution_id``, ``occupation``, ``level``,
    ``mode``, ``start_date``, ``end_date``, ``program``, ``county``, ``class_position``.
    """
    claims = frames.claims
    if claims.empty:
        return _items_of(frames, pd.Series(dtype=bool))
    keep = (claims["kind"] == "training") & (claims["decision"].fillna("") != "rejected")
    return _items_of(frames, keep)


@per_frames("claims", "claim_items", "classes")
def paid_training_items(frames: Frames) -> pd.DataFrame:
    """Items of training claims paid net of recoveries (> 0), whatever the review decided.

    "Subsidised" is money out of the fund: a claim rejected and paid anyway was paid, and
    one approved but never paid (or paid and wholly recovered) subsidised nobody. A
    payment is a claim's, not an item's, so every item of a paid claim counts. Columns
    as ``training_items``.
    """
    claims = frames.claims
    if claims.empty:
        return _items_of(frames, pd.Series(dtype=bool))
    net = claims["paid_fen"] - claims["recovered_fen"]
    return _items_of(frames, (claims["kind"] == "training") & (net > 0))


def _items_of(frames: Frames, keep: pd.Series) -> pd.DataFrame:
    """The latest items of the claims ``keep`` selects, with their claim's and class's columns."""
    claims = frames.claims
    cols = ["position", "claim_id", "person_id", "amount_fen"]
    if claims.empty or frames.claim_items.empty or not keep.any():
        out = pd.DataFrame(columns=[*cols, "class_id", "claimant_id", "claim_program",
                                    "claim_year", "claimed_on", "paid_fen", *_CLASS_COLS[:-1],
                                    "class_position"])
        return out
    c = claims.loc[keep, ["class_id", "claimant_id", "program", "year", "occurred_at",
                          "paid_fen"]]
    c = c.rename(columns={"program": "claim_program", "year": "claim_year"})
    c["claimed_on"] = c.pop("occurred_at").str.slice(0, 10)
    items = latest_items(frames)[cols]
    m = items.merge(c, left_on="claim_id", right_index=True, how="inner")
    m["amount_fen"] = m["amount_fen"].fillna(0).astype("int64")
    classes = frames.classes.reindex(columns=_CLASS_COLS)
    classes = classes.rename(columns={"position": "class_position"})
    m = m.merge(classes, left_on="class_id", right_index=True, how="left")
    return m.reset_index(drop=True)


@per_frames("roster", "checkins", "claim_items")
def people_in_training(frames: Frames) -> pd.Index:
    """Every person id enrolled, checked in or named in a claim item, once each.

    Three rules count against it; the check-ins alone hold millions of rows, so it is
    derived once per set of frames."""
    return pd.Index(pd.concat([distinct(frames.roster["person_id"]),
                               distinct_of_checkins(frames, "person_id"),
                               distinct(frames.claim_items["person_id"])]).unique())


def distinct(values: pd.Series) -> pd.Series:
    """The distinct non-missing values of a column (hashing, no sort)."""
    return pd.Series(values.dropna().unique())


@per_frames("checkins")
def _checkin_people(frames: Frames) -> pd.Series:
    return distinct(frames.checkins["person_id"])


@per_frames("checkins")
def _checkin_classes(frames: Frames) -> pd.Series:
    return distinct(frames.checkins["class_id"])


def distinct_of_checkins(frames: Frames, column: str) -> pd.Series:
    """The persons or classes with a check-in, derived once for every rule that asks."""
    return (_checkin_people if column == "person_id" else _checkin_classes)(frames)


def claimed_by_class(items: pd.DataFrame) -> pd.DataFrame:
    """Per class: the training subsidy claimed (fen) and the number of items."""
    known = items[items["class_id"].notna()]
    return known.groupby("class_id").agg(claimed_fen=("amount_fen", "sum"),
                                         items=("amount_fen", "size"))


def age_on(birth: pd.Series, ref: pd.Series) -> pd.Series:
    """Whole years from ISO ``birth`` to ISO ``ref`` (missing when either is unreadable).

    As YYYYMMDD integers, ``(ref - birth) // 10000`` is the age in whole years.
    """
    def number(s: pd.Series) -> pd.Series:
        digits = s.astype("object").fillna("").astype(str).str.slice(0, 10)
        return pd.to_numeric(digits.str.replace("-", "", regex=False), errors="coerce")

    b, r = number(birth), number(ref)
    ok = b.between(1000_01_01, 9999_12_31) & r.between(1000_01_01, 9999_12_31)
    return ((r - b) // 10000).where(ok).astype("Int64")


def id_birth(person_ids: pd.Series) -> pd.Series:
    """The ISO birth date inside an 18-character ID number, missing when it is not a date."""
    s = person_ids.astype("object").fillna("").astype(str)
    raw = s.str.slice(6, 14).where(s.str.len() == 18)
    parsed = pd.to_datetime(raw, format="%Y%m%d", errors="coerce")
    return parsed.dt.strftime("%Y-%m-%d").where(parsed.notna())


EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                 lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between arrays of points in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def ids_by(frame: pd.DataFrame, keys: list[str], column: str) -> dict[tuple, list]:
    """Distinct values of ``column`` per group key (keys as tuples); for evidence and ids.

    Rows with a missing key or value are skipped; values keep their first row's order.
    One pass over plain lists: the frames here are a few findings' rows, where
    ``dropna`` and ``drop_duplicates`` cost more per call than the whole pass.
    """
    out: dict[tuple, list] = {}
    if frame.empty:  # possibly without the columns
        return out
    seen: set[tuple] = set()
    for row in zip(*(frame[c].tolist() for c in (*keys, column)), strict=True):
        if row in seen or any(missing(x) for x in row):
            continue
        seen.add(row)
        out.setdefault(row[:-1], []).append(row[-1])
    return out

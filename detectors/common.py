"""Small helpers every detector uses: money text, percentages, evidence gathering."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import missing
from engine.money import to_fen, yuan_str


def per_frames(*inputs: str) -> Callable[[Callable[..., pd.DataFrame]],
                                         Callable[..., pd.DataFrame]]:
    """Derive a frame from ``frames`` once per set of the named input frames.

    Several detectors start from the same derivation (training claim items, say);
    a ``Views`` holds each frame once, so the result is kept beside them and reused
    while the inputs are the very same objects. Callers get a shallow copy, which
    pandas' copy-on-write keeps from ever changing the kept one.
    """
    def wrap(build: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        key = f"_derived_{build.__module__}.{build.__qualname__}"

        @functools.wraps(build)
        def derived(frames: object) -> pd.DataFrame:
            kept = getattr(frames, "__dict__", None)
            if kept is None:  # frames without attributes of their own: no reuse
                return build(frames)
            now = tuple(getattr(frames, name) for name in inputs)
            hit = kept.get(key)
            if hit is None or any(a is not b for a, b in zip(hit[0], now, strict=True)):
                hit = kept[key] = (now, build(frames))
            return hit[1].copy(deep=False)
        return derived
    return wrap


def isin(values: pd.Series | pd.Index, allowed: Iterable) -> pd.Series | np.ndarray:
    """``values.isin(allowed)``, done by arrow where both sides are strings.

    pandas 3 checks arrow-backed strings against a set one Python object at a time
    (``ArrowStringArray.isin``), which dominates some rules when the set is a frame's
    ids. Anything else (missing values in the set, other types) is left to pandas.
    """
    arr = values.array
    if not isinstance(arr, pd.arrays.ArrowStringArray):
        return values.isin(allowed)
    target = pa.array(arr)  # the column's own arrow data, no copy
    kind = target.type
    other = getattr(allowed, "array", None)
    if isinstance(other, pd.arrays.ArrowStringArray) and not other.isna().any():
        value_set = pa.array(other)
        if isinstance(value_set, pa.ChunkedArray):
            value_set = value_set.combine_chunks()
        value_set = value_set.cast(kind)
    else:
        wanted = list(allowed if other is None else other)
        if not all(isinstance(x, str) for x in wanted):
            return values.isin(wanted)
        value_set = pa.array(wanted, type=kind)
    mask = pc.is_in(target, value_set=value_set, skip_nulls=True).fill_null(False)
    out = mask.to_numpy(zero_copy_only=False).astype(bool, copy=False)
    return pd.Series(out, index=values.index, name=values.name) \
        if isinstance(values, pd.Series) else out


def fen(yuan: Decimal | str) -> int:
    """Rules hold yuan; frames hold integer fen."""
    return to_fen(yuan)


def yuan(fen_value: int) -> str:
    return yuan_str(int(fen_value))


def pct(ratio: float | Decimal) -> str:
    """A ratio as a whole percentage (Decimal thresholds are formatted exactly)."""
    return f"{ratio:.0%}"


def positions(frame: pd.DataFrame, column: str = "position") -> list[int]:
    """Distinct evidence positions of a frame's rows (missing values skipped)."""
    if column not in frame.columns:
        return []
    return [int(p) for p in frame[column].dropna().unique()]


def lists_by(keys: pd.Series, values: pd.Series) -> dict[object, list]:
    """``values`` gathered per key, in row order, missing values skipped.

    For building findings row by row: one pass over plain lists, where a sub-frame
    per key (``groupby`` iteration, ``.loc``) costs a hundred times more.
    """
    out: dict[object, list] = {}
    for k, x in zip(keys.tolist(), values.tolist(), strict=True):
        if not missing(x):
            out.setdefault(k, []).append(x)
    return out


def class_claims(items: pd.DataFrame, classes: pd.DataFrame, class_id: str,
                 people: Iterable[str]) -> tuple[pd.DataFrame, int, list[str]]:
    """The claim items of these people in one class, their total in fen, and its institution."""
    ci = items[(items["class_id"] == class_id) & items["person_id"].isin(list(people))]
    institution = classes.at[class_id, "institution_id"] if class_id in classes.index else None
    return (ci, int(ci["amount_fen"].fillna(0).sum()),
            [institution] if isinstance(institution, str) else [])


def first(values: Iterable[str]) -> str:
    return next(iter(values), "")


def class_positions(classes: pd.DataFrame, class_ids: Iterable[str]) -> list[int]:
    """The ClassOpened positions of these classes (those known), for evidence."""
    if "position" not in classes.columns:
        return []
    at = classes.index.get_indexer(list(class_ids))  # called per finding: no reindex here
    pos = classes["position"].to_numpy(dtype="float64", na_value=np.nan)
    return [int(pos[i]) for i in at if i >= 0 and pos[i] == pos[i]]


def normalise_contact(values: pd.Series) -> pd.Series:
    """Phones and accounts compared without spaces, dashes or case; empty is missing."""
    return (values.astype("string").str.replace(r"[\s\-]", "", regex=True).str.upper()
            .replace("", pd.NA))

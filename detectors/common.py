"""Small helpers every detector uses: money text, percentages, evidence gathering."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import numpy as np
import pandas as pd

from engine.money import to_fen, yuan_str


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


def group_positions(frame: pd.DataFrame, keys: list[str],
                    column: str = "position") -> dict[tuple, list[int]]:
    """Evidence positions per group key (keys as tuples, even for one column)."""
    out: dict[tuple, list[int]] = {}
    if frame.empty:
        return out
    for key, values in frame.groupby(keys)[column]:
        k = key if isinstance(key, tuple) else (key,)
        out[k] = [int(v) for v in values.dropna().unique()]
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


def mask_contact(value: str) -> str:
    """A phone or account shown with only its first four characters."""
    return value[:4] + "*" * max(len(value) - 4, 0)

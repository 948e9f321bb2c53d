"""Small helpers every detector uses: money text, percentages, evidence gathering."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

from engine.money import to_fen, yuan_str


def fen(yuan: Decimal | str) -> int:
    """Rules hold yuan; frames hold integer fen."""
    return to_fen(yuan)


def yuan(fen_value: int) -> str:
    return yuan_str(int(fen_value))


def pct(ratio: float) -> str:
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


def first(values: Iterable[str]) -> str:
    return next(iter(values), "")

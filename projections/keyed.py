"""Per-entity aggregates on integer positions, for frames with one row per entity.

A string ``groupby`` followed by a ``reindex`` onto the entity frame hashes every
id twice and builds an intermediate frame. Looking each row's id up once in the
entity index (``codes``) and aggregating on those integers does the same work in
a fraction of the time: for 346,000 vouchers and as many redemptions, about a
second less. Rows whose id is not in the index (code -1) count nowhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def codes(index: pd.Index, ids: pd.Series) -> np.ndarray:
    """Each row's position in ``index`` (-1 where missing or not there)."""
    return index.get_indexer(ids)


def _firsts(code: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """Row (from ``order``, taken in that order) that comes first per code; -1 if none."""
    ordered = code[order]
    keep = ordered >= 0
    ordered, order = ordered[keep], order[keep]
    by_code = np.argsort(ordered, kind="stable")  # stable: the earliest row leads its run
    run = ordered[by_code]
    lead = np.concatenate(([True], run[1:] != run[:-1])) if len(run) else np.zeros(0, bool)
    out = np.full(n, -1, dtype=np.int64)
    out[run[lead]] = order[by_code[lead]]
    return out


def _pick(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """``values`` at ``rows`` with missing where ``rows`` is -1, keeping the dtype."""
    found = rows >= 0
    out = values.iloc[np.where(found, rows, 0)].reset_index(drop=True) if len(values) \
        else pd.Series([None] * len(rows), dtype=values.dtype)
    return out.where(pd.Series(found), other=None) if not found.all() else out


def first_per(code: np.ndarray, n: int, values: pd.Series) -> pd.Series:
    """The first non-missing value per code, in row order (``groupby().first()``)."""
    present = np.flatnonzero(values.notna().to_numpy(dtype=bool))
    return _pick(values, _firsts(code, present, n))


def min_per(code: np.ndarray, n: int, values: pd.Series) -> pd.Series:
    """The smallest non-missing value per code (``groupby().min()``)."""
    present = values.notna().to_numpy(dtype=bool)
    if isinstance(values.dtype, pd.ArrowDtype) or getattr(values.dtype, "storage", "") \
            == "pyarrow":  # arrow sorts strings without a Python object per value
        order = pc.sort_indices(pa.array(values.array)).to_numpy()
        order = order[present[order]].astype(np.int64)
    else:  # only the present values: None and NaN do not compare with strings
        kept = np.flatnonzero(present)
        order = kept[np.argsort(values.to_numpy()[kept], kind="stable")]
    return _pick(values, _firsts(code, order, n))


def sum_per(code: np.ndarray, n: int, values: pd.Series) -> np.ndarray:
    """Exact integer sum per code, missing values counting 0 (``groupby().sum()``)."""
    out = np.zeros(n, dtype=np.int64)
    keep = code >= 0
    np.add.at(out, code[keep], values.fillna(0).to_numpy(dtype=np.int64)[keep])
    return out

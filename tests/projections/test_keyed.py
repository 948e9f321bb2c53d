"""Per-entity aggregates on integer codes equal a string group-by aligned to the entities."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from projections import keyed

IDS = ["V1", "V2", "V3", "V4"]


@st.composite
def rows(draw: st.DrawFn) -> tuple[pd.Index, pd.DataFrame]:
    entities = pd.Index(draw(st.lists(st.sampled_from(IDS), unique=True)), dtype="string")
    n = draw(st.integers(0, 25))
    frame = pd.DataFrame({
        "id": pd.array(draw(st.lists(st.sampled_from([*IDS, "V9", None]), min_size=n,
                                     max_size=n)), dtype="string"),
        "at": pd.array(draw(st.lists(st.sampled_from(
            ["2024-01-02T08:00:00+08:00", "2024-01-01T09:30:00+08:00",
             "2024-01-01T09:30:00.5+08:00", None]), min_size=n, max_size=n)), dtype="string"),
        "fen": pd.array(draw(st.lists(st.sampled_from([0, 5, 10**15, -3, None]), min_size=n,
                                      max_size=n)), dtype="Int64")})
    return entities, frame


@settings(max_examples=300, deadline=None)
@given(rows())
def test_equal_to_groupby(case: tuple[pd.Index, pd.DataFrame]) -> None:
    entities, frame = case
    at = keyed.codes(entities, frame["id"])
    grouped = frame.dropna(subset=["id"]).groupby("id")
    want_first = grouped["at"].first().reindex(entities)
    want_min = grouped["at"].min().reindex(entities)
    want_sum = grouped["fen"].sum().reindex(entities).fillna(0).astype("int64")
    got_first = keyed.first_per(at, len(entities), frame["at"])
    got_min = keyed.min_per(at, len(entities), frame["at"])
    pd.testing.assert_series_equal(got_first.set_axis(entities), want_first, check_names=False)
    pd.testing.assert_series_equal(got_min.set_axis(entities), want_min, check_names=False)
    assert keyed.sum_per(at, len(entities), frame["fen"]).tolist() == want_sum.tolist()


def test_min_of_plain_numbers() -> None:
    entities = pd.Index(["a", "b"])
    at = keyed.codes(entities, pd.Series(["b", "a", "b"]))
    got = keyed.min_per(at, 2, pd.Series([3.0, np.nan, 1.0]))
    assert got.isna().tolist() == [True, False] and got[1] == 1.0


def test_min_of_python_strings_with_gaps() -> None:
    """Rows read the plain way (no connectorx) hold Python strings and None."""
    entities = pd.Index(["v1", "v2", "v3"])
    ids = pd.Series(["v1", "v1", "v2", "v2", "v3"], dtype=object)
    at = keyed.codes(entities, ids)
    values = pd.Series(["2024-02-01", None, None, "2024-01-05", None], dtype=object)
    got = keyed.min_per(at, 3, values)
    assert got.tolist()[:2] == ["2024-02-01", "2024-01-05"] and pd.isna(got[2])
    assert keyed.first_per(at, 3, values).tolist()[:2] == ["2024-02-01", "2024-01-05"]

"""The shared helpers detectors build findings with: plain per-key lists and derived frames."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from detectors._subsidies import ids_by
from detectors.common import isin, lists_by, per_frames


def test_lists_by_keeps_row_order_and_skips_missing() -> None:
    keys = pd.Series(["v2", "v1", "v2", "v1", "v3"], dtype="str")
    values = pd.Series([5, 3, np.nan, 4, np.nan])
    assert lists_by(keys, values) == {"v2": [5.0], "v1": [3.0, 4.0]}


def test_ids_by_equals_a_groupby_on_random_rows() -> None:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({
        "class_id": pd.Series(rng.choice(["C1", "C2", None], 300), dtype="str"),
        "person_id": pd.Series(rng.choice(["P1", "P2", "P3"], 300), dtype="str"),
        "position": pd.Series(rng.choice([1, 2, 7, None], 300), dtype="Int64"),
    })
    expected = {k: g.dropna().unique().tolist()
                for k, g in frame.groupby(["class_id", "person_id"])["position"]}
    got = ids_by(frame, ["class_id", "person_id"], "position")
    assert got == {k: v for k, v in expected.items() if v}
    assert ids_by(frame.iloc[:0], ["class_id"], "position") == {}


def test_ids_by_equals_a_groupby() -> None:
    frame = pd.DataFrame({"a": ["x", "x", "y", None, "y"], "b": [1, 1, 2, 2, 2],
                          "id": ["i1", "i1", None, "i3", "i4"]})
    assert ids_by(frame, ["a", "b"], "id") == {("x", 1): ["i1"], ("y", 2): ["i4"]}
    assert ids_by(frame, ["a"], "id") == {("x",): ["i1"], ("y",): ["i4"]}


def test_per_frames_derives_once_per_set_of_inputs() -> None:
    calls = []

    @per_frames("claims")
    def derived(frames: SimpleNamespace) -> pd.DataFrame:
        calls.append(1)
        return frames.claims.assign(double=frames.claims["n"] * 2)

    frames = SimpleNamespace(claims=pd.DataFrame({"n": [1, 2]}), other=1)
    first = derived(frames)
    first.loc[0, "double"] = 99  # a caller changing its copy …
    first["extra"] = 1
    again = derived(frames)
    assert len(calls) == 1  # … neither recomputes nor leaks into the next caller
    assert again["double"].tolist() == [2, 4] and "extra" not in again.columns
    frames.claims = pd.DataFrame({"n": [5]})  # a new input frame: derived again
    assert derived(frames)["double"].tolist() == [10] and len(calls) == 2


@pytest.mark.parametrize("allowed", [
    ["a", "c"], {"b"}, (), pd.Series(["b", "zz"], dtype="str"), pd.Index(["c", "a"]),
    np.array(["a"], dtype=object), ["a", None], pd.Series(["a", None], dtype="str"), [1, "a"],
])
def test_isin_equals_pandas(allowed) -> None:
    values = pd.Series(["a", "b", None, "c", "a"], index=[5, 6, 7, 8, 9], dtype="str")
    got = isin(values, allowed)
    assert isinstance(got, pd.Series) and got.index.equals(values.index)
    assert got.tolist() == values.isin(allowed).tolist()
    index = pd.Index(values)
    assert isin(index, allowed).tolist() == index.isin(allowed).tolist()


def test_isin_leaves_other_types_to_pandas() -> None:
    assert isin(pd.Series([1, 2, 3]), [2, 3]).tolist() == [False, True, True]
    assert isin(pd.Series(["x", "y"], dtype=object), ["y"]).tolist() == [False, True]

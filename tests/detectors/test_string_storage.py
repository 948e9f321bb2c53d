"""The follower holds text as Python objects (``[stream] string_storage``), the batch run
as arrow strings: every detector must find exactly the same under both."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from detectors.rules import load_rules
from detectors.run import run_detectors
from engine.synth import generate
from projections.views import Views
from streams.follow import use_string_storage
from tests.detectors.city import projected

pytestmark = pytest.mark.slow


def findings_with(engine, storage: str) -> tuple[list[tuple], str]:
    rules = load_rules(None)
    with pd.option_context("mode.string_storage", storage):
        views = Views(engine)
        result = run_detectors(views, rules)
        storage_seen = views.claims["kind"].dtype.storage
    assert result.errors == {}
    return [(f.code, f.identity("r"), f.facts_digest(), f.explanation_zh, f.explanation_en,
             f.title, f.severity) for f in result.findings], storage_seen


def test_python_and_arrow_strings_give_the_same_findings(tmp_path: Path) -> None:
    out = tmp_path / "city.jsonl"
    generate(120, 7, out, tmp_path / "truth.json")
    engine = projected(out, f"sqlite:///{tmp_path / 's.db'}")
    arrow, seen_arrow = findings_with(engine, "pyarrow")
    python, seen_python = findings_with(engine, "python")
    assert (seen_arrow, seen_python) == ("pyarrow", "python")  # the frames really differed
    assert len({code for code, *_ in arrow}) >= 10, "the city should raise many kinds"
    assert python == arrow


def test_an_unknown_string_storage_names_the_setting() -> None:
    with pytest.raises(ValueError, match=r"\[stream\] string_storage"):
        use_string_storage("utf-16")

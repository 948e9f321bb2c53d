"""The follower holds text as Python objects (``[stream] string_storage``), the batch run
as arrow strings: every detector must find exactly the same under both."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from detectors.rules import RulesFileError, load_rules
from detectors.run import run_detectors
from projections.views import Views
from streams.follow import use_string_storage
from synth import generate
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


def test_an_unknown_string_storage_is_refused_with_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[stream]\nstring_storage = "utf-16"\n')
    with pytest.raises(RulesFileError, match=r"bad\.toml: stream\.string_storage = 'utf-16'"):
        load_rules(bad)
    good = tmp_path / "good.toml"
    good.write_text('[stream]\nstring_storage = "pyarrow"\n')
    assert load_rules(good).stream["string_storage"] == "pyarrow"
    assert load_rules(good).digest == load_rules().digest  # how text is held moves no finding id


def test_the_follower_process_uses_the_configured_storage() -> None:
    with pd.option_context("mode.string_storage", "pyarrow"):
        use_string_storage(load_rules().stream["string_storage"])
        assert pd.Series(["a", None]).astype("str").dtype.storage == "python"

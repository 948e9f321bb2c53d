"""The reference pages are what the code and the spec say now, so the manual cannot drift."""

from __future__ import annotations

import difflib

import pytest

from skillaudit import reference
from tests.docs.paths import DOCS, SPEC

REGENERATE = "run `python -m skillaudit.reference` and commit the result"


def _differs(rel: str, want: str) -> str:
    path = DOCS / rel
    if not path.exists():
        return f"docs/{rel} is missing: {REGENERATE}"
    have = path.read_text(encoding="utf-8")
    if have == want:
        return ""
    diff = "".join(list(difflib.unified_diff(
        have.splitlines(keepends=True), want.splitlines(keepends=True),
        f"docs/{rel} (committed)", f"docs/{rel} (generated now)", n=1))[:40])
    return f"docs/{rel} is out of date: {REGENERATE}\n{diff}"


@pytest.mark.parametrize("rel", reference.GENERATED)
def test_generated_page_is_current(rel: str) -> None:
    want = {"reference/cli.md": reference.cli_page,
            "reference/rules.md": reference.rules_page,
            "reference/own-events.md": reference.own_events_page}[rel]()
    problem = _differs(rel, want)
    assert not problem, problem


def test_cli_page_is_the_same_in_any_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defaults taken from the environment are named as such, never printed as found."""
    monkeypatch.setenv("SKILLAUDIT_BOOTSTRAP", "broker.example:9092")
    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.setenv("LOGNAME", "someone-else")
    page = reference.cli_page()
    assert page == (DOCS / "reference" / "cli.md").read_text(encoding="utf-8"), REGENERATE
    assert "broker.example" not in page and "someone-else" not in page


def test_every_detector_and_rules_key_is_on_the_rules_page() -> None:
    import tomllib

    from detectors.registry import registry
    from detectors.rules import DEFAULT_RULES

    page = (DOCS / "reference" / "rules.md").read_text(encoding="utf-8")
    for code in registry():
        assert f"### {code}\n" in page, f"{code} has no section: {REGENERATE}"
    rules = tomllib.loads(DEFAULT_RULES.read_text(encoding="utf-8"))
    for table in ("policy", "credit", "stream"):
        for key in rules.get(table, {}):
            row, section = f"| `{key}` |", f"`[{table}.{key}]`"  # a key, or a sub-table
            assert row in page or section in page, f"{table}.{key} is missing: {REGENERATE}"


def test_event_format_equals_the_spec_when_the_spec_is_beside_the_repository() -> None:
    spec = SPEC / "events.md"
    if not spec.exists():
        return  # a checkout on its own: nothing to compare with
    want = reference.events_page(spec.read_text(encoding="utf-8"))
    problem = _differs("reference/events.md", want)
    assert not problem, problem.replace(REGENERATE, f"run `python -m skillaudit.reference "
                                                    f"--spec {SPEC}`")


def test_catalogue_follows_the_spec_when_the_spec_is_beside_the_repository() -> None:
    spec = SPEC / "detectors.md"
    if not spec.exists():
        return  # a checkout on its own: nothing to compare with
    want = reference.catalogue_page(spec.read_text(encoding="utf-8"))
    problem = _differs("reference/catalogue.md", want)
    assert not problem, problem.replace(REGENERATE, f"run `python -m skillaudit.reference "
                                                    f"--spec {SPEC}`")

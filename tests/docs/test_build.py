"""The manual builds with `mkdocs build --strict`: every page in the navigation, every link
and anchor resolving, nothing fetched from the network."""

from __future__ import annotations

import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.docs.paths import DOCS, REPO


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    if find_spec("mkdocs") is None or find_spec("material") is None:
        pytest.fail("mkdocs-material is not installed: pip install -e '.[test]'", pytrace=False)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
         "-f", str(REPO / "mkdocs.yml"), "-d", str(tmp_path / "site")],
        capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}"
    assert (tmp_path / "site" / "index.html").exists()


def test_every_page_is_in_the_navigation() -> None:
    """A page left out of `nav` is found by no one; name it here before mkdocs does."""
    import yaml

    def pages(entries: object) -> set[str]:
        found: set[str] = set()
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, str):
                found.add(entry)
            elif isinstance(entry, dict):
                for value in entry.values():
                    found |= pages(value)
        return found

    nav = pages(yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["nav"])
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert on_disk - nav == set(), f"pages missing from nav in mkdocs.yml: {on_disk - nav}"
    assert nav - on_disk == set(), f"nav names pages that do not exist: {nav - on_disk}"

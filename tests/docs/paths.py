"""Paths shared by the manual's tests."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
# the interchange spec's folder, when this checkout sits beside it
SPEC = REPO.parent / "shared" / "spec"

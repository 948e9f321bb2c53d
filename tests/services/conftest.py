"""A store with real findings, for the use cases to act on."""

from __future__ import annotations

from tests.casework.conftest import Detected, detected, detected_sqlite
from tests.e2e.conftest import cli

__all__ = ["Detected", "cli", "detected", "detected_sqlite"]

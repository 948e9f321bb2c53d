"""Events of the investigators' case workflow on findings (open, assign, confirm, dismiss…)."""

from __future__ import annotations

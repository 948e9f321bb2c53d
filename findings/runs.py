"""What detection runs said beside their findings, read back from their ``DetectionRun`` events.

A run records, per rule, what it could not check for want of a local standard
(``not_checked``) and the guard's warning when it flagged too large a share of
what it examined (``guards``). A rule's notes are those of the latest run (as of
the views' point) that ran it: a run of a few rules, or a stream's frequent
cycles, leaves the other rules' notes as the run before them recorded them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from engine.store.log_reader import LogReader
from projections.views import Views


@dataclass(frozen=True)
class RunNotes:
    """Per rule code: its guard warning and what it did not check, from the latest run."""

    guards: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_checked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def guard_text(self, code: str) -> str | None:
        """The guard's sentence for a rule's findings ("zh / en"), or None when not doubted."""
        g = self.guards.get(code)
        return f"{g['zh']} / {g['en']}" if g else None


def run_notes(views: Views) -> RunNotes:
    """The notes of each rule's latest visible detection run."""
    runs = views.rows("rm_detection_runs", ["position", "counts"])
    if runs.empty:
        return RunNotes()
    latest: dict[str, int] = {}  # code -> the position of the latest run that ran it
    for pos, counts in sorted(zip(runs["position"], runs["counts"], strict=True),
                              key=lambda r: -int(r[0])):
        for code in json.loads(counts) if isinstance(counts, str) else {}:
            latest.setdefault(code, int(pos))
    data = _run_data(views.engine, set(latest.values()))
    guards, not_checked = {}, {}
    for code, pos in latest.items():
        run = data.get(pos, {})
        if code in run.get("guards", {}):
            guards[code] = run["guards"][code]
        if run.get("not_checked", {}).get(code):
            not_checked[code] = run["not_checked"][code]
    return RunNotes(dict(sorted(guards.items())), dict(sorted(not_checked.items())))


def _run_data(engine: sa.Engine, positions: set[int]) -> dict[int, dict[str, Any]]:
    """The ``data`` of the ``DetectionRun`` events stored at these positions."""
    if not positions:
        return {}
    return {e.position: json.loads(e.state).get("data", {})
            for e in LogReader(engine).events_at(positions)}

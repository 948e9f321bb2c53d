"""Load hand-written events into a real SQLite store, run detection, return fresh views."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from detectors.rules import load_rules
from engine.ingest import ingest
from engine.store.factory import open_store
from findings.detection import run_detection
from projections.asof import NOW, AsOf
from projections.projector import Projector, engine_for
from projections.views import Views

DETECTED_AT = datetime.fromisoformat("2024-06-01T09:00:00+08:00")


def load(events: Iterable[dict[str, Any]], tmp_path: Path, *, detect: bool = True,
         codes: Iterable[str] | None = None) -> str:
    """The store URL after ingesting ``events`` (and one detection run, unless not asked)."""
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events),
                    encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'events.db'}"
    store = open_store(url)
    engine = engine_for(url)
    try:
        summary = ingest(store, [str(path)], parallel=False)
        assert summary.quarantined == 0, summary.errors
        if detect:
            run_detection(store, engine, load_rules(), codes=codes, now=DETECTED_AT)
        Projector(engine).run()
    finally:
        store.close()
        engine.dispose()  # connectorx reads the file: let SQLite checkpoint the WAL first
    return url


def views_of(url: str, as_of: AsOf = NOW) -> Views:
    return Views(engine_for(url), as_of)

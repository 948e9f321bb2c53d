"""A tiny city that raises findings, stored in a given store and run through detection."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from detectors.rules import load_rules
from engine.identity import make_person_id
from engine.ingest import ingest
from engine.store.factory import open_store
from findings.detection import RunReport, run_detection
from projections.projector import engine_for
from tests.detectors.city import TinyCity

BAD_ID = make_person_id("141102", date(1991, 3, 4), 17)
BAD_ID = BAD_ID[:17] + ("1" if BAD_ID[17] != "1" else "2")  # wrong check character


def city() -> TinyCity:
    """One clean trainee and one with an impossible ID number, both claimed for."""
    c = TinyCity()
    c.institution()
    good = c.person()
    c.person(person_id=BAD_ID, name="李强", born="1991-03-04")
    c.klass("C1")
    c.train("C1", [good, BAD_ID])
    c.claim("CL1", [(good, "1000.00", 10), (BAD_ID, "1000.00", 10)], cid="C1")
    return c


def stored_city(url: str, tmp_path: Path) -> RunReport:
    """Ingest the city into ``url`` and run detection; the report names the findings."""
    path = tmp_path / "city.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in city().events),
                    encoding="utf-8")
    store = open_store(url)
    engine = engine_for(url)
    try:
        summary = ingest(store, [str(path)], parallel=False)
        assert summary.quarantined == 0, summary.errors
        return run_detection(store, engine, load_rules(None))
    finally:
        engine.dispose()  # read models go through connectorx: close ours before the store's
        store.close()

"""The round trip: a generated city exported to spreadsheets by kind and imported back
gives the same read models and the same findings as ingesting its JSON Lines.

Events are compared by what they say, not by id: an import derives its ids from the
rows, a source sends its own. Read models hold no ids of events, only their
positions, which differ with the order of arrival; findings are named by rule and
subject, and their evidence by positions, so both are compared without positions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from detectors.rules import load_rules
from engine.ingest import ingest
from engine.store.factory import open_store
from findings.detection import run_detection
from findings.listing import current_findings
from imports import import_paths
from projections.projector import Projector, engine_for
from projections.sources import ARRAY_TABLES, FACT_TABLES
from projections.views import Views
from synth import generate
from tests.imports.city import TYPES, export_city

pytestmark = pytest.mark.slow
PERSONS, SEED = 250, 11
FINDING_COLUMNS = ["code", "category", "severity", "subject_type", "subject_id",
                   "amount_at_risk_fen", "person_ids", "class_ids", "institution_ids",
                   "claim_ids", "payment_ids", "explanation_en", "observed"]


def _tables(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table's rows without their positions, sorted."""
    engine = engine_for(url)
    out = {}
    with engine.connect() as c:
        for table in [*(t.name for t in FACT_TABLES), *(t.name for t in ARRAY_TABLES),
                      "rm_subjects"]:
            rows = c.execute(sa.text(f"SELECT * FROM {table}")).mappings().all()
            out[table] = sorted(tuple((k, repr(v)) for k, v in sorted(r.items())
                                       if k != "position") for r in rows)
    engine.dispose()
    return out


def _findings(url: str, rules_path: Path) -> pd.DataFrame:
    store = open_store(url)
    engine = engine_for(url)
    try:
        run_detection(store, engine, load_rules(rules_path))
        frame = current_findings(Views(engine))
    finally:
        store.close()
        engine.dispose()
    frame = frame.reset_index()[["finding_id", *FINDING_COLUMNS]]
    return frame.map(lambda v: json.dumps(v, sort_keys=True, default=str)).sort_values(
        "finding_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("round-trip")
    summary = generate(PERSONS, SEED, d / "city.jsonl", d / "city.truth.json")
    rest = export_city(d / "city.jsonl", d)

    jsonl_url = f"sqlite:///{d / 'jsonl.db'}"
    store = open_store(jsonl_url)
    ingested = ingest(store, [str(d / "city.jsonl")])
    store.close()

    sheets_url = f"sqlite:///{d / 'sheets.db'}"
    store = open_store(sheets_url)
    ingest(store, [str(rest)])
    imported = import_paths(store, [str(d / "sheets")], mapping=str(d / "map.toml"))
    store.close()
    for url in (jsonl_url, sheets_url):
        Projector(engine_for(url)).run()
    return {"dir": d, "by_type": summary.by_type, "ingested": ingested, "imported": imported,
            "jsonl": jsonl_url, "sheets": sheets_url, "rules": summary.rules}


def test_every_row_of_every_sheet_is_stored(city: dict[str, Any]) -> None:
    imported = city["imported"]
    assert not imported.failed and all(not s.info.problem for s in imported.sheets)
    assert imported.total("quarantined") == 0, [s.errors for s in imported.sheets]
    stored = {s.info.kind: s.stored for s in imported.sheets}
    assert stored == {kind: city["by_type"][t] for kind, t in TYPES.items()}
    assert {s.info.kind: dict(s.skipped) for s in imported.sheets}["spotchecks"] == {
        "title": 1, "total": 1}
    assert sum(stored.values()) + city["ingested"].stored - sum(
        city["by_type"][t] for t in TYPES.values()) == city["ingested"].stored


def test_the_same_read_models_as_the_jsonl(city: dict[str, Any]) -> None:
    want, got = _tables(city["jsonl"]), _tables(city["sheets"])
    assert sum(len(rows) for rows in want.values()) > 100_000
    for table in want:
        assert got[table] == want[table], f"{table} differs"


def test_the_same_findings_as_the_jsonl(city: dict[str, Any]) -> None:
    want = _findings(city["jsonl"], city["rules"])
    got = _findings(city["sheets"], city["rules"])
    assert len(want) > 20
    pd.testing.assert_frame_equal(got, want)


def test_importing_the_folder_again_stores_nothing(city: dict[str, Any]) -> None:
    store = open_store(city["sheets"])
    try:
        again = import_paths(store, [str(city["dir"] / "sheets")],
                             mapping=str(city["dir"] / "map.toml"))
    finally:
        store.close()
    assert again.total("stored") == 0
    assert again.total("duplicates") == city["imported"].total("stored")

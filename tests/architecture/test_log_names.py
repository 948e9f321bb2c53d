"""Only the store names the event log: its table and columns appear in SQL in
``engine/store/`` and nowhere else, so a change to the log's table touches one package.

Everything else reads the log through the store (``EventStore``) or what it hands
out for SQL composed in the database (``engine.store.log_source.LogSource``) and for
reads on the read models' engine (``engine.store.log_reader.LogReader``). What counts
as naming the log is said in ``tests/architecture/log_names.py``.
"""

from __future__ import annotations

import pytest

from tests.architecture.imports import ROOT, graph, modules
from tests.architecture.log_names import namings

STORE = "engine.store"
# the projector composes its INSERT … SELECT from the log's SQL fragments; the rest reads
# the log through methods (EventStore, LogReader) and never holds SQL over it
COMPOSERS = {"projections.statements", "projections.projector", "projections.parallel"}


def _namings(outside: bool) -> list[str]:
    return [f"{path.relative_to(ROOT)}: {n}"
            for name, path in modules().items()
            if name.startswith(STORE) != outside
            for n in namings(path.read_text(encoding="utf-8"), str(path))]


def test_no_module_outside_the_store_names_the_log() -> None:
    found = _namings(outside=True)
    assert not found, ("the event log is named outside engine/store/; ask the store "
                       "(EventStore, LogSource, LogReader) instead:\n" + "\n".join(found))


def test_only_the_projector_composes_sql_over_the_log() -> None:
    users = {m for m, targets in graph().items()
             if "engine.store.log_source" in targets and not m.startswith(STORE)}
    assert users, "nothing imports engine.store.log_source: is the graph read?"
    assert users <= COMPOSERS, f"SQL over the log composed elsewhere: {users - COMPOSERS}"


def test_the_check_sees_the_stores_own_sql() -> None:
    """The same scan over ``engine/store/`` finds the names there: it reads real code."""
    found = " ".join(_namings(outside=False))
    for name in ("stored_events", "notification_id", "rowid", "chain_hash", "chain_seq"):
        assert repr(name) in found, name


@pytest.mark.parametrize("source", [
    'EVENTS = "stored_events"',
    'q = f"SELECT {pos}, event_id FROM {t} WHERE notification_id > :lo"',
    'q = f"SELECT chain_hash FROM {t} WHERE {pos} <= ? ORDER BY {pos}"',
    'q = "select chain_seq from " + table + " where x = 1"',
    'conn.execute(sa.text("SELECT max(rowid) FROM {}".format(t)))',
    'rows = conn.exec_driver_sql(prefix + "rowid")',
    'name = store.events_table_name',
    'cur.execute(SQL("SELECT {} FROM {}").format(Identifier("chain_hash"), t))',
])
def test_a_planted_naming_is_caught(source: str) -> None:
    assert list(namings(source)), source


@pytest.mark.parametrize("source", [
    '"""Reads stored_events by notification_id; SELECT chain_hash FROM it."""',
    'def f():\n    """ORDER BY rowid: the chain_seq of stored_events."""\n',
    'record = {"chain_seq": r.chain_seq, "chain_hash": h.hex(), "prev_hash": p.hex()}',
    'MASKED_KEYS = ("event_id", "chain_hash", "prev_hash")',
    'print(f"chain #{rec[\'chain_seq\']} does not match its chain_hash")',
    'q = f"SELECT position, event_id FROM rm_findings ORDER BY position"',
])
def test_data_keys_and_prose_are_not_sql(source: str) -> None:
    assert not list(namings(source)), source

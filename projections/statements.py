"""The SQL that fills the read models: one ``INSERT … SELECT`` per table and window of
positions, the columns extracted by the database's own JSON functions (SQLite ``->>``,
PostgreSQL ``jsonb``), so no event passes through Python.

The log's side of each statement (which rows, how its JSON is read) comes from the
store's ``LogSource``; this module only composes it with the read models' columns."""

from __future__ import annotations

from engine.store.log_source import LogSource
from projections.columns import ArrayTable, FactTable


def _common(log: LogSource) -> tuple[list[str], list[str]]:
    occurred = log.get("e.j", "occurred_at", "str")
    return (["position", "recorded_us", "occurred_at", "occurred_ts"],
            ["e.position", "e.recorded_at", occurred, log.epoch(occurred)])


def fact_statement(log: LogSource, t: FactTable) -> str:
    names, exprs = _common(log)
    names += [c.name for c in t.columns]
    exprs += [log.get("e.j", c.path, c.kind) for c in t.columns]
    return (f"INSERT INTO {t.name} ({', '.join(names)}) SELECT {', '.join(exprs)} "
            f"FROM {log.rows(t.topics)}")


def array_statement(log: LogSource, t: ArrayTable) -> str:
    names, exprs = _common(log)
    names += ["item_no", *(c.name for c in t.parent), *(c.name for c in t.element)]
    exprs += [log.element_no(), *(log.get("e.j", c.path, c.kind) for c in t.parent),
              *(log.element_value(c.path, c.kind) for c in t.element)]
    return (f"INSERT INTO {t.name} ({', '.join(names)}) SELECT {', '.join(exprs)} "
            f"FROM {log.rows(t.topics)}{log.join_elements(t.array)}")

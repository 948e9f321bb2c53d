"""The SQL that fills the read models: one ``INSERT … SELECT`` per table and window of
positions, the columns extracted by the database's own JSON functions (SQLite ``->>``,
PostgreSQL ``jsonb``), so no event passes through Python."""

from __future__ import annotations

import sqlalchemy as sa

from projections.columns import ArrayTable, Col, FactTable

EVENTS = "stored_events"


class _Dialect:
    """How one backend reads a JSON path out of ``stored_events.state``."""

    position = "rowid"

    def __init__(self, events: str = EVENTS):
        self.events = events  # the log table, schema-qualified when read from another file

    def source(self, topics: tuple[str, ...]) -> str:
        quoted = ", ".join(f"'{t}'" for t in topics)
        return (f"(SELECT rowid AS position, recorded_at, state AS j FROM {self.events} "
                f"WHERE topic IN ({quoted}) AND rowid > :lo AND rowid <= :hi) e")

    def get(self, base: str, path: str, kind: str) -> str:
        p = "$" + "".join(f".{part}" for part in path.split(".") if part)
        raw = f"{base} ->> '{p}'"
        return {
            "str": raw, "date": raw, "bool": raw,
            "int": f"CAST({raw} AS INTEGER)",
            "num": f"CAST({raw} AS REAL)",
            # validated: at most 2 decimals and below 1e12, so the double is exact once rounded
            "money": f"CAST(ROUND(CAST({raw} AS REAL) * 100) AS INTEGER)",
            "json": f"{base} -> '{p}'",
        }[kind]

    def epoch(self, text: str) -> str:
        return f"unixepoch({text})"

    def elements(self, path: str) -> str:
        return f"json_each(e.j, '$.{path}') a"

    def element_no(self) -> str:
        return "CAST(a.key AS INTEGER)"

    def element(self) -> str:
        return "a.value"

    def head(self) -> str:
        return f"SELECT COALESCE(MAX(rowid), 0) FROM {EVENTS}"


class _Postgres(_Dialect):
    position = "notification_id"

    def source(self, topics: tuple[str, ...]) -> str:
        quoted = ", ".join(f"'{t}'" for t in topics)
        # OFFSET 0 keeps the planner from re-parsing the JSON once per column
        return (f"(SELECT notification_id AS position, recorded_at, "
                f"convert_from(state, 'UTF8')::jsonb AS j FROM {self.events} "
                f"WHERE topic IN ({quoted}) AND notification_id > :lo "
                f"AND notification_id <= :hi OFFSET 0) e")

    def get(self, base: str, path: str, kind: str) -> str:
        p = "{" + ",".join(part for part in path.split(".") if part) + "}"
        raw = f"({base} #>> '{p}')"
        return {
            "str": raw, "date": raw,
            "bool": f"{raw}::boolean",
            "int": f"{raw}::bigint",
            "num": f"{raw}::float8",
            "money": f"round({raw}::numeric * 100)::bigint",
            "json": f"({base} #> '{p}')::text",
        }[kind]

    def epoch(self, text: str) -> str:
        return f"floor(extract(epoch from ({text})::timestamptz))::bigint"

    def elements(self, path: str) -> str:
        p = "{" + ",".join(path.split(".")) + "}"
        return (f"CROSS JOIN LATERAL jsonb_array_elements("
                f"CASE WHEN jsonb_typeof(e.j #> '{p}') = 'array' THEN e.j #> '{p}' "
                f"ELSE '[]'::jsonb END) WITH ORDINALITY AS a(value, ord)")

    def element_no(self) -> str:
        return "(a.ord - 1)::int"

    def element(self) -> str:
        return "a.value"

    def head(self) -> str:
        return f"SELECT COALESCE(MAX(notification_id), 0) FROM {EVENTS}"


def dialect_of(engine: sa.Engine) -> _Dialect:
    return dialect_of_name(engine.dialect.name)


def dialect_of_name(name: str, events: str = EVENTS) -> _Dialect:
    return _Postgres(events) if name == "postgresql" else _Dialect(events)


def _common(d: _Dialect) -> tuple[list[str], list[str]]:
    occurred = d.get("e.j", "occurred_at", "str")
    return (["position", "recorded_us", "occurred_at", "occurred_ts"],
            ["e.position", "e.recorded_at", occurred, d.epoch(occurred)])


def fact_statement(d: _Dialect, t: FactTable) -> str:
    names, exprs = _common(d)
    names += [c.name for c in t.columns]
    exprs += [d.get("e.j", c.path, c.kind) for c in t.columns]
    return (f"INSERT INTO {t.name} ({', '.join(names)}) SELECT {', '.join(exprs)} "
            f"FROM {d.source(t.topics)}")


def _element_expr(d: _Dialect, c: Col) -> str:
    if not c.path:
        return d.get(d.element(), "", c.kind) if isinstance(d, _Postgres) else d.element()
    return d.get(d.element(), c.path, c.kind)


def array_statement(d: _Dialect, t: ArrayTable) -> str:
    names, exprs = _common(d)
    names += ["item_no", *(c.name for c in t.parent), *(c.name for c in t.element)]
    exprs += [d.element_no(), *(d.get("e.j", c.path, c.kind) for c in t.parent),
              *(_element_expr(d, c) for c in t.element)]
    sep = " " if isinstance(d, _Postgres) else ", "
    return (f"INSERT INTO {t.name} ({', '.join(names)}) SELECT {', '.join(exprs)} "
            f"FROM {d.source(t.topics)}{sep}{d.elements(t.array)}")

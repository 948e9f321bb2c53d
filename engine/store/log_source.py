"""Where the event log lies in its database, as the SQL that reads it there.

The projector fills each read model with one ``INSERT … SELECT`` per window of
positions, run inside the database, so what it needs from the store is SQL, not
rows: a ``LogSource`` hands out the fragments it composes (a window's events with
their JSON decoded, the topics a window holds, the head) and the backend's JSON
accessors over the decoded state. The log's table and columns are named here and
in the stores only (``tests/architecture/test_log_names.py``).
"""

from __future__ import annotations

EVENTS_TABLE = "stored_events"  # the library's default name for the log, which both stores keep


class LogSource:
    """The log on SQLite: a position is the table's ``rowid``; JSON is read with ``->>``."""

    backend = "sqlite"
    position = "rowid"

    def __init__(self, table: str = EVENTS_TABLE):
        self.table = table  # schema-qualified when the log is read from another file

    # -- the log's own columns -------------------------------------------------------------

    def rows(self, topics: tuple[str, ...]) -> str:
        """The events of ``topics`` in the window ``(:lo, :hi]``, as the subquery ``e``
        with columns ``position``, ``recorded_at`` and ``j`` (the decoded state)."""
        quoted = ", ".join(f"'{t}'" for t in topics)
        return (f"(SELECT rowid AS position, recorded_at, state AS j FROM {self.table} "
                f"WHERE topic IN ({quoted}) AND rowid > :lo AND rowid <= :hi) e")

    def topics_between(self) -> str:
        """The distinct event types stored in the window ``(:lo, :hi]``."""
        return (f"SELECT DISTINCT topic FROM {self.table} "
                f"WHERE {self.position} > :lo AND {self.position} <= :hi")

    def head(self) -> str:
        """The highest position stored (0 for an empty log)."""
        return f"SELECT COALESCE(MAX(rowid), 0) FROM {self.table}"

    # -- JSON accessors over the decoded state ----------------------------------------------

    def get(self, base: str, path: str, kind: str) -> str:
        """The value at dotted ``path`` of the JSON ``base``, as a column of ``kind``."""
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
        """Seconds since 1970 of an ISO-8601 time with its offset."""
        return f"unixepoch({text})"

    def join_elements(self, path: str) -> str:
        """What follows ``FROM e`` to give one row per element of the array at ``path``."""
        return f", json_each(e.j, '$.{path}') a"

    def element_no(self) -> str:
        """The element's index in its array, from 0."""
        return "CAST(a.key AS INTEGER)"

    def element(self) -> str:
        return "a.value"

    def element_value(self, path: str, kind: str) -> str:
        """The element itself (``path`` empty: SQLite's ``value`` is already typed) or the
        value at ``path`` inside it."""
        return self.get(self.element(), path, kind) if path else self.element()


class PostgresLogSource(LogSource):
    """The log on PostgreSQL: a position is ``notification_id``; JSON is read as ``jsonb``."""

    backend = "postgresql"
    position = "notification_id"

    def rows(self, topics: tuple[str, ...]) -> str:
        quoted = ", ".join(f"'{t}'" for t in topics)
        # OFFSET 0 keeps the planner from re-parsing the JSON once per column
        return (f"(SELECT notification_id AS position, recorded_at, "
                f"convert_from(state, 'UTF8')::jsonb AS j FROM {self.table} "
                f"WHERE topic IN ({quoted}) AND notification_id > :lo "
                f"AND notification_id <= :hi OFFSET 0) e")

    def head(self) -> str:
        return f"SELECT COALESCE(MAX(notification_id), 0) FROM {self.table}"

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

    def join_elements(self, path: str) -> str:
        p = "{" + ",".join(path.split(".")) + "}"
        return (f" CROSS JOIN LATERAL jsonb_array_elements("
                f"CASE WHEN jsonb_typeof(e.j #> '{p}') = 'array' THEN e.j #> '{p}' "
                f"ELSE '[]'::jsonb END) WITH ORDINALITY AS a(value, ord)")

    def element_no(self) -> str:
        return "(a.ord - 1)::int"

    def element_value(self, path: str, kind: str) -> str:
        return self.get(self.element(), path, kind)  # jsonb: typed by ``kind`` even at the top


def log_source(backend: str, table: str = EVENTS_TABLE) -> LogSource:
    """The log of a database of ``backend`` (SQLAlchemy's dialect name), in ``table``."""
    return PostgresLogSource(table) if backend == "postgresql" else LogSource(table)

"""What someone with direct database access could do to a store, bypassing skillaudit.

Used by the tamper tests: drop the immutability guards, then edit, delete or swap
stored rows with plain SQL on the backend's own driver.
"""

from __future__ import annotations

from typing import Any

import psycopg

COLUMNS = ("originator_id", "originator_version", "topic", "state", "event_id", "recorded_at",
           "chain_seq", "chain_hash")


class Attacker:
    def __init__(self, url: str):
        self.url = url
        self.sqlite = url.startswith("sqlite:///")
        if self.sqlite:
            import sqlite3

            self.conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"),
                                             isolation_level=None)
            self.pos = "rowid"
            self.p = "?"
        else:
            self.conn = psycopg.connect(url, autocommit=True)
            self.pos = "notification_id"
            self.p = "%s"

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Attacker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        cur = self.conn.execute(sql.replace("?", self.p), params)
        return [] if cur.description is None else list(cur.fetchall())  # no result rows

    def drop_guards(self) -> None:
        """Remove the triggers that refuse UPDATE and DELETE on stored events."""
        if self.sqlite:
            self.execute("DROP TRIGGER stored_events_no_update")
            self.execute("DROP TRIGGER stored_events_no_delete")
        else:
            self.execute("DROP TRIGGER stored_events_immutable ON stored_events")
            self.execute("DROP TRIGGER stored_events_no_truncate ON stored_events")

    def positions(self) -> list[int]:
        return [r[0] for r in self.execute(
            f"SELECT {self.pos} FROM stored_events ORDER BY {self.pos}")]

    def row(self, position: int) -> dict[str, Any]:
        [r] = self.execute(f"SELECT {', '.join(COLUMNS)} FROM stored_events "
                           f"WHERE {self.pos} = ?", (position,))
        return dict(zip(COLUMNS, r, strict=True))

    def set(self, position: int, **values: Any) -> None:
        assigns = ", ".join(f"{k} = ?" for k in values)
        self.execute(f"UPDATE stored_events SET {assigns} WHERE {self.pos} = ?",
                     (*values.values(), position))

    def delete(self, position: int) -> None:
        self.execute(f"DELETE FROM stored_events WHERE {self.pos} = ?", (position,))

    def swap(self, a: int, b: int) -> None:
        """Exchange every column but the position between two rows."""
        ra, rb = self.row(a), self.row(b)
        self.set(a, originator_id="__swap__", event_id="__swap__")  # free the unique keys
        self.set(b, **ra)
        self.set(a, **rb)

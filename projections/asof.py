""""As of": the state exactly as the engine knew it at a position or a recording time.

Every read-model row carries the ``position`` of its event and the time the
source recorded it (``recorded_us``), so "as of" is a filter on those rows and
needs no rebuild. ``--as-of TIME`` keeps the events recorded at or before TIME
(a back-filled record made later is not seen, even if it is about earlier
days); ``--as-of-position N`` keeps the first N positions of the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class AsOf:
    """No bound (the present), a position, a recording time, or both."""

    position: int | None = None
    recorded_us: int | None = None
    label: str = "now"

    @classmethod
    def parse(cls, time: str | None = None, position: int | None = None) -> AsOf:
        """From the CLI's ``--as-of`` (ISO time with offset) and ``--as-of-position``."""
        recorded_us = None
        labels = []
        if time:
            try:
                t = datetime.fromisoformat(time)
            except ValueError:
                raise ValueError(f"--as-of {time!r} is not an ISO 8601 time "
                                 "(e.g. 2023-06-30T00:00+08:00)") from None
            if t.tzinfo is None:
                raise ValueError(f"--as-of {time!r} needs its UTC offset, "
                                 "e.g. 2023-06-30T00:00+08:00")
            recorded_us = (t - datetime(1970, 1, 1, tzinfo=UTC)) // _US
            labels.append(f"recorded by {time}")
        if position is not None:
            if position < 0:
                raise ValueError("--as-of-position must be 0 or more")
            labels.append(f"position ≤ {position}")
        return cls(position, recorded_us, " and ".join(labels) or "now")

    @property
    def bounded(self) -> bool:
        return self.position is not None or self.recorded_us is not None

    def where(self, table: sa.Table) -> list[sa.ColumnElement[bool]]:
        """Conditions keeping the table's rows visible as of this point."""
        out: list[sa.ColumnElement[bool]] = []
        if self.position is not None:
            out.append(table.c.position <= self.position)
        if self.recorded_us is not None:
            out.append(table.c.recorded_us <= self.recorded_us)
        return out

    def reference_date(self) -> str | None:
        """The calendar date (UTC) of a time bound, for ages and deadlines."""
        if self.recorded_us is None:
            return None
        return datetime.fromtimestamp(self.recorded_us / 1e6, UTC).date().isoformat()


NOW = AsOf()

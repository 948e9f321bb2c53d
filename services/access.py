"""The access log: record who saw or did what (``AccessRecorded``), and read it back.

Every adapter records through ``record_access``: views of personal data in
full, downloads, actions and refusals. Many accesses go in one append (the
store's batch path), so a page that touches fifty records costs one write.
Reading the log is an admin's task (``Permission.READ_ACCESS_LOG``); a person's
id in it is shown in full only to a role that may see personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from engine.events.access import AccessRecorded
from engine.privacy import mask_record
from engine.record import own_event
from projections.asof import NOW, AsOf
from projections.tables import metadata
from services.actor import Actor, Permission
from services.workbench import Workbench

SOURCE = "workbench"
COLUMNS = ("position", "occurred_at", "event_id", "by", "role", "action", "outcome",
           "subject_type", "subject_id", "unmasked", "detail")


@dataclass(frozen=True)
class Access:
    """One access to record: who (name, role), what they did to which subject, the outcome."""

    by: str
    role: str
    action: str
    outcome: str = "ok"  # ok | refused | failed
    subject_type: str | None = None
    subject_id: str | None = None
    unmasked: bool = False
    detail: str | None = None
    at: datetime | None = None

    @classmethod
    def of(cls, actor: Actor, action: str, **kw: Any) -> Access:
        return cls(actor.name, actor.role.value, action, **kw)


def _event(a: Access, n: int) -> Any:
    data = AccessRecorded(by=a.by[:200] or "-", role=a.role[:40] or "-", action=a.action,
                          outcome=a.outcome,  # type: ignore[arg-type]
                          subject_type=a.subject_type,
                          subject_id=(a.subject_id or None) and a.subject_id[:200],
                          unmasked=a.unmasked,
                          detail=None if a.detail is None else a.detail[:2000])
    return own_event(data, event_id=f"access-{uuid.uuid4().hex}",
                     occurred_at=a.at or datetime.now(UTC), source=SOURCE, line_no=n)


def record_access(wb: Workbench, accesses: Sequence[Access]) -> int:
    """Append the accesses to the log in one batch; how many were stored."""
    if not accesses:
        return 0
    events = [_event(a, n) for n, a in enumerate(accesses, 1)]
    with wb.store() as store:
        store.append(events)
    return len(events)


def access_log(wb: Workbench, actor: Actor, *, by: str | None = None,
               subject_id: str | None = None, action: str | None = None,
               outcome: str | None = None, as_of: AsOf = NOW, since: AsOf | None = None,
               limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """(total matching, one page of accesses), newest first; masked unless the role may see.
    ``since``: only what was recorded after that point; ``as_of``: by that point."""
    actor.require(Permission.READ_ACCESS_LOG)
    views = wb.views()
    table = metadata.tables["rm_access"]
    where = _where(table, by, subject_id, action, outcome) + _between(wb, table, since, as_of)
    with views.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)
                             ).scalar_one()
        rows = conn.execute(sa.select(*(table.c[c] for c in COLUMNS)).where(*where)
                            .order_by(table.c.position.desc()).limit(limit).offset(offset)
                            ).mappings().all()
    records = [_record(r) for r in rows]
    return int(total), records if actor.may(Permission.SEE_PERSONAL_DATA) else \
        [mask_record(r) for r in records]


def iter_access_log(wb: Workbench, actor: Actor, *, by: str | None = None,
                    subject_id: str | None = None, action: str | None = None,
                    outcome: str | None = None, as_of: AsOf = NOW,
                    since: AsOf | None = None, page: int = 5_000
                    ) -> Iterable[dict[str, Any]]:
    """Every matching access in log order, a page at a time (for an export)."""
    actor.require(Permission.READ_ACCESS_LOG)
    views = wb.views()
    table = metadata.tables["rm_access"]
    where = _where(table, by, subject_id, action, outcome) + _between(wb, table, since, as_of)
    unmask = actor.may(Permission.SEE_PERSONAL_DATA)
    after = -1
    while True:
        with views.engine.connect() as conn:
            rows = conn.execute(sa.select(*(table.c[c] for c in COLUMNS))
                                .where(*where, table.c.position > after)
                                .order_by(table.c.position).limit(page)).mappings().all()
        if not rows:
            return
        for r in rows:
            rec = _record(r)
            yield rec if unmask else mask_record(rec)
        after = int(rows[-1]["position"])


def _between(wb: Workbench, table: sa.Table, since: AsOf | None, upto: AsOf) -> list[Any]:
    """Positions recorded after ``since`` (when given) and by ``upto``."""
    where = []
    first = None if since is None else wb.position_of(since)
    if first is not None:
        where.append(table.c.position > first)
    last = wb.position_of(upto)
    if last is not None:
        where.append(table.c.position <= last)
    return where


def _where(table: sa.Table, by: str | None, subject_id: str | None, action: str | None,
           outcome: str | None) -> list[Any]:
    wanted = {"by": by, "subject_id": subject_id, "action": action, "outcome": outcome}
    return [table.c[k] == v for k, v in wanted.items() if v]


def _record(row: Any) -> dict[str, Any]:
    rec = {c: row[c] for c in COLUMNS}
    rec["unmasked"] = bool(rec["unmasked"])
    rec["position"] = int(rec["position"])
    return rec

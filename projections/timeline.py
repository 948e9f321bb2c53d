"""Timelines: every stored event about one subject, in global order, readable.

The read models index each event by the ids it names, so a timeline is a
union of indexed lookups followed by one read of those events from the log
(the stored JSON, exactly as it was hashed). Unless the caller may see them,
ID numbers, phones, bank accounts and person names in each event's data are
masked (``engine.privacy.mask_record``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from engine.privacy import mask_record, sensitive_values
from engine.serial import load
from engine.store.log_reader import LogReader
from projections.asof import NOW, AsOf
from projections.tables import metadata

SUBJECTS = {
    "person": "person_id",
    "class": "class_id",
    "institution": "institution_id",
    "claim": "claim_id",
    "agency": "agency_id",
    "employer": "employer_id",
    "payment": "payment_id",
    "voucher": "voucher_id",
}


@dataclass(frozen=True)
class TimelineEntry:
    position: int
    type: str
    event_id: str
    occurred_at: str
    recorded_at: str
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"position": self.position, "type": self.type, "event_id": self.event_id,
                "occurred_at": self.occurred_at, "recorded_at": self.recorded_at,
                "data": self.data}


def _positions(conn: sa.Connection, kind: str, subject_id: str, as_of: AsOf) -> list[int]:
    column = SUBJECTS[kind]
    queries: list[sa.Select[Any]] = []
    for table in metadata.sorted_tables:
        if not table.name.startswith("rm_") or "position" not in table.c:
            continue
        if column in table.c:
            queries.append(sa.select(table.c.position).where(
                table.c[column] == subject_id, *as_of.where(table)))
        if kind == "institution" and "linked_institution_id" in table.c:
            queries.append(sa.select(table.c.position).where(
                table.c.linked_institution_id == subject_id, *as_of.where(table)))
    claims = metadata.tables["rm_claims"]
    if kind in ("institution", "employer", "person"):
        queries.append(sa.select(claims.c.position).where(
            claims.c.claimant_type == kind, claims.c.claimant_id == subject_id,
            *as_of.where(claims)))
    complaints = metadata.tables["rm_complaints"]
    queries.append(sa.select(complaints.c.position).where(
        complaints.c.subject_type == kind, complaints.c.subject_id == subject_id,
        *as_of.where(complaints)))
    if kind == "claim":
        payments = metadata.tables["rm_payments"]
        recoveries = metadata.tables["rm_recoveries"]
        queries.append(sa.select(recoveries.c.position).where(
            recoveries.c.payment_id.in_(sa.select(payments.c.payment_id).where(
                payments.c.claim_id == subject_id)), *as_of.where(recoveries)))
    found: set[int] = set()
    for q in queries:
        found.update(conn.execute(q).scalars())
    return sorted(found)


def timeline(engine: sa.Engine, kind: str, subject_id: str, *, as_of: AsOf = NOW,
             unmask: bool = False) -> list[TimelineEntry]:
    """Every event about ``kind``/``subject_id`` visible as of ``as_of``, in log order."""
    if kind not in SUBJECTS:
        raise ValueError(f"unknown subject kind {kind!r}: one of {', '.join(SUBJECTS)}")
    with engine.connect() as conn:
        positions = _positions(conn, kind, subject_id, as_of)
    entries: list[TimelineEntry] = []
    for position, topic, state in LogReader(engine).events_at(positions):
        ev = load(state)
        entries.append(TimelineEntry(
            position, topic, ev["event_id"], ev["occurred_at"],
            ev.get("recorded_at") or ev["occurred_at"], ev.get("data", {})))
    if unmask:
        return entries
    # what one event names (a person's name) is masked wherever another quotes it
    known: dict[str, str] = {}
    for e in entries:
        known.update(sensitive_values(e.data))
    return [replace(e, data=mask_record(e.data, known)) for e in entries]

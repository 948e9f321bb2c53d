"""Timelines: every stored event about one subject, in global order, readable.

The read models index each event by the ids it names, so a timeline is a
union of indexed lookups followed by one read of those events from the log
(the stored JSON, exactly as it was hashed). Unless the caller may see them,
ID numbers, phones, bank accounts and person names in each event's data are
masked (``engine.privacy.mask_record``).
"""

from __future__ import annotations

import functools
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
    params: dict[str, Any] = {"subject": subject_id, "kind": kind}
    if as_of.position is not None:
        params["upto_position"] = as_of.position
    if as_of.recorded_us is not None:
        params["upto_recorded"] = as_of.recorded_us
    query = _union(kind, as_of.position is not None, as_of.recorded_us is not None)
    return sorted({int(p) for p in conn.execute(query, params).scalars()})


@functools.cache
def _union(kind: str, by_position: bool, by_recording: bool) -> sa.CompoundSelect[Any]:
    """Every read-model lookup of a subject as one statement, built once per kind and bound
    (one round trip; the statement's cache key is worked out once, not per request)."""
    column = SUBJECTS[kind]
    subject, kind_of = sa.bindparam("subject"), sa.bindparam("kind")

    def visible(table: sa.Table) -> list[sa.ColumnElement[bool]]:
        out: list[sa.ColumnElement[bool]] = []
        if by_position:
            out.append(table.c.position <= sa.bindparam("upto_position"))
        if by_recording:
            out.append(table.c.recorded_us <= sa.bindparam("upto_recorded"))
        return out

    queries: list[sa.Select[Any]] = []
    for table in metadata.sorted_tables:
        if not table.name.startswith("rm_") or "position" not in table.c:
            continue
        if column in table.c:
            queries.append(sa.select(table.c.position).where(
                table.c[column] == subject, *visible(table)))
        if kind == "institution" and "linked_institution_id" in table.c:
            queries.append(sa.select(table.c.position).where(
                table.c.linked_institution_id == subject, *visible(table)))
    claims = metadata.tables["rm_claims"]
    if kind in ("institution", "employer", "person"):
        queries.append(sa.select(claims.c.position).where(
            claims.c.claimant_type == kind_of, claims.c.claimant_id == subject,
            *visible(claims)))
    complaints = metadata.tables["rm_complaints"]
    queries.append(sa.select(complaints.c.position).where(
        complaints.c.subject_type == kind_of, complaints.c.subject_id == subject,
        *visible(complaints)))
    if kind == "claim":
        payments = metadata.tables["rm_payments"]
        recoveries = metadata.tables["rm_recoveries"]
        queries.append(sa.select(recoveries.c.position).where(
            recoveries.c.payment_id.in_(sa.select(payments.c.payment_id).where(
                payments.c.claim_id == subject)), *visible(recoveries)))
    return sa.union_all(*queries)


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

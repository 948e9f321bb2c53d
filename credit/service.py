"""Credit use cases: rate, record ratings that changed, history, repair.

Ratings are a pure function of a prefix of the log and the ``[credit]``
rules, so ``rate(engine, params, position=N)`` reproduces what was stored as
of position N. ``record`` appends a ``CreditRated`` event only for subjects
whose score, grade or reasons changed since their last stored rating; its id
is derived from that previous rating and the new facts, so a rerun (or two
concurrent runs) stores nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa

from credit.facts import gather
from credit.model import Rating, rate_all
from credit.params import GRADES, CreditParams, credit_params
from detectors.rules import Rules
from engine.errors import NotFound, SkillauditError
from engine.events.credit import CreditRated, CreditRepaired
from engine.parse import NewEvent
from engine.privacy import mask_record
from engine.record import own_event
from engine.store.base import EventStore
from projections.asof import AsOf
from projections.projector import Projector
from projections.views import Views

SOURCE = "skillaudit"


class CreditError(SkillauditError, ValueError):
    """A credit request that cannot be done; the message says why and what to do."""


class UnknownSubject(CreditError, NotFound):
    """No institution or agency of that id (a 404 on the web, exit code 1 here too)."""


@dataclass
class RecordReport:
    position: int
    ratings: list[Rating]
    stored: list[str] = field(default_factory=list)  # subject ids rated anew


def params_of(rules: Rules) -> CreditParams:
    return credit_params(rules.credit, rules.version)


def bring_up_to_date(engine: sa.Engine) -> int:
    """Apply new events to the read models; the last position applied.

    On SQLite the write-ahead log is checkpointed too, so the columnar reader
    (connectorx's own SQLite, ``projections.read``) sees a write made just
    before in this process (it read stale pages without it; cheap either way).
    """
    projector = Projector(engine)
    projector.run()
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
    return projector.position()


def rate(engine: sa.Engine, params: CreditParams, position: int | None = None
         ) -> tuple[int, list[Rating]]:
    """Bring the read models up to date, then rate every subject as of ``position`` (or now)."""
    head = bring_up_to_date(engine)
    at = head if position is None else min(position, head)
    return at, rate_all(gather(Views(engine, AsOf(position=at)), at), params)


def stored_ratings(engine: sa.Engine, subject_id: str | None = None) -> pd.DataFrame:
    """Every stored ``CreditRated`` row (of one subject), in log order."""
    views = Views(engine)
    table = views.rows("rm_credit_ratings")
    if subject_id is not None:
        table = table[table["subject_id"] == subject_id]
    return table.sort_values("position").reset_index(drop=True)


def _latest(engine: sa.Engine) -> dict[tuple[str, str], pd.Series]:
    rows = stored_ratings(engine)
    return {(r["subject_type"], r["subject_id"]): r
            for _, r in rows.groupby(["subject_type", "subject_id"]).tail(1).iterrows()}


def rating_event(r: Rating, params: CreditParams, position: int, previous: str | None,
                 now: datetime, actor: tuple[str, str] | None = None, line_no: int = 0
                 ) -> NewEvent:
    """The ``CreditRated`` event; its id follows from the previous rating and the new facts."""
    key = json.dumps([previous, r.subject_type, r.subject_id, r.facts_digest, params.digest])
    event_id = "credit-" + hashlib.sha256(key.encode()).hexdigest()[:24]
    data = CreditRated(
        subject_type=r.subject_type, subject_id=r.subject_id, score=r.score, grade=r.grade,
        reasons=r.reasons, rules_version=params.version, rules_digest=params.digest,
        facts_digest=r.facts_digest, as_of_position=position, previous_rating=previous,
        by=actor[0] if actor else None, role=actor[1] if actor else None)
    return own_event(data, event_id=event_id, occurred_at=now, source=SOURCE, line_no=line_no)


def record(store: EventStore, engine: sa.Engine, params: CreditParams,
           now: datetime | None = None, actor: tuple[str, str] | None = None) -> RecordReport:
    """Rate every subject now; append a ``CreditRated`` for each whose facts changed."""
    now = now or datetime.now().astimezone()
    position, ratings = rate(engine, params)
    latest = _latest(engine)
    events: list[NewEvent] = []
    stored: list[str] = []
    for r in ratings:
        last = latest.get((r.subject_type, r.subject_id))
        if last is not None and last["facts_digest"] == r.facts_digest:
            continue
        previous = None if last is None else str(last["event_id"])
        events.append(rating_event(r, params, position, previous, now, actor, len(events) + 1))
        stored.append(r.subject_id)
    for i in range(0, len(events), 5000):
        store.append(events[i:i + 5000])
    if events:
        bring_up_to_date(engine)
    return RecordReport(position, ratings, stored)


def find(ratings: list[Rating], subject_id: str, subject_type: str | None = None) -> Rating:
    """The rating of one subject, or an error naming what to do."""
    hits = [r for r in ratings if r.subject_id == subject_id
            and (subject_type is None or r.subject_type == subject_type)]
    if not hits:
        raise UnknownSubject(f"no institution or agency {subject_id!r} is registered (at this "
                          "point of the log); `skillaudit credit list` shows every subject")
    if len(hits) > 1:
        raise CreditError(f"{subject_id!r} is both an institution and an agency: "
                          "add --type institution or --type agency")
    return hits[0]


def history(engine: sa.Engine, subject_id: str) -> list[dict[str, Any]]:
    """Every stored rating and repair of a subject, in log order.

    Masked (``engine.privacy``): a repair's note is free text that may quote a
    phone, an account or an ID number; the log keeps it in full.
    """
    bring_up_to_date(engine)
    views = Views(engine)
    out: list[dict[str, Any]] = []
    for _, r in stored_ratings(engine, subject_id).iterrows():
        out.append({"event": "CreditRated", "event_id": r["event_id"],
                    "position": int(r["position"]), "at": r["occurred_at"],
                    "subject_type": r["subject_type"], "score": int(r["score"]),
                    "grade": r["grade"], "reasons": json.loads(r["reasons"] or "[]"),
                    "as_of_position": int(r["as_of_position"]),
                    "rules_version": r["rules_version"], "rules_digest": r["rules_digest"],
                    "facts_digest": r["facts_digest"]})
    repairs = views.rows("rm_credit_repairs")
    for _, r in repairs[repairs["subject_id"] == subject_id].iterrows():
        out.append({"event": "CreditRepaired", "event_id": r["event_id"],
                    "position": int(r["position"]), "at": r["occurred_at"],
                    "subject_type": r["subject_type"], "by": r["by"], "note": r["note"],
                    "from_grade": r["from_grade"], "to_grade": r["to_grade"],
                    "clean_since": r["clean_since"], "clean_days": int(r["clean_days"])})
    return [mask_record(e) for e in sorted(out, key=lambda e: e["position"])]


def _registered_day(engine: sa.Engine, r: Rating, position: int) -> str | None:
    views = Views(engine, AsOf(position=position))
    frame = views.institutions if r.subject_type == "institution" else views.agencies
    if r.subject_id not in frame.index:
        return None
    return str(frame.at[r.subject_id, "registered_at"])[:10]


def repair(store: EventStore, engine: sa.Engine, params: CreditParams, subject_id: str, *,
           note: str, by: str, subject_type: str | None = None, role: str | None = None,
           now: datetime | None = None) -> tuple[dict[str, Any], Rating, int]:
    """Credit repair (信用修复): raise the grade after a clean period; record it and re-rate."""
    now = now or datetime.now().astimezone()
    if not note.strip():
        raise CreditError("a repair needs a remediation note: --note TEXT (整改说明)")
    if not by.strip():
        raise CreditError("a repair needs the name of who grants it: --by NAME")
    position, ratings = rate(engine, params)
    r = find(ratings, subject_id, subject_type)
    if any(x["factor"] == "repair" for x in r.reasons):
        raise CreditError(f"{subject_id} was already repaired after its last finding; a repair "
                          "lasts until the next finding (已修复)")
    if r.grade == GRADES[0]:
        raise CreditError(f"{subject_id} is already graded A (守信): nothing to repair")
    since = r.last_finding_day or _registered_day(engine, r, position)
    clean_days = (now.date() - date.fromisoformat(since)).days if since else 0
    if clean_days < params.repair_clean_days:
        ready = date.fromisoformat(since) + timedelta(days=params.repair_clean_days)
        raise CreditError(
            f"{subject_id} has had a finding (or was registered) on {since}, {clean_days} days "
            f"ago; a repair needs {params.repair_clean_days} clean days (rules "
            f"credit.repair_clean_days): try again from {ready} (未满信用修复期)")
    to_grade = GRADES[max(0, GRADES.index(r.grade) - params.repair_bands)]
    data = {"subject_type": r.subject_type, "subject_id": r.subject_id, "by": by,
            "note": note, "from_grade": r.grade, "to_grade": to_grade,
            "clean_since": since, "clean_days": clean_days}
    event_id = f"credit-repair-{uuid.uuid4().hex[:16]}"
    store.append([own_event(CreditRepaired(**{**data, "clean_since": _day(since), "role": role}),
                            event_id=event_id, occurred_at=now, source=SOURCE)])
    report = record(store, engine, params, now, (by, role) if role else None)
    rated = find(report.ratings, subject_id, r.subject_type)
    return mask_record({**data, "event_id": event_id}), rated, report.position


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None

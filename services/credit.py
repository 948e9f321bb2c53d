"""Use cases of institution credit (信用评价): ratings as of a point, history, repair, publish.

Reading the present first records any rating that changed (``CreditRated``,
nothing twice), so the log keeps every score ever shown; as of an earlier
point, ratings are recomputed from that prefix of the log and nothing is stored.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from credit.model import Rating
from credit.params import CreditParams
from credit.publish import write_public
from credit.service import find, history, params_of, rate, record, repair, stored_ratings
from engine.errors import SkillauditError, UsageError
from projections.asof import NOW, AsOf
from services.actor import Actor, Permission
from services.markers import fact_tables, marker
from services.workbench import Workbench


@dataclass(frozen=True)
class Ratings:
    position: int
    ratings: list[Rating]
    params: CreditParams

    def record_of(self, r: Rating) -> dict[str, Any]:
        """A rating in the JSON form every adapter shows."""
        return {"subject_type": r.subject_type, "subject_id": r.subject_id,
                "institution_id": r.subject_id if r.subject_type == "institution" else None,
                "agency_id": r.subject_id if r.subject_type == "agency" else None,
                "name": r.name, "credit_code": r.credit_code, "score": r.score,
                "grade": r.grade, "grade_label": r.grade_label, "reasons": r.reasons,
                "facts_digest": r.facts_digest, "rules_version": self.params.version,
                "rules_digest": self.params.digest, "as_of_position": self.position}


def _params(wb: Workbench) -> CreditParams:
    try:
        return params_of(wb.rules)
    except KeyError as exc:
        raise UsageError(f"credit rules: {exc}") from None


class _Present:
    """The present ratings of each store, kept while the facts they rest on stay put
    (rating every subject reads most of the read models: seconds on a large store)."""

    def __init__(self) -> None:
        self.kept: dict[str, tuple[tuple[object, ...], Ratings]] = {}
        self.lock = threading.Lock()

    def get(self, url: str, key: tuple[object, ...]) -> Ratings | None:
        with self.lock:
            kept = self.kept.get(url)
        return kept[1] if kept is not None and kept[0] == key else None

    def put(self, url: str, key: tuple[object, ...], got: Ratings) -> None:
        with self.lock:
            self.kept[url] = (key, got)


_PRESENT = _Present()
# the ratings themselves are not facts of a rating: recording them changes nothing rated
_FACTS = fact_tables(leave_out=("rm_credit_ratings",))


def ratings(wb: Workbench, actor: Actor, *, as_of: AsOf = NOW) -> Ratings:
    """Every subject's rating as of a point; the present ones are recorded first."""
    actor.require(Permission.READ)
    params = _params(wb)
    position = wb.position_of(as_of)
    if position is not None:
        return Ratings(*rate(wb.engine, params, position), params)
    wb.views()  # the read models up to date, so that the marker says where the facts stand
    key = (params.digest, marker(wb.engine, _FACTS))
    kept = _PRESENT.get(wb.url, key)
    if kept is not None:  # rated on these very facts, and recorded then
        return kept
    if not actor.may(Permission.CREDIT_RATE):
        return Ratings(*rate(wb.engine, params), params)
    with wb.store() as store:
        report = record(store, wb.engine, params, actor=actor.stamp)
    got = Ratings(report.position, report.ratings, params)
    _PRESENT.put(wb.url, key, got)
    return got


def show(wb: Workbench, actor: Actor, subject_id: str, *, subject_type: str | None = None,
         as_of: AsOf = NOW) -> dict[str, Any]:
    """One rating, the facts that moved it, and whether the stored one is reproduced."""
    got = ratings(wb, actor, as_of=as_of)
    r = find(got.ratings, subject_id, subject_type)
    rec = got.record_of(r)
    stored = stored_ratings(wb.engine, r.subject_id)
    stored = stored[(stored["subject_type"] == r.subject_type)
                    & (stored["as_of_position"] <= got.position)]
    if stored.empty:
        rec["stored"] = None
    else:
        last = stored.iloc[-1]
        rec["stored"] = {"event_id": last["event_id"], "position": int(last["position"]),
                         "as_of_position": int(last["as_of_position"]),
                         "score": int(last["score"]), "grade": last["grade"],
                         "facts_digest": last["facts_digest"],
                         "rules_digest": last["rules_digest"],
                         "reproduced": bool(last["facts_digest"] == r.facts_digest
                                            and last["rules_digest"] == got.params.digest)}
    return rec


def credit_history(wb: Workbench, actor: Actor, subject_id: str) -> list[dict[str, Any]]:
    """Every stored rating and repair of a subject, in log order (masked)."""
    actor.require(Permission.READ)
    return history(wb.engine, subject_id)


def repair_credit(wb: Workbench, actor: Actor, subject_id: str, *, note: str,
                  subject_type: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Credit repair (信用修复) granted by the actor; the repair and the new rating."""
    actor.require(Permission.CREDIT_REPAIR)
    params = _params(wb)
    with wb.store() as store:
        data, rating, position = repair(store, wb.engine, params, subject_id, note=note,
                                        by=actor.name, subject_type=subject_type,
                                        role=actor.role.value)
    return data, Ratings(position, [rating], params).record_of(rating)


def publish(wb: Workbench, actor: Actor, out: str | Path, *, subject_type: str = "all",
            as_of: AsOf = NOW) -> tuple[Path, int, int]:
    """The public list, without personal data: (path, ratings written, position)."""
    got = ratings(wb, actor, as_of=as_of)
    shown = [r for r in got.ratings if subject_type == "all" or r.subject_type == subject_type]
    try:
        path = write_public(shown, got.position, out)
    except ValueError as exc:
        raise SkillauditError(str(exc)) from None
    return path, len(shown), got.position

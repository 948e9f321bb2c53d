"""The findings queue: current findings filtered, sorted and paged, and one finding.

The frame of current findings with their case states and counties is built
once per state of the findings and cases (the last position of their read
models) and as-of point, and shared by every request until one of them moves:
a queue page then costs a filter and a slice, not a fold of the log. Each
finding's record is built (and masked) the first time a page shows it, and kept
with the frame.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from casework.status import with_case_state
from engine.errors import NotFound, UsageError
from engine.privacy import mask_record, sensitive_values
from engine.serial import load
from engine.store.log_reader import LogReader
from findings.listing import as_records, current_findings
from projections.asof import NOW, AsOf
from projections.timeline import TimelineEntry
from projections.views import Views
from services.actor import Actor, Permission
from services.markers import marker
from services.workbench import Workbench

SEVERITIES = ("critical", "high", "medium", "low")
SORTS = {  # name -> (columns, ascending)
    "severity": (["severity_rank", "amount_at_risk_fen", "code"], [True, False, True]),
    "amount": (["amount_at_risk_fen", "severity_rank"], [False, True]),
    "detected": (["occurred_at", "severity_rank"], [False, True]),
    "first_detected": (["first_raised_at", "severity_rank"], [False, True]),
    "code": (["code", "severity_rank"], [True, True]),
}
MATCHES_KEPT = 64  # distinct filters kept per queue
_MARKED = ("rm_findings", "rm_findings_withdrawn", "rm_case_events", "rm_detection_runs")


@dataclass(frozen=True)
class FindingQuery:
    """What to show: each list matches any of its values; dates are ``YYYY-MM-DD``."""

    categories: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    institution: str | None = None
    person: str | None = None
    states: tuple[str, ...] = ()  # case states: none, open, assigned, confirmed …
    detected_from: str | None = None
    detected_to: str | None = None
    only_new: bool = False
    include_dismissed: bool = False
    sort: str = "severity"
    descending: bool | None = None  # None: the sort's natural order


@dataclass
class FindingPage:
    total: int
    records: list[dict[str, Any]]
    as_of_position: int | None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # facets of the match


@dataclass
class _Queue:
    """A queue frame and the records already built from it (masked or not), by finding."""

    frame: pd.DataFrame
    records: dict[tuple[str, bool], dict[str, Any]] = field(default_factory=dict)
    # a query's matches in order (a plain list: a page is a slice of it, not of an index)
    # and their counts
    matches: OrderedDict[FindingQuery, tuple[list[str], dict[str, dict[str, int]]]] = field(
        default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    dismissed: frozenset[str] = frozenset()  # ids of the dismissed findings

    def __post_init__(self) -> None:
        if "dismissed" in self.frame.columns:
            self.dismissed = frozenset(self.frame.index[self.frame["dismissed"]].tolist())

    def matching(self, q: FindingQuery) -> tuple[list[str], dict[str, dict[str, int]]]:
        """The ids of the findings ``q`` selects, in its order, and their counts by facet."""
        with self.lock:
            kept = self.matches.get(q)
            if kept is not None:
                self.matches.move_to_end(q)
                return kept
        chosen = _select(self.frame, q)
        columns, ascending = SORTS[q.sort]
        if q.descending is not None:
            ascending = [not q.descending, *ascending[1:]]
        chosen = chosen.sort_values(columns, ascending=ascending, kind="stable")
        counts = {c: {str(k): int(v) for k, v in chosen[c].value_counts().items()}
                  for c in ("severity", "category", "case_state")}
        ids = chosen.index.tolist()
        with self.lock:
            self.matches[q] = (ids, counts)
            while len(self.matches) > MATCHES_KEPT:
                self.matches.popitem(last=False)
        return ids, counts

    def records_of(self, ids: Any, unmask: bool) -> list[dict[str, Any]]:
        """Each finding's record, built (and masked) once per frame: a page is lookups."""
        missing = [fid for fid in ids if (fid, unmask) not in self.records]
        if missing:
            built = as_records(self.frame.loc[missing], unmask=unmask)
            for fid, rec in zip(missing, built, strict=True):
                rec["county"] = self.frame.at[fid, "county"]
                self.records[(fid, unmask)] = rec
        return [dict(self.records[(fid, unmask)]) for fid in ids]  # callers add keys


class _Shared:
    """The last few queues, by (store, as-of point, findings marker)."""

    def __init__(self, size: int = 6) -> None:
        self.queues: OrderedDict[tuple[Any, ...], _Queue] = OrderedDict()
        self.size = size
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> _Queue | None:
        with self.lock:
            queue = self.queues.get(key)
            if queue is not None:
                self.queues.move_to_end(key)
            return queue

    def put(self, key: tuple[Any, ...], queue: _Queue) -> None:
        with self.lock:
            self.queues[key] = queue
            while len(self.queues) > self.size:
                self.queues.popitem(last=False)


_SHARED = _Shared()
_BUILDING = threading.Lock()


def _last_county(rows: pd.DataFrame, key: str, wanted: set[str] | None = None
                 ) -> dict[str, Any]:
    """Each id's last county (by log position) that is not missing, of the ids ``wanted``."""
    if wanted is not None:
        rows = rows[rows[key].isin(list(wanted))]
    rows = rows[rows["county"].notna()].sort_values("position", kind="stable")
    rows = rows.drop_duplicates(key, keep="last")
    return dict(zip(rows[key].tolist(), rows["county"].tolist(), strict=True))


def _counties(views: Views, frame: pd.DataFrame) -> pd.Series:
    """Each finding's county: its first institution's, else its first class's, else its
    first person's (as registered). Only the persons of findings that name no institution
    or class with a county are looked up (a city's persons are many, its findings few)."""
    inst = _last_county(views.rows("rm_institution_versions",
                                   ["position", "institution_id", "county"]), "institution_id")
    cls = _last_county(views.rows("rm_classes", ["position", "class_id", "county"]),
                       "class_id")

    def ids(text: Any) -> list[str]:
        return json.loads(text) if isinstance(text, str) else []

    def first(found: list[str], table: dict[str, Any]) -> Any:
        for i in found:
            c = table.get(i)
            if isinstance(c, str) and c:
                return c
        return None

    out: list[Any] = []
    pending: list[tuple[int, list[str]]] = []
    for r in frame[["institution_ids", "class_ids", "person_ids"]].itertuples(index=False):
        county = first(ids(r.institution_ids), inst) or first(ids(r.class_ids), cls)
        if county is None:
            pending.append((len(out), ids(r.person_ids)))
        out.append(county)
    if pending:
        wanted = {i for _, found in pending for i in found}
        per = _last_county(views.rows("rm_person_versions", ["position", "person_id", "county"]),
                           "person_id", wanted)
        for n, found in pending:
            out[n] = first(found, per)
    return pd.Series(out, index=frame.index, dtype=object)


def queue_of(wb: Workbench, as_of: AsOf = NOW) -> tuple[_Queue, int | None]:
    """Every current finding with case state, county and rank, dismissed ones included."""
    views = wb.views(as_of)
    upto = wb.position_of(as_of)
    key = (wb.url, upto, marker(views.engine, _MARKED, upto, applied=wb.applied))
    queue = _SHARED.get(key)
    if queue is None:
        with _BUILDING:  # requests that arrive together wait for one build, not make many
            queue = _SHARED.get(key)
            if queue is None:
                queue = _Queue(_frame(views))
                _SHARED.put(key, queue)
    return queue, upto


def _frame(views: Views) -> pd.DataFrame:
    frame = with_case_state(current_findings(views), views, include_dismissed=True)
    dismissed = with_case_state(frame.drop(columns=["case_id", "case_state"]), views)
    frame["dismissed"] = ~frame.index.isin(dismissed.index)
    frame["county"] = _counties(views, frame)
    frame["severity_rank"] = frame["severity"].map(
        {s: n for n, s in enumerate(SEVERITIES)}).fillna(9)
    return frame


def warm(wb: Workbench, first: int = 500) -> None:
    """Build the present queue and the records of its first ``first`` findings, masked
    and not, before anyone asks (a server's start: its first pages are then lookups)."""
    queue, _ = queue_of(wb)
    ids, _ = queue.matching(FindingQuery())
    for unmask in (False, True):
        queue.records_of(ids[:first], unmask)


def _contains(column: pd.Series, value: str) -> pd.Series:
    """Rows whose JSON id list holds ``value`` exactly (ids are quoted in the text)."""
    needle = json.dumps(value, ensure_ascii=False)
    return column.fillna("").str.contains(needle, regex=False)


def _select(frame: pd.DataFrame, q: FindingQuery) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    for column, values in (("category", q.categories), ("code", q.codes),
                           ("severity", q.severities), ("county", q.counties),
                           ("case_state", q.states)):
        if values:
            keep &= frame[column].isin(list(values))
    if q.institution:
        keep &= _contains(frame["institution_ids"], q.institution) | (
            (frame["subject_type"] == "institution") & (frame["subject_id"] == q.institution))
    if q.person:
        keep &= _contains(frame["person_ids"], q.person) | (
            (frame["subject_type"] == "person") & (frame["subject_id"] == q.person))
    day = frame["occurred_at"].str.slice(0, 10)
    if q.detected_from:
        keep &= day >= q.detected_from
    if q.detected_to:
        keep &= day <= q.detected_to
    if q.only_new:
        keep &= frame["new"]
    if not q.include_dismissed:
        keep &= ~frame["dismissed"]
    return frame[keep]


def _check(q: FindingQuery) -> None:
    if q.sort not in SORTS:
        raise UsageError(f"sort {q.sort!r} is not one of {', '.join(SORTS)} 排序字段无效")
    for name, day in (("detected_from", q.detected_from), ("detected_to", q.detected_to)):
        if day is not None:
            try:
                pd.Timestamp.fromisoformat(day)
                ok = len(day) == 10
            except ValueError:
                ok = False
            if not ok:
                raise UsageError(f"{name} {day!r} is not a date YYYY-MM-DD 日期格式应为年-月-日")


def query_findings(wb: Workbench, actor: Actor, q: FindingQuery = FindingQuery(), *,
                   as_of: AsOf = NOW, limit: int = 50, offset: int = 0,
                   unmask: bool = False) -> FindingPage:
    """One page of the findings that match, in the order asked, for this actor."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    _check(q)
    queue, upto = queue_of(wb, as_of)
    ids, counts = queue.matching(q)
    return FindingPage(len(ids), queue.records_of(ids[offset:offset + limit], unmask), upto,
                       counts)


def show_finding(wb: Workbench, actor: Actor, finding_id: str, *, as_of: AsOf = NOW,
                 unmask: bool = False) -> dict[str, Any]:
    """One current finding with its case state and county (dismissed ones too)."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    queue, _ = queue_of(wb, as_of)
    if finding_id not in queue.frame.index:
        raise NotFound(f"no current finding {finding_id} 无此问题线索")
    rec = queue.records_of([finding_id], unmask)[0]
    rec["dismissed"] = finding_id in queue.dismissed
    return rec


def _current(queue: _Queue, finding_id: str) -> None:
    if finding_id not in queue.frame.index:
        raise NotFound(f"no current finding {finding_id} 无此问题线索")


def finding_persons(wb: Workbench, actor: Actor, finding_id: str, *, as_of: AsOf = NOW
                    ) -> list[str]:
    """The ID numbers of the persons a finding names, for any reader: to make links and
    filters that hold no ID number (``web.pages.refs``), never to be shown as they are."""
    actor.require(Permission.READ)
    queue, _ = queue_of(wb, as_of)
    _current(queue, finding_id)
    ids = queue.frame.at[finding_id, "person_ids"]
    found = json.loads(ids) if isinstance(ids, str) else []
    subject = queue.frame.at[finding_id, "subject_id"]
    if queue.frame.at[finding_id, "subject_type"] == "person" and subject not in found:
        found.insert(0, subject)
    return [str(p) for p in found]


def finding_evidence(wb: Workbench, actor: Actor, finding_id: str, *, as_of: AsOf = NOW,
                     unmask: bool = False) -> list[TimelineEntry]:
    """The events a finding cites as its evidence, in log order, as stored (masked unless
    the actor may see them and asked to)."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    queue, upto = queue_of(wb, as_of)
    _current(queue, finding_id)
    record = queue.records_of([finding_id], True)[0]
    views = wb.views(as_of)
    log = LogReader(views.engine)
    positions = [p for p in log.positions_of([str(e) for e in record["evidence"]]).values()
                 if upto is None or p <= upto]
    entries = []
    for row in log.events_at(positions):
        ev = load(row.state)
        entries.append(TimelineEntry(row.position, row.topic, ev["event_id"],
                                     ev["occurred_at"],
                                     ev.get("recorded_at") or ev["occurred_at"],
                                     ev.get("data", {})))
    entries.sort(key=lambda e: (e.occurred_at, e.position))
    if unmask:
        return entries
    known = sensitive_values(record)  # what the finding names, wherever an event quotes it
    for e in entries:
        known.update(sensitive_values(e.data))
    return [TimelineEntry(e.position, e.type, e.event_id, e.occurred_at, e.recorded_at,
                          mask_record(e.data, known)) for e in entries]

"""Run detection end to end: bring projections up to date, detect, record findings as events.

Each finding is appended as a ``FindingRaised`` event whose id is derived from
the finding's stable id, the digest of its facts and how often it was raised
before, so a rerun stores nothing for findings it already raised, a finding
whose facts changed is raised again (same finding id, new facts), one a run no
longer finds is withdrawn (``FindingWithdrawn``), and a ``DetectionRun`` event
records the rules, the log head and the counts of every run, with what each rule
could not check for want of a local standard (``not_checked``) and the rules the
share-flagged guard doubts (``guards``), so ``findings`` can show both later.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import msgspec
import sqlalchemy as sa

from detectors.base import Finding
from detectors.rules import Rules
from detectors.run import run_detectors
from engine.events.audit import DetectionRun, FindingRaised, FindingWithdrawn
from engine.money import yuan_str
from engine.parse import NewEvent
from engine.record import own_event
from engine.store.base import EventStore
from engine.store.log_reader import LogReader
from projections.cache import RowCache
from projections.horizon import Horizon
from projections.projector import Projector
from projections.views import Views

SOURCE = "skillaudit"


def money_raw(fen: int) -> msgspec.Raw:
    """Yuan as the spec writes money: a decimal string with two places."""
    return msgspec.Raw(msgspec.json.encode(yuan_str(fen)))


@dataclass
class RunReport:
    run_id: str
    findings: list[Finding]
    finding_ids: list[str]
    new: int
    changed: int
    known: int
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    rules_version: str = ""
    rules_digest: str = ""
    head_position: int = 0
    withdrawn: int = 0
    appended: int = 0  # events this run stored (findings, withdrawals, the run record)
    errors: dict[str, str] = field(default_factory=dict)  # detectors that failed
    # code -> [{key, count, en, zh}]: what a rule did not check, and the key to set
    not_checked: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    # code -> {share, flagged, examined, en, zh, …}: rules that flagged too large a share
    guards: dict[str, dict[str, object]] = field(default_factory=dict)


def event_ids_at(engine: sa.Engine, positions: Iterable[int]) -> dict[int, str]:
    """The event id stored at each position (the evidence list of a finding)."""
    return LogReader(engine).event_ids_at(positions)


def finding_event(f: Finding, rules: Rules, params: dict[str, object],
                  ids: dict[int, str], now: datetime, raises_before: int = 0,
                  line_no: int = 0) -> NewEvent:
    """The ``FindingRaised`` event of one finding.

    A finding raised before gets a distinct event id (``-rN``) even when its facts
    were seen earlier, so A → B → A is recorded and not skipped as a duplicate.
    """
    fid = f.identity(rules.digest)
    facts = f.facts_digest()
    data = FindingRaised(
        finding_id=fid, code=f.code, category=f.category, severity=f.severity,
        title=f.title, explanation_zh=f.explanation_zh, explanation_en=f.explanation_en,
        subject_type=f.subject_type, subject_id=f.subject_id,
        amount_at_risk=money_raw(f.amount_at_risk_fen), rules_version=rules.version,
        rules_digest=rules.digest, facts_digest=facts,
        person_ids=list(f.person_ids), class_ids=list(f.class_ids),
        institution_ids=list(f.institution_ids), claim_ids=list(f.claim_ids),
        payment_ids=list(f.payment_ids),
        evidence=[ids[p] for p in f.evidence_positions if p in ids],
        observed=f.observed, params=params)
    suffix = f"-r{raises_before}" if raises_before else ""
    return own_event(data, event_id=f"finding-{fid}-{facts}{suffix}", occurred_at=now,
                     source=SOURCE, line_no=line_no)


def _params_json(rules: Rules, code: str, params_cls: type) -> dict[str, object]:
    import dataclasses

    p = rules.params(code, params_cls)
    return {k: (str(v) if not isinstance(v, int | float | str | bool) else v)
            for k, v in dataclasses.asdict(p).items()}


def run_detection(store: EventStore, engine: sa.Engine, rules: Rules, *,
                  categories: Iterable[str] | None = None, codes: Iterable[str] | None = None,
                  now: datetime | None = None, record_unchanged: bool = True,
                  cache: RowCache | None = None, workers: int = 1,
                  weights: dict[str, float] | None = None,
                  progress: Callable[[str, int, int], None] | None = None,
                  horizon: Horizon | None = None,
                  actor: tuple[str, str] | None = None) -> RunReport:
    """Project, detect, append findings, withdrawals and the run record; report the counts.

    A current finding of a detector that ran and no longer raises it is withdrawn
    (``FindingWithdrawn``); one raised again later gets a new raise event. Event
    ids are derived from the findings' state, so two runs over the same log append
    the same events once. ``record_unchanged=False`` (a stream's frequent runs)
    records a ``DetectionRun`` only when something was raised or withdrawn. A stream's
    ``horizon`` hides the rows not every partition has passed yet (``projections.horizon``).
    ``actor`` (name, role) is recorded on the run.
    """
    from detectors.registry import registry

    now = now or datetime.now().astimezone()
    projector = Projector(engine)
    projector.run()
    head = projector.position()
    views = Views(engine, cache=cache, horizon=horizon)
    state = _finding_state(views)
    result = run_detectors(views, rules, codes=codes, categories=categories, progress=progress,
                           workers=workers, weights=weights)
    modules = registry()
    params = {code: _params_json(rules, code, modules[code].Params) for code in result.counts}
    new = changed = known = 0
    finding_ids = []
    to_record = []  # (finding, its state) for those new or changed
    for f in result.findings:
        fid = f.identity(rules.digest)
        finding_ids.append(fid)
        s = state.get(fid)
        if s is None or s.withdrawn:
            new += 1
        elif f.facts_digest() != s.facts:
            changed += 1
        else:
            known += 1
            continue
        to_record.append((f, s))
    # evidence event ids only for what is recorded (a stream's cycles record little)
    ids = event_ids_at(engine, (p for f, _ in to_record for p in f.evidence_positions))
    events = [finding_event(f, rules, params[f.code], ids, now, s.raises if s else 0, n)
              for n, (f, s) in enumerate(to_record, 1)]
    run_id = uuid.uuid4().hex[:16]
    found = set(finding_ids)
    gone = [(fid, s) for fid, s in state.items()
            if not s.withdrawn and s.code in result.counts and fid not in found]
    for fid, s in gone:
        events.append(own_event(FindingWithdrawn(
            finding_id=fid, code=s.code, run_id=run_id, facts_digest=s.facts,
            reason="no longer raised by its detector over the current log"),
            event_id=f"withdrawn-{fid}-{s.withdrawals + 1}", occurred_at=now, source=SOURCE))
    run = own_event(DetectionRun(
        run_id=run_id, rules_version=rules.version, rules_digest=rules.digest,
        head_position=head, findings=len(result.findings), new=new, withdrawn=len(gone),
        counts=result.counts, errors=result.errors,
        seconds={k: round(v, 3) for k, v in result.seconds.items()},
        not_checked=result.unchecked, guards=result.guards,
        by=actor[0] if actor else None, role=actor[1] if actor else None),
        event_id=f"run-{run_id}", occurred_at=now, source=SOURCE)
    appended = 0
    for i in range(0, len(events), 5000):
        appended += store.append(events[i:i + 5000]).stored
    if record_unchanged or events or result.errors:
        appended += store.append([run]).stored
    if appended:  # the findings' read models (nothing new: they are current already)
        projector.run()
    return RunReport(run_id, result.findings, finding_ids, new, changed, known,
                     result.seconds, result.counts, rules.version, rules.digest, head,
                     withdrawn=len(gone), appended=appended, errors=result.errors,
                     not_checked=result.unchecked, guards=result.guards)


@dataclass(frozen=True)
class _State:
    code: str
    facts: str  # latest facts raised
    raises: int
    withdrawals: int
    withdrawn: bool  # withdrawn after the latest raise


def _finding_state(views: Views) -> dict[str, _State]:
    """Each finding id's latest raised facts and withdrawal history, from the read models."""
    raised = views.rows("rm_findings", ["finding_id", "code", "facts_digest", "position"])
    withdrawn = views.rows("rm_findings_withdrawn", ["finding_id", "position"])
    last_w: dict[str, int] = {}
    count_w: dict[str, int] = {}
    for fid, pos in zip(withdrawn["finding_id"], withdrawn["position"], strict=True):
        last_w[fid] = max(last_w.get(fid, 0), int(pos))
        count_w[fid] = count_w.get(fid, 0) + 1
    out: dict[str, _State] = {}
    for fid, code, facts, pos in sorted(
            zip(raised["finding_id"], raised["code"], raised["facts_digest"],
                raised["position"], strict=True), key=lambda r: int(r[3])):
        raises = out[fid].raises + 1 if fid in out else 1
        out[fid] = _State(code, facts, raises, count_w.get(fid, 0),
                          last_w.get(fid, 0) > int(pos))
    return out

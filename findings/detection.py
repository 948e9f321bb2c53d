"""Run detection end to end: bring projections up to date, detect, record findings as events.

Each finding is appended as a ``FindingRaised`` event whose id is derived from
the finding's stable id and the digest of its facts, so a rerun stores
nothing for findings it already raised, a finding whose facts changed is
raised again (same finding id, new facts), and a ``DetectionRun`` event
records the rules, the log head and the counts of every run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from detectors.base import Finding
from detectors.rules import Rules
from detectors.run import run_detectors
from engine.money import yuan_str
from engine.parse import parse_line
from engine.store.base import EventStore
from projections.projector import EVENTS, Projector, dialect_of
from projections.views import Views


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


def event_ids_at(engine: sa.Engine, positions: Iterable[int]) -> dict[int, str]:
    """The event id stored at each position (the evidence list of a finding)."""
    wanted = sorted(set(positions))
    pos = dialect_of(engine).position
    out: dict[int, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(wanted), 900):
            chunk = wanted[i:i + 900]
            rows = conn.execute(sa.text(
                f"SELECT {pos}, event_id FROM {EVENTS} WHERE {pos} IN "
                f"({', '.join(str(p) for p in chunk)})")).fetchall()
            out.update((int(p), e) for p, e in rows)
    return out


def finding_event(f: Finding, rules: Rules, params: dict[str, object],
                  ids: dict[int, str], now: datetime) -> bytes:
    """The ``FindingRaised`` line for one finding (then validated like any input)."""
    fid = f.identity(rules.digest)
    facts = f.facts_digest()
    data = {
        "finding_id": fid, "code": f.code, "category": f.category, "severity": f.severity,
        "title": f.title, "explanation_zh": f.explanation_zh, "explanation_en": f.explanation_en,
        "subject_type": f.subject_type, "subject_id": f.subject_id,
        "amount_at_risk": yuan_str(f.amount_at_risk_fen), "rules_version": rules.version,
        "rules_digest": rules.digest, "facts_digest": facts,
        "person_ids": list(f.person_ids), "class_ids": list(f.class_ids),
        "institution_ids": list(f.institution_ids), "claim_ids": list(f.claim_ids),
        "payment_ids": list(f.payment_ids),
        "evidence": [ids[p] for p in f.evidence_positions if p in ids],
        "observed": f.observed, "params": params,
    }
    envelope = {"event_id": f"finding-{fid}-{facts}", "type": "FindingRaised",
                "occurred_at": now.isoformat(timespec="seconds"), "source": "skillaudit",
                "data": data}
    return json.dumps(envelope, ensure_ascii=False, default=str).encode()


def _params_json(rules: Rules, code: str, params_cls: type) -> dict[str, object]:
    import dataclasses

    p = rules.params(code, params_cls)
    return {k: (str(v) if not isinstance(v, int | float | str | bool) else v)
            for k, v in dataclasses.asdict(p).items()}


def run_detection(store: EventStore, engine: sa.Engine, rules: Rules, *,
                  categories: Iterable[str] | None = None, codes: Iterable[str] | None = None,
                  now: datetime | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> RunReport:
    """Project, detect, append findings and the run record; report new/changed/known."""
    from detectors.registry import registry

    now = now or datetime.now().astimezone()
    projector = Projector(engine)
    projector.run()
    head = projector.position()
    views = Views(engine)
    known_facts = _known_facts(views)
    result = run_detectors(views, rules, codes=codes, categories=categories, progress=progress)
    ids = event_ids_at(engine, (p for f in result.findings for p in f.evidence_positions))
    modules = registry()
    params = {code: _params_json(rules, code, modules[code].Params) for code in result.counts}
    lines = [finding_event(f, rules, params[f.code], ids, now) for f in result.findings]
    new = changed = known = 0
    finding_ids = []
    for f in result.findings:
        fid = f.identity(rules.digest)
        finding_ids.append(fid)
        if fid not in known_facts:
            new += 1
        elif f.facts_digest() not in known_facts[fid]:
            changed += 1
        else:
            known += 1
    for i in range(0, len(lines), 5000):
        store.append([parse_line(line, "detect", n) for n, line in
                      enumerate(lines[i:i + 5000], i + 1)])
    run_id = uuid.uuid4().hex[:16]
    run = {"event_id": f"run-{run_id}", "type": "DetectionRun",
           "occurred_at": now.isoformat(timespec="seconds"), "source": "skillaudit",
           "data": {"run_id": run_id, "rules_version": rules.version,
                    "rules_digest": rules.digest, "head_position": head,
                    "findings": len(result.findings), "new": new, "counts": result.counts,
                    "seconds": {k: round(v, 3) for k, v in result.seconds.items()}}}
    store.append([parse_line(json.dumps(run, ensure_ascii=False).encode(), "detect", 0)])
    projector.run()
    return RunReport(run_id, result.findings, finding_ids, new, changed, known,
                     result.seconds, result.counts, rules.version, rules.digest, head)


def _known_facts(views: Views) -> dict[str, set[str]]:
    rows = views.rows("rm_findings", ["finding_id", "facts_digest"])
    out: dict[str, set[str]] = {}
    for fid, facts in zip(rows["finding_id"], rows["facts_digest"], strict=True):
        out.setdefault(fid, set()).add(facts)
    return out

"""The rules lab: try a rules file against the store as of any point, adopt it, show the rules
in force.

``what_if`` runs every rule twice over the same read models as of one point —
under the rules in force and under the candidate — and compares the two results
(``findings.whatif``). It records nothing: no finding, no run, no rating; the
only write is bringing the read models up to date, as every read does. Any role
may explore. The comparison is with a second run under the rules in force rather
than with the findings recorded as of the point: those are the last run's, which
may predate the point or the detectors' present code, and their recorded form
lacks the key some rules use to tell apart findings about the same ids. A run
against a run shows what the rules change and nothing else.

``adopt`` stores a checked file as a ``RulesAdopted`` event; the rules in force
are then the latest adopted (``Workbench.rules``). Only roles that may adopt
rules adopt them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from detectors.rules import DEFAULT_RULES, Rules, load_rules, load_rules_text, read_rules_text
from detectors.run import DetectionResult, run_detectors
from engine.privacy import mask_record
from findings.adoption import Adoption, adoption_event, adoptions
from findings.detection import event_ids_at
from findings.listing import current_findings
from findings.whatif import KINDS, compare, finding_record
from projections.asof import NOW, AsOf
from services.actor import Actor, Permission
from services.workbench import Workbench

UPLOADED = "the rules given 所给规则"


@dataclass(frozen=True)
class RulesShown:
    """A rules file as the lab names it: version, digests, where it came from."""

    version: str
    digest: str
    canonical_digest: str
    source: str
    adopted: dict[str, Any] | None = None  # its adoption (who, when), when adopted

    @classmethod
    def of(cls, rules: Rules, adoption: Adoption | None = None) -> RulesShown:
        return cls(rules.version, rules.digest, rules.canonical_digest(), rules.source,
                   adoption.summary() if adoption else None)


@dataclass
class WhatIf:
    """The difference a candidate rules file makes, as of one point; nothing recorded."""

    as_of: str  # the point, in words
    position: int  # the last log position the runs saw
    candidate: RulesShown
    in_force: RulesShown
    by_rule: dict[str, dict[str, int]]  # code -> before, after, new, gone, changed, same
    totals: dict[str, int]
    # each difference: {kind, code, subject_type, subject_id, before, after}, worst first
    differences: list[dict[str, Any]] = field(default_factory=list)
    guards: dict[str, dict[str, Any]] = field(default_factory=dict)  # the candidate's
    not_checked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    in_force_guards: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # rules that failed: not compared
    findings_in_log: int = 0  # findings the log holds current as of the point
    unmasked: bool = False

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.differences if d["kind"] == kind]

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "position": self.position,
                "candidate": self.candidate.__dict__, "in_force": self.in_force.__dict__,
                "totals": self.totals, "by_rule": self.by_rule,
                "differences": {k: self.of_kind(k) for k in KINDS if k != "same"},
                "guards": self.guards, "not_checked": self.not_checked,
                "in_force_guards": self.in_force_guards, "errors": self.errors,
                "findings_in_log": self.findings_in_log, "unmasked": self.unmasked}


def default_rules_text() -> str:
    """The default rules file's text: what is in force when no rules were adopted."""
    return DEFAULT_RULES.read_text(encoding="utf-8")


def read_candidate(candidate: str | Path, name: str | None = None) -> tuple[Rules, str]:
    """A rules file (a ``Path``) or the text of one (a ``str``, as a form uploads it),
    checked as ``--rules`` is: a bad one is refused naming the file and the key."""
    if isinstance(candidate, Path):
        text, source = read_rules_text(candidate), name or str(candidate)
    else:
        text, source = candidate, name or UPLOADED
    return load_rules_text(text, source), text


def _in_force(wb: Workbench) -> tuple[Rules, Adoption | None]:
    """The workbench's rules: a file it was given, else those in force in the log now."""
    if wb.rules_path is not None:
        return wb.rules, None
    return wb.rules_in_force()


def what_if(wb: Workbench, actor: Actor, candidate: str | Path, *, as_of: AsOf = NOW,
            categories: Iterable[str] | None = None, unmask: bool = False,
            name: str | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> WhatIf:
    """Run every rule under the rules in force and under the candidate over the read
    models as of a point, and compare; nothing is recorded."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    rules, _ = read_candidate(candidate, name)
    in_force, adoption = _in_force(wb)
    views = wb.views(as_of)  # the read models brought up to date: the only write
    with wb.store() as store:
        head = store.head().position
    bound = wb.position_of(as_of)
    position = head if bound is None else min(head, bound)
    categories = list(categories) if categories else None

    def half(offset: int) -> Callable[[str, int, int], None] | None:
        if progress is None:
            return None
        return lambda code, n, total: progress(code, offset * total + n, 2 * total)

    before = run_detectors(views, in_force, categories=categories, progress=half(0))
    after = run_detectors(views, rules, categories=categories, progress=half(1))
    codes = set(before.counts) & set(after.counts)
    result = compare(before.findings, after.findings, codes)
    ids = event_ids_at(wb.engine, (p for d in result.differences
                                   for f in (d.before, d.after) if f is not None
                                   for p in f.evidence_positions))
    differences = []
    for d in result.differences:
        f = d.after or d.before
        assert f is not None
        rec = {"kind": d.kind, "code": f.code, "subject_type": f.subject_type,
               "subject_id": f.subject_id,
               "before": None if d.before is None else finding_record(
                   d.before, in_force.version, in_force.digest, ids),
               "after": None if d.after is None else finding_record(
                   d.after, rules.version, rules.digest, ids)}
        differences.append(rec if unmask else mask_record(rec))
    recorded = current_findings(views)
    if categories:
        recorded = recorded[recorded["category"].isin(categories)]
    return WhatIf(as_of.label, position, RulesShown.of(rules), RulesShown.of(in_force, adoption),
                  result.by_rule, result.totals, differences, after.guards, after.unchecked,
                  before.guards, _errors(before, after), len(recorded), unmask)


def _errors(before: DetectionResult, after: DetectionResult) -> dict[str, str]:
    """Rules that failed under either rules file, and how (they are not compared)."""
    out = {code: f"under the rules in force: {e}" for code, e in before.errors.items()}
    for code, e in after.errors.items():
        out[code] = f"under the candidate: {e}"
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Adopted:
    """What an adoption did: ``stored`` False when these rules were in force already."""

    stored: bool
    rules: RulesShown
    previous: RulesShown
    event_id: str | None = None
    position: int | None = None


def adopt(wb: Workbench, actor: Actor, candidate: str | Path, *,
          name: str | None = None) -> Adopted:
    """Make a checked rules file the rules in force, as a ``RulesAdopted`` event."""
    actor.require(Permission.ADOPT_RULES)
    rules, text = read_candidate(candidate, name)
    history = adoptions(wb.engine)
    adoption = history[-1] if history else None
    previous = adoption.rules() if adoption else load_rules()
    shown, before = RulesShown.of(rules), RulesShown.of(previous, adoption)
    if rules.canonical_digest() == previous.canonical_digest():
        return Adopted(False, shown, before)
    event = adoption_event(rules, text, previous, len(history) + 1, by=actor.name,
                           role=actor.role.value, now=datetime.now().astimezone())
    with wb.store() as store:
        done = store.append([event], quarantine_conflicts=False)
    wb.forget_rules()
    position = done.head.position if done.stored else None
    return Adopted(bool(done.stored), shown, before, event.event_id, position)


@dataclass(frozen=True)
class InForce:
    """The rules in force as of a point, the adoption that made them, and every adoption."""

    rules: RulesShown
    history: list[dict[str, Any]]
    text: str | None  # the adopted file as given (None: the defaults)
    as_of: str

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "in_force": self.rules.__dict__, "history": self.history,
                "text": self.text}


def rules_in_force(wb: Workbench, actor: Actor, *, as_of: AsOf = NOW) -> InForce:
    """Which rules detection runs under (as of a point) and who adopted them, when."""
    actor.require(Permission.READ)
    upto = wb.position_of(as_of)
    rules, adoption = wb.rules_in_force(upto)
    history = [a.summary() for a in adoptions(wb.engine, upto)]
    return InForce(RulesShown.of(rules, adoption), history,
                   adoption.text if adoption else None, as_of.label)

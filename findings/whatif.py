"""What a candidate rules file would change: two detection results over the same frames, compared.

A finding's id includes the digest of the rules it was raised under, so the same
fact under two rules files has two ids. Findings are therefore matched by their
fact key (``Finding.fact_key``: rule code, subject, the sorted id lists and the
rule's own key, without the digest), and each match's facts by ``facts_digest``:

* ``new``: raised only under the candidate;
* ``gone``: raised under the rules in force, not under the candidate;
* ``changed``: raised under both, with other facts (money at risk, evidence, figures);
* ``same``: raised under both with the same facts.

Only the rules that ran without error in both results are compared: a rule that
failed under one of them would otherwise show its every finding as new or gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from detectors.base import Finding
from engine.money import yuan_str

KINDS = ("new", "gone", "changed", "same")


@dataclass(frozen=True)
class Difference:
    """One fact compared: the finding under the rules in force (``before``) and under the
    candidate (``after``); either is None for a finding new or gone."""

    kind: str
    before: Finding | None
    after: Finding | None

    @property
    def code(self) -> str:
        f = self.after or self.before
        assert f is not None
        return f.code


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)  # new, gone, changed
    # code -> {"before", "after", "new", "gone", "changed", "same"}: counts of findings
    by_rule: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        out = {k: 0 for k in ("before", "after", *KINDS)}
        for counts in self.by_rule.values():
            for k in out:
                out[k] += counts[k]
        return out

    def of_kind(self, kind: str) -> list[Difference]:
        return [d for d in self.differences if d.kind == kind]


def compare(before: Iterable[Finding], after: Iterable[Finding],
            codes: Iterable[str]) -> Comparison:
    """The differences between two results, for the rules ``codes`` (those that ran in
    both), worst first within each kind: severity, then money at risk."""
    wanted = set(codes)
    old = _by_fact(f for f in before if f.code in wanted)
    new = _by_fact(f for f in after if f.code in wanted)
    out = Comparison(by_rule={code: {k: 0 for k in ("before", "after", *KINDS)}
                              for code in sorted(wanted)})
    for f in old.values():
        out.by_rule[f.code]["before"] += 1
    for f in new.values():
        out.by_rule[f.code]["after"] += 1
    for key, f in new.items():
        g = old.get(key)
        kind = "new" if g is None else "same" if g.facts_digest() == f.facts_digest() \
            else "changed"
        out.by_rule[f.code][kind] += 1
        if kind != "same":
            out.differences.append(Difference(kind, g, f))
    for key, g in old.items():
        if key not in new:
            out.by_rule[g.code]["gone"] += 1
            out.differences.append(Difference("gone", g, None))
    out.differences.sort(key=_rank)
    return out


SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _rank(d: Difference) -> tuple[int, int, int, str]:
    f = d.after or d.before
    assert f is not None
    return (KINDS.index(d.kind), SEVERITY_RANK.get(f.severity, 9), -f.amount_at_risk_fen,
            f.code)


def _by_fact(findings: Iterable[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        out.setdefault(f.fact_key(), f)
    return out


def finding_record(f: Finding, rules_version: str, rules_digest: str,
                   ids: dict[int, str]) -> dict[str, Any]:
    """A finding not recorded, in the fields of the findings format (``findings.listing``):
    its id is the one a run under these rules would record."""
    return {
        "finding_id": f.identity(rules_digest), "code": f.code, "category": f.category,
        "severity": f.severity, "title": f.title,
        "explanation": f"{f.explanation_zh} / {f.explanation_en}",
        "explanation_zh": f.explanation_zh, "explanation_en": f.explanation_en,
        "subject_type": f.subject_type, "subject_id": f.subject_id,
        "person_ids": list(f.person_ids), "class_ids": list(f.class_ids),
        "institution_ids": list(f.institution_ids), "claim_ids": list(f.claim_ids),
        "payment_ids": list(f.payment_ids), "amount_at_risk": yuan_str(f.amount_at_risk_fen),
        "evidence": [ids[p] for p in f.evidence_positions if p in ids],
        "rules_version": rules_version, "rules_digest": rules_digest,
        "facts_digest": f.facts_digest(), "observed": f.observed,
    }

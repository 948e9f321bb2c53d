"""The detector contract: what a finding holds and what a detector module provides.

A detector is a module with ``CODE``, ``CATEGORY``, a frozen ``Params``
dataclass whose fields are its keys in the rules file, and a pure
``detect(frames, params) -> list[Finding]``. It reads projection frames (never
SQL), prints nothing, and returns findings that explain themselves: the rule
code, the parameters it ran with, the observed values that crossed them, the
ids concerned, the money at risk in fen and the positions of the proving
events (the runner turns those into event ids).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

CATEGORIES = ("duplicate_training", "ineffective_training", "subsidy_fraud", "compliance")
SEVERITIES = ("low", "medium", "high", "critical")
CATEGORY_ZH = {"duplicate_training": "重复培训", "ineffective_training": "无效培训",
               "subsidy_fraud": "骗取/套取补贴", "compliance": "资金管理合规"}
SEVERITY_ZH = {"low": "低", "medium": "中", "high": "高", "critical": "严重"}


class Frames(Protocol):
    """The projection frames a detector may read (``projections.views.Views`` has them all)."""

    persons: pd.DataFrame
    person_history: pd.DataFrame  # registration/update rows: contacts as of any time
    institutions: pd.DataFrame
    institution_history: pd.DataFrame
    licences: pd.DataFrame
    agencies: pd.DataFrame
    agency_history: pd.DataFrame  # every registration row: filing status over time
    agency_occupations: pd.DataFrame
    employers: pd.DataFrame
    classes: pd.DataFrame
    sessions: pd.DataFrame
    completions: pd.DataFrame
    roster: pd.DataFrame
    checkins: pd.DataFrame
    trainee_attendance: pd.DataFrame
    assessments: pd.DataFrame
    certificates: pd.DataFrame
    employment: pd.DataFrame
    skill_upgrade_payments: pd.DataFrame
    claims: pd.DataFrame
    claim_items: pd.DataFrame
    payments: pd.DataFrame
    budgets: pd.DataFrame
    vouchers: pd.DataFrame
    spot_checks: pd.DataFrame
    complaints: pd.DataFrame


def missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (``pd.NA == pd.NA`` is NA, which has no truth value)."""
    return value is None or value is pd.NA or value is pd.NaT or value != value


def _ids(values: Any) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(sorted({str(v) for v in values if not missing(v)}))


@dataclass(frozen=True)
class Finding:
    """One irregularity, explained. Build with ``Finding.make`` to normalise the id lists."""

    code: str
    category: str
    severity: str
    title: str
    explanation_zh: str
    explanation_en: str
    subject_type: str
    subject_id: str
    amount_at_risk_fen: int = 0
    person_ids: tuple[str, ...] = ()
    class_ids: tuple[str, ...] = ()
    institution_ids: tuple[str, ...] = ()
    claim_ids: tuple[str, ...] = ()
    payment_ids: tuple[str, ...] = ()
    evidence_positions: tuple[int, ...] = ()
    observed: dict[str, Any] = field(default_factory=dict)
    key: str = ""  # tells apart findings of one rule about the same ids (e.g. a date)

    @classmethod
    def make(cls, *, code: str, category: str, severity: str, title: str, zh: str, en: str,
             subject_type: str, subject_id: str, amount_at_risk_fen: int = 0,
             person_ids: Any = None, class_ids: Any = None, institution_ids: Any = None,
             claim_ids: Any = None, payment_ids: Any = None, evidence: Any = None,
             observed: dict[str, Any] | None = None, key: str = "") -> Finding:
        positions = tuple(sorted({int(p) for p in (evidence if evidence is not None else ())
                                  if not missing(p)}))
        return cls(code, category, severity, title, zh, en, subject_type, str(subject_id),
                   int(amount_at_risk_fen), _ids(person_ids), _ids(class_ids),
                   _ids(institution_ids), _ids(claim_ids), _ids(payment_ids), positions,
                   _plain(observed or {}), str(key))

    def identity(self, rules_digest: str) -> str:
        """Stable id: the same fact (rule, subject, ids) under the same rules, the same id."""
        parts = [self.code, self.subject_type, self.subject_id, self.person_ids,
                 self.class_ids, self.institution_ids, self.claim_ids, self.payment_ids,
                 rules_digest]
        if self.key:
            parts.append(self.key)
        text = json.dumps(parts, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def facts_digest(self) -> str:
        """Changes when the observed facts or evidence change (a dismissed finding reopens)."""
        key = json.dumps([self.observed, self.evidence_positions, self.amount_at_risk_fen],
                         ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(key.encode()).hexdigest()[:20]


def _plain(value: Any) -> Any:
    """Observed values as JSON-safe plain types (numpy scalars, NaN → None)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value


class DetectorModule(Protocol):
    """What the registry expects of a detector module."""

    CODE: str
    CATEGORY: str
    Params: type

    def detect(self, frames: Frames, params: Any) -> list[Finding]: ...

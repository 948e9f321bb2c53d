"""The detector contract: what a finding holds and what a detector module provides.

A detector is a module with ``CODE``, ``CATEGORY``, a frozen ``Params``
dataclass whose fields are its keys in the rules file, and a pure
``detect(frames, params) -> list[Finding]``. It reads projection frames (never
SQL), prints nothing, and returns findings that explain themselves: the rule
code, the parameters it ran with, the observed values that crossed them, the
ids concerned, the money at risk in fen and the positions of the proving
events (the runner turns those into event ids).

Two more pure functions let a run say how far to trust what a rule found:

* ``examined(frames, params) -> list[Examined]``: the subjects the rule looked
  at and could have flagged (the denominator of the share-flagged guard: a rule
  that flags most of what it examines is probably mis-set for the city). A
  module without it is counted by its findings' subject type (``examined_by_subject``).
* ``unchecked(frames, params) -> list[Unchecked]`` (optional): what the rule could
  not check because a local standard is unset in the rules file, and which key sets it.
"""

from __future__ import annotations

import hashlib
import json
import typing
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from detectors.constraints import Severity

CATEGORIES = ("duplicate_training", "ineffective_training", "subsidy_fraud", "compliance")
SEVERITIES: tuple[str, ...] = typing.get_args(Severity)  # low … critical, declared once
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
    # observed keys holding estimates from the whole population (a model's weights): shown,
    # but not facts of the case, so a refit alone does not change or reopen the finding
    estimated: tuple[str, ...] = ()

    @classmethod
    def make(cls, *, code: str, category: str, severity: str, title: str, zh: str, en: str,
             subject_type: str, subject_id: str, amount_at_risk_fen: int = 0,
             person_ids: Any = None, class_ids: Any = None, institution_ids: Any = None,
             claim_ids: Any = None, payment_ids: Any = None, evidence: Any = None,
             observed: dict[str, Any] | None = None, key: str = "",
             estimated: tuple[str, ...] = ()) -> Finding:
        positions = tuple(sorted({int(p) for p in (evidence if evidence is not None else ())
                                  if not missing(p)}))
        return cls(code, category, severity, title, zh, en, subject_type, str(subject_id),
                   int(amount_at_risk_fen), _ids(person_ids), _ids(class_ids),
                   _ids(institution_ids), _ids(claim_ids), _ids(payment_ids), positions,
                   _plain(observed or {}), str(key), tuple(estimated))

    def _fact(self) -> list[Any]:
        return [self.code, self.subject_type, self.subject_id, self.person_ids,
                self.class_ids, self.institution_ids, self.claim_ids, self.payment_ids]

    def identity(self, rules_digest: str) -> str:
        """Stable id: the same fact (rule, subject, ids) under the same rules, the same id."""
        parts = [*self._fact(), rules_digest]
        if self.key:
            parts.append(self.key)
        text = json.dumps(parts, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def fact_key(self) -> str:
        """The finding's identity without the rules digest: the same fact (rule, subject,
        ids, the rule's own key) under two rules files, the same key (the rules lab
        matches findings across rules files by it)."""
        text = json.dumps([*self._fact(), self.key], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def facts_digest(self) -> str:
        """Changes when the observed facts or evidence change (a dismissed finding reopens)."""
        facts = {k: v for k, v in self.observed.items() if k not in self.estimated}
        key = json.dumps([facts, self.evidence_positions, self.amount_at_risk_fen],
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


@dataclass(frozen=True)
class Examined:
    """Subjects one rule examined: what it could have flagged, named for a reader.

    ``subject_type`` is the findings' (``person``, ``class``, ``claim`` …) so a flagged
    subject is counted against the group holding its id; ``noun_en``/``noun_zh`` name
    the group in the guard's sentence ("certification claims"); ``keys`` are the rules
    keys (Params field names) whose local values decide the group's findings.
    """

    subject_type: str
    ids: pd.Index  # distinct ids as strings: built and matched in C, a rule may examine millions
    noun_en: str
    noun_zh: str
    keys: tuple[str, ...] = ()

    @classmethod
    def of(cls, subject_type: str, ids: Any, noun_en: str, noun_zh: str,
           keys: tuple[str, ...] = ()) -> Examined:
        """From any collection of ids (missing values dropped)."""
        if ids is None or isinstance(ids, str):
            ids = [] if ids is None else [ids]
        elif not isinstance(ids, pd.Index | pd.Series | np.ndarray | list | tuple):
            ids = list(ids)
        values = pd.Series(ids, copy=False).dropna().unique()  # hashing, no sort
        index = pd.Index(values)
        if index.dtype != object and not pd.api.types.is_string_dtype(index.dtype):
            index = index.astype(str).unique()
        return cls(subject_type, index, noun_en, noun_zh, keys)

    def count_of(self, flagged: set[str]) -> int:
        """How many of ``flagged`` are among the examined."""
        return int(self.ids.isin(list(flagged)).sum()) if flagged else 0


@dataclass(frozen=True)
class Unchecked:
    """Something a rule did not check because its local standard is unset.

    ``key`` is the Params field to set (the runner names it as the rules file does,
    ``policy.…`` or ``rules.CODE.…``); ``count`` how many items went unchecked.
    """

    key: str
    count: int
    what_en: str
    what_zh: str


# the frame (and its id column, None = the index) holding every subject of a type
SUBJECT_FRAMES: dict[str, tuple[str, str | None]] = {
    "person": ("persons", None), "class": ("classes", None), "claim": ("claims", None),
    "institution": ("institutions", None), "agency": ("agencies", None),
    "payment": ("payments", "payment_id"), "voucher": ("vouchers", None),
    "certificate": ("certificates", "certificate_id"), "county": ("payments", "county"),
}
SUBJECT_NOUNS = {"person": ("persons", "人员"), "class": ("classes", "班级"),
                 "claim": ("claims", "补贴申请"), "institution": ("institutions", "培训机构"),
                 "agency": ("evaluation agencies", "评价机构"), "payment": ("payments", "付款"),
                 "voucher": ("vouchers", "培训券"), "certificate": ("certificates", "证书"),
                 "county": ("counties", "县区")}


def examined_by_subject(frames: Frames, subject_type: str) -> Examined:
    """Every subject of a type in the frames: the denominator of a rule that names none.

    Broader than what a rule really examined (so its share flagged is, if anything,
    understated): the fallback for a module without ``examined``.
    """
    name, column = SUBJECT_FRAMES.get(subject_type, ("persons", None))
    frame = getattr(frames, name)
    ids = frame.index if column is None else frame.get(column, ())
    en, zh = SUBJECT_NOUNS.get(subject_type, (f"{subject_type}s", subject_type))
    return Examined.of(subject_type, ids, en, zh)


class DetectorModule(Protocol):
    """What the registry expects of a detector module (``examined`` and ``unchecked``
    are looked up with ``getattr``: a module may go without them)."""

    CODE: str
    CATEGORY: str
    Params: type

    def detect(self, frames: Frames, params: Any) -> list[Finding]: ...

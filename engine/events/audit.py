"""Events the engine writes itself: what the detectors found (the audit of the audit).

Findings are appended to the same log as the facts they are about, so a later
reader can reproduce what was flagged, when, and under which rules.
"""

from __future__ import annotations

from typing import Any

from engine.events.base import EventData, Id, Money, check_money


class FindingRaised(EventData, frozen=True, kw_only=True):
    finding_id: Id
    code: Id
    category: Id
    severity: Id
    title: str
    explanation_zh: str
    explanation_en: str
    subject_type: Id
    subject_id: Id
    amount_at_risk: Money
    rules_version: str
    rules_digest: str
    facts_digest: str
    person_ids: list[str] = []
    class_ids: list[str] = []
    institution_ids: list[str] = []
    claim_ids: list[str] = []
    payment_ids: list[str] = []
    evidence: list[str] = []
    observed: dict[str, Any] = {}
    params: dict[str, Any] = {}

    def __post_init__(self) -> None:
        check_money(self.amount_at_risk, "amount_at_risk")


class FindingWithdrawn(EventData, frozen=True, kw_only=True):
    """A finding that a later run of its detector no longer raises.

    Facts that arrive late (a completion, a payment recovered) can clear what an
    earlier run flagged, which a stream sees often; the withdrawal keeps both the
    finding and the reason it is no longer current in the log.
    """

    finding_id: Id
    code: Id
    run_id: Id
    facts_digest: str  # the facts that were withdrawn
    reason: str = ""


class DetectionRun(EventData, frozen=True, kw_only=True):
    """One ``detect`` run: the rules it used, the log head it saw and what it raised."""

    run_id: Id
    rules_version: str
    rules_digest: str
    head_position: int
    findings: int
    new: int
    withdrawn: int = 0
    counts: dict[str, int] = {}
    errors: dict[str, str] = {}  # detectors that failed in this run, and why
    seconds: dict[str, float] = {}
    # per rule: what it could not check for want of a local standard, and the key to set
    not_checked: dict[str, list[dict[str, Any]]] = {}
    # per rule: the share-flagged guard's doubt (share, examined, the sentence)
    guards: dict[str, dict[str, Any]] = {}
    by: str | None = None  # who ran it (a user, or the stream follower)
    role: str | None = None


class RulesAdopted(EventData, frozen=True, kw_only=True):
    """A rules file adopted: from here on, the rules detection runs under.

    ``digest`` is the rules digest findings record; ``canonical_digest`` covers the
    guard, credit and stream tables too, and tells adoptions apart. ``rules`` is
    the merged, canonical form that is loaded back (to the same digests); ``text``
    is the file as it was given, for people to read. ``previous_digest`` and
    ``previous_canonical_digest`` name the rules it replaced (the defaults' when
    none had been adopted).
    """

    digest: str
    canonical_digest: str
    version: str
    previous_digest: str
    previous_canonical_digest: str
    rules: dict[str, Any]
    text: str
    source: str = ""  # the file's name as given
    by: Id
    role: str | None = None

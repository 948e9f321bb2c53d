"""Events of the investigators' case workflow on findings (open, assign, confirm, dismiss…).

Every step an investigator takes is appended to the same log as the facts it
is about, so the audit trail audits itself: each event names who (``by``)
in which role (``role``), its ``occurred_at`` says when, and ``reason``/``text``
say why. The order of
the steps is enforced by ``casework.commands``; these structs only validate
the shape of each step.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from engine.events.base import EventData, Id, Money, check_money

Role = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
"""Who acted in which role (investigator, admin, operator…): recorded with every step."""

Why = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
"""A reason or note: required steps must say why, in words."""


class CaseOpened(EventData, frozen=True, kw_only=True):
    """A case opened (or re-opened) on one finding, with the facts it was opened on."""

    case_id: Id
    finding_id: Id
    by: Id
    role: Role | None = None  # the actor's role when the step was taken
    facts_digest: str = ""
    reason: str | None = None


class CaseAssigned(EventData, frozen=True, kw_only=True):
    case_id: Id
    assignee: Id
    by: Id
    role: Role | None = None  # the actor's role when the step was taken
    reason: str | None = None


class CaseConfirmed(EventData, frozen=True, kw_only=True):
    """The irregularity is real; the facts it was confirmed on are kept."""

    case_id: Id
    by: Id
    role: Role | None = None  # the actor's role when the step was taken
    reason: Why
    facts_digest: str = ""


class CaseDismissed(EventData, frozen=True, kw_only=True):
    """Not an irregularity, for these facts: a rerun raising new facts reopens it."""

    case_id: Id
    by: Id
    role: Role | None = None  # the actor's role when the step was taken
    reason: Why
    facts_digest: str


Sha256 = Annotated[str, msgspec.Meta(min_length=64, max_length=64)]
_HEX = frozenset("0123456789abcdef")


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """A file kept beside the log, named here by its SHA-256: the event proves which
    bytes were attached, and a changed file no longer matches."""

    sha256: Sha256
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    size: Annotated[int, msgspec.Meta(ge=0)]
    media_type: Annotated[str, msgspec.Meta(max_length=200)] = "application/octet-stream"

    def __post_init__(self) -> None:
        if not set(self.sha256) <= _HEX:
            raise ValueError("`sha256` must be 64 lowercase hexadecimal digits")


class CaseNoteAdded(EventData, frozen=True, kw_only=True):
    case_id: Id
    by: Id
    role: Role | None = None  # the actor's role when the step was taken
    text: Why
    attachments: list[Attachment] | None = None  # files the note adds to the case


class CaseRecoveryLinked(EventData, frozen=True, kw_only=True):
    """Money recovered for the case: a stored ``PaymentRecovered`` of the finding's payments."""

    case_id: Id
    payment_id: Id
    recovery_event_id: Id
    amount: Money
    by: Id
    role: Role | None = None  # the actor's role when the step was taken
    reason: str | None = None

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")


class CaseClosed(EventData, frozen=True, kw_only=True):
    case_id: Id
    by: Id
    role: Role | None = None  # the actor's role when the step was taken
    reason: str | None = None

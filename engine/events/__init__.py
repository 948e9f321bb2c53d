"""The event types of the interchange spec (docs/reference/events.md), in one table.

``EVENT_TYPES`` maps each ``type`` to the struct that validates its ``data``;
it is the only list of types in the project. ``Envelope`` is the common frame.
"""

from __future__ import annotations

import msgspec

from engine.events import access, casework, credit
from engine.events.audit import DetectionRun, FindingRaised, FindingWithdrawn, RulesAdopted
from engine.events.base import AwareDateTime, EventData, Id
from engine.events.master import (
    AgencyRegistered,
    BudgetAllocated,
    EmployerRegistered,
    InstitutionRegistered,
    InstitutionUpdated,
    PersonDeceased,
    PersonRegistered,
    PersonUpdated,
)
from engine.events.money import ClaimReviewed, PaymentRecovered, SubsidyClaimed, SubsidyPaid
from engine.events.outcomes import (
    AssessmentTaken,
    CertificateIssued,
    EmploymentVerified,
    SkillUpgradeSubsidyPaid,
)
from engine.events.supervision import ComplaintReceived, SpotCheckPerformed
from engine.events.training import (
    AttendanceRecorded,
    ClassCompleted,
    ClassOpened,
    SessionHeld,
    TraineeEnrolled,
    TraineeWithdrew,
)
from engine.events.vouchers import VoucherIssued, VoucherRedeemed, VoucherWrittenOff


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """The frame every source sends; ``data`` stays raw until its type is known."""

    event_id: Id
    type: Id
    occurred_at: AwareDateTime
    data: msgspec.Raw
    recorded_at: AwareDateTime | None = None
    source: str | None = None


def _declared_in(module: object) -> list[type[EventData]]:
    """The event types a module of this package declares (classes deriving EventData)."""
    return [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, EventData)
            and v is not EventData and v.__module__ == getattr(module, "__name__", "")]


EVENT_TYPES: dict[str, type[EventData]] = {
    cls.__name__: cls
    for cls in (
        InstitutionRegistered,
        InstitutionUpdated,
        AgencyRegistered,
        EmployerRegistered,
        PersonRegistered,
        PersonUpdated,
        PersonDeceased,
        BudgetAllocated,
        VoucherIssued,
        VoucherRedeemed,
        VoucherWrittenOff,
        ClassOpened,
        TraineeEnrolled,
        TraineeWithdrew,
        SessionHeld,
        AttendanceRecorded,
        ClassCompleted,
        AssessmentTaken,
        CertificateIssued,
        EmploymentVerified,
        SkillUpgradeSubsidyPaid,
        SubsidyClaimed,
        ClaimReviewed,
        SubsidyPaid,
        PaymentRecovered,
        SpotCheckPerformed,
        ComplaintReceived,
        FindingRaised,
        FindingWithdrawn,
        DetectionRun,
        RulesAdopted,
        *_declared_in(casework),
        *_declared_in(credit),
        *_declared_in(access),
    )
}


def register_event_type(cls: type[EventData]) -> type[EventData]:
    """Add a type the engine itself writes (findings, cases, credit), as higher floors do."""
    existing = EVENT_TYPES.get(cls.__name__)
    if existing is not None and existing is not cls:
        raise ValueError(f"event type {cls.__name__} is already registered")
    EVENT_TYPES[cls.__name__] = cls
    return cls


__all__ = ["EVENT_TYPES", "Envelope", "EventData", "register_event_type"]

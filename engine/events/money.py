"""Claims, reviews, payments and recoveries."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from engine.events.base import EventData, Id, Money, check_money

ClaimantType = Literal["institution", "employer", "person"]
ClaimKind = Literal["training", "certification", "living"]
Decision = Literal["approved", "rejected", "partial"]


class ClaimItem(msgspec.Struct, frozen=True, kw_only=True):
    person_id: Id
    amount: Money
    days: Annotated[int, msgspec.Meta(ge=0, le=3660)] | None = None
    certificate_id: str | None = None


class SubsidyClaimed(EventData, frozen=True, kw_only=True):
    claim_id: Id
    claimant_type: ClaimantType
    claimant_id: Id
    kind: ClaimKind
    items: list[ClaimItem]
    amount: Money
    program: Id
    county: Id
    class_id: str | None = None

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")
        for n, item in enumerate(self.items):
            check_money(item.amount, f"items[{n}].amount")


class ClaimReviewed(EventData, frozen=True, kw_only=True):
    claim_id: Id
    decision: Decision
    approved_amount: Money
    reviewer: str | None = None

    def __post_init__(self) -> None:
        check_money(self.approved_amount, "approved_amount")


class SubsidyPaid(EventData, frozen=True, kw_only=True):
    payment_id: Id
    claim_id: Id
    amount: Money
    bank_account: Id
    county: Id
    program: Id

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")


class PaymentRecovered(EventData, frozen=True, kw_only=True):
    payment_id: Id
    amount: Money
    reason: Id

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")

"""The voucher loop 申请-发券-培训(评价)-兑现-核销."""

from __future__ import annotations

from typing import Literal

from engine.events.base import Day, EventData, Id, Money, check_money

VoucherKind = Literal["training", "evaluation", "enterprise"]


class VoucherIssued(EventData, frozen=True, kw_only=True):
    voucher_id: Id
    person_id: Id
    kind: VoucherKind
    occupation: Id
    expires_on: Day


class VoucherRedeemed(EventData, frozen=True, kw_only=True):
    voucher_id: Id
    amount: Money
    class_id: str | None = None
    assessment_id: str | None = None

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")


class VoucherWrittenOff(EventData, frozen=True, kw_only=True):
    voucher_id: Id

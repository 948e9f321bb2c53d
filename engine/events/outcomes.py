"""Evaluation and outcomes: assessments, certificates, employment, skill-upgrade subsidy."""

from __future__ import annotations

from typing import Annotated

import msgspec

from engine.events.base import Day, EventData, Id, Level, Money, check_money

Score = Annotated[float, msgspec.Meta(ge=0, le=100)]


class AssessmentTaken(EventData, frozen=True, kw_only=True):
    assessment_id: Id
    person_id: Id
    agency_id: Id
    occupation: Id
    level: Level
    score: Score
    passed: bool


class CertificateIssued(EventData, frozen=True, kw_only=True):
    certificate_id: Id
    person_id: Id
    agency_id: Id
    occupation: Id
    level: Level
    assessment_id: str | None = None


class EmploymentVerified(EventData, frozen=True, kw_only=True):
    person_id: Id
    employer_id: Id
    start_date: Day
    monthly_income: Money
    social_insurance: bool

    def __post_init__(self) -> None:
        check_money(self.monthly_income, "monthly_income")


class SkillUpgradeSubsidyPaid(EventData, frozen=True, kw_only=True):
    person_id: Id
    certificate_id: Id
    amount: Money

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")

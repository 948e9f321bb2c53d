"""Master data: institutions, agencies, employers, persons, deaths and budgets."""

from __future__ import annotations

from typing import Literal

from engine.events.base import Count, Day, EventData, Id, Money, check_money

InstitutionKind = Literal[
    "technical_school", "training_center", "private_school", "enterprise", "college"
]
Gender = Literal["M", "F"]
Hukou = Literal["rural", "urban"]
Category = Literal[
    "rural_transfer", "unemployed", "poverty_alleviated", "graduate", "employee", "flexible",
    "other",
]


class InstitutionRegistered(EventData, frozen=True, kw_only=True):
    institution_id: Id
    name: Id
    credit_code: Id
    kind: InstitutionKind
    county: Id
    licensed_occupations: list[Id]
    venue_capacity: Count
    legal_rep_id: str | None = None
    phone: str | None = None
    bank_account: str | None = None


class InstitutionUpdated(EventData, frozen=True, kw_only=True):
    institution_id: Id
    name: Id | None = None
    credit_code: Id | None = None
    kind: InstitutionKind | None = None
    county: Id | None = None
    licensed_occupations: list[Id] | None = None
    venue_capacity: Count | None = None
    legal_rep_id: str | None = None
    phone: str | None = None
    bank_account: str | None = None


class AgencyRegistered(EventData, frozen=True, kw_only=True):
    agency_id: Id
    name: Id
    county: Id
    occupations: list[Id]
    filed: bool
    linked_institution_id: str | None = None


class EmployerRegistered(EventData, frozen=True, kw_only=True):
    employer_id: Id
    name: Id
    credit_code: Id
    county: Id
    legal_rep_id: str | None = None
    phone: str | None = None
    bank_account: str | None = None


class PersonRegistered(EventData, frozen=True, kw_only=True):
    person_id: Id
    name: Id
    gender: Gender
    birth_date: Day
    county: Id
    hukou: Hukou
    category: Category
    phone: str | None = None
    bank_account: str | None = None


class PersonUpdated(EventData, frozen=True, kw_only=True):
    person_id: Id
    name: Id | None = None
    gender: Gender | None = None
    birth_date: Day | None = None
    county: Id | None = None
    hukou: Hukou | None = None
    category: Category | None = None
    phone: str | None = None
    bank_account: str | None = None


class PersonDeceased(EventData, frozen=True, kw_only=True):
    person_id: Id
    date_of_death: Day


class BudgetAllocated(EventData, frozen=True, kw_only=True):
    county: Id
    program: Id
    year: int
    amount: Money

    def __post_init__(self) -> None:
        check_money(self.amount, "amount")
        if not 1949 <= self.year <= 2200:
            raise ValueError(f"`year` {self.year} is not a plausible budget year")

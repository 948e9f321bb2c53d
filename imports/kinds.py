"""What each kind of export becomes: its event type, its fields and how each cell is read.

One row makes one event, except claims, whose rows (one per person claimed for)
are grouped by claim number into one ``SubsidyClaimed`` with its ``items``.
``occurred_at`` is the time the row says the thing happened; where a sheet has
no such column, ``occurred_from`` names the date field that stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from imports import codes
from imports.values import (
    Parser,
    account,
    day,
    id_number,
    identifier,
    integer,
    moment,
    money,
    number,
    phone,
    quick_moment,
    text,
    year,
)
from imports.values import (
    codes as code_list,
)

ITEM = "items."  # a claim item's field, e.g. ``items.amount``
ENVELOPE = ("occurred_at", "recorded_at", "source")


@dataclass(frozen=True)
class Kind:
    """One kind of export: the event it makes and how to read each of its fields."""

    name: str
    event_type: str
    source: str  # the system such exports come from, unless the mapping says otherwise
    fields: dict[str, Parser]
    required: frozenset[str]
    occurred_from: tuple[str, ...] = ()  # date fields standing in for a missing occurred_at
    group_by: str | None = None  # claims: rows of one claim make one event
    parsers: dict[str, Parser] = field(init=False)

    def __post_init__(self) -> None:
        time_needed = self.name == "attendance"  # a check-in without its time says nothing
        occurred = partial(moment, date_only=not time_needed)
        recorded = partial(moment)
        for parse in (occurred, recorded):
            parse.quick = quick_moment  # type: ignore[attr-defined]  # see Converter.values_many
        envelope = {"occurred_at": occurred, "recorded_at": recorded, "source": identifier}
        object.__setattr__(self, "parsers", {**envelope, **self.fields})


def _kind(name: str, event_type: str, source: str, required: str, optional: str,
          parsers: dict[str, Parser], **extra: object) -> Kind:
    """A kind from its required and optional field names (space-separated)."""
    names = required.split() + optional.split()
    missing = [n for n in names if n not in parsers and n not in _COMMON]
    assert not missing, f"{name}: no parser for {missing}"
    fields = {n: parsers.get(n) or _COMMON[n] for n in names}
    return Kind(name, event_type, source, fields, frozenset(required.split()),
                **extra)  # type: ignore[arg-type]


_COMMON: dict[str, Parser] = {
    "person_id": id_number, "class_id": identifier, "institution_id": identifier,
    "agency_id": identifier, "employer_id": identifier, "claim_id": identifier,
    "payment_id": identifier, "voucher_id": identifier, "assessment_id": identifier,
    "certificate_id": identifier, "county": text, "program": text, "occupation": identifier,
    "level": codes.LEVEL, "name": text, "phone": phone, "bank_account": account,
    "lat": number, "lon": number,
}

KINDS: dict[str, Kind] = {k.name: k for k in (
    _kind("persons", "PersonRegistered", "realname",
          "person_id name gender birth_date county hukou category", "phone bank_account",
          {"gender": codes.GENDER, "birth_date": day, "hukou": codes.HUKOU,
           "category": codes.CATEGORY}),
    _kind("institutions", "InstitutionRegistered", "registry",
          "institution_id name credit_code kind county licensed_occupations venue_capacity",
          "legal_rep_id phone bank_account",
          {"credit_code": identifier, "kind": codes.INSTITUTION_KIND,
           "licensed_occupations": code_list, "venue_capacity": integer,
           "legal_rep_id": id_number}),
    _kind("classes", "ClassOpened", "realname",
          "class_id institution_id occupation level mode county venue capacity start_date "
          "end_date planned_days planned_hours program",
          "occupation_name lat lon employer_id",
          {"occupation_name": text, "mode": codes.MODE, "venue": text, "capacity": integer,
           "start_date": day, "end_date": day, "planned_days": integer,
           "planned_hours": number},
          occurred_from=("start_date",)),
    _kind("enrolments", "TraineeEnrolled", "realname", "class_id person_id", "voucher_id", {}),
    _kind("attendance", "AttendanceRecorded", "realname",
          "class_id person_id direction method", "device_id lat lon face_score",
          {"direction": codes.DIRECTION, "method": codes.METHOD, "device_id": identifier,
           "face_score": number}),
    _kind("assessments", "AssessmentTaken", "evaluation",
          "assessment_id person_id agency_id occupation level score passed", "",
          {"score": number, "passed": codes.YES_NO}),
    _kind("certificates", "CertificateIssued", "evaluation",
          "certificate_id person_id agency_id occupation level", "assessment_id", {}),
    _kind("employment", "EmploymentVerified", "employment",
          "person_id employer_id start_date monthly_income social_insurance", "",
          {"start_date": day, "monthly_income": money, "social_insurance": codes.YES_NO},
          occurred_from=("start_date",)),
    _kind("claims", "SubsidyClaimed", "treasury",
          "claim_id claimant_type claimant_id kind program county items.person_id items.amount",
          "class_id amount items.days items.certificate_id",
          {"claimant_type": codes.CLAIMANT_TYPE, "claimant_id": identifier,
           "kind": codes.CLAIM_KIND, "amount": money, "items.person_id": id_number,
           "items.amount": money, "items.days": integer, "items.certificate_id": identifier},
          group_by="claim_id"),
    _kind("reviews", "ClaimReviewed", "treasury", "claim_id decision approved_amount",
          "reviewer", {"decision": codes.DECISION, "approved_amount": money, "reviewer": text}),
    _kind("payments", "SubsidyPaid", "treasury",
          "payment_id claim_id amount bank_account county program", "", {"amount": money}),
    _kind("budgets", "BudgetAllocated", "treasury", "county program year amount", "",
          {"year": year, "amount": money}),
    _kind("spotchecks", "SpotCheckPerformed", "supervision",
          "class_id inspector headcount_observed", "notes",
          {"inspector": text, "headcount_observed": integer, "notes": text}),
)}

"""Which read-model table each event type feeds, and from which fields: one declarative map.

Every read-model row comes from exactly one stored event and carries its
``position``, so a table is a pure function of the log: applying new events
(``skillaudit project``) and rebuilding from zero give identical tables, and
"as of" is a filter on ``position`` or ``recorded_us``. Current state is
folded from these rows in ``projections.views`` in the order events
*occurred*, so late-delivered events give the same final state.
"""

from __future__ import annotations

from projections import sources_access, sources_casework, sources_credit
from projections.columns import ArrayTable, Col, FactTable, b, d, i, j, m, n, s

__all__ = ["ARRAY_TABLES", "FACT_TABLES", "ArrayTable", "Col", "FactTable"]


_INSTITUTION = (s("institution_id"), s("name"), s("credit_code"), s("kind"), s("county"),
                j("licensed_occupations"), i("venue_capacity"), s("legal_rep_id"), s("phone"),
                s("bank_account"))
_PERSON = (s("person_id"), s("name"), s("gender"), d("birth_date"), s("county"), s("hukou"),
           s("category"), s("phone"), s("bank_account"))

FACT_TABLES: tuple[FactTable, ...] = (
    FactTable("rm_institution_versions", ("InstitutionRegistered", "InstitutionUpdated"),
              (s("event_type", "type"), *_INSTITUTION), ("institution_id",)),
    FactTable("rm_agencies", ("AgencyRegistered",),
              (s("agency_id"), s("name"), s("county"), j("occupations"), b("filed"),
               s("linked_institution_id")), ("agency_id",)),
    FactTable("rm_employers", ("EmployerRegistered",),
              (s("employer_id"), s("name"), s("credit_code"), s("county"), s("legal_rep_id"),
               s("phone"), s("bank_account")), ("employer_id",)),
    FactTable("rm_person_versions", ("PersonRegistered", "PersonUpdated"),
              (s("event_type", "type"), *_PERSON), ("person_id",)),
    FactTable("rm_deaths", ("PersonDeceased",), (s("person_id"), d("date_of_death")),
              ("person_id",)),
    FactTable("rm_budgets", ("BudgetAllocated",),
              (s("county"), s("program"), i("year"), m("amount"))),
    FactTable("rm_vouchers", ("VoucherIssued",),
              (s("voucher_id"), s("person_id"), s("kind"), s("occupation"), d("expires_on")),
              ("voucher_id", "person_id")),
    FactTable("rm_voucher_redemptions", ("VoucherRedeemed",),
              (s("voucher_id"), s("class_id"), s("assessment_id"), m("amount")), ("voucher_id",)),
    FactTable("rm_voucher_writeoffs", ("VoucherWrittenOff",), (s("voucher_id"),),
              ("voucher_id",)),
    FactTable("rm_classes", ("ClassOpened",),
              (s("class_id"), s("institution_id"), s("occupation"), s("occupation_name"),
               i("level"), s("mode"), s("county"), s("venue"), n("lat"), n("lon"),
               i("capacity"), d("start_date"), d("end_date"), i("planned_days"),
               n("planned_hours"), s("program"), s("employer_id")),
              ("class_id", "institution_id")),
    FactTable("rm_enrolments", ("TraineeEnrolled",),
              (s("class_id"), s("person_id"), s("voucher_id")), ("class_id", "person_id")),
    FactTable("rm_withdrawals", ("TraineeWithdrew",), (s("class_id"), s("person_id")),
              ("class_id", "person_id")),
    FactTable("rm_sessions", ("SessionHeld",),
              (s("class_id"), d("date"), n("hours"), s("teacher")), ("class_id",)),
    FactTable("rm_attendance", ("AttendanceRecorded",),
              (s("class_id"), s("person_id"), s("direction"), s("method"), s("device_id"),
               n("lat"), n("lon"), n("face_score")), ("class_id", "person_id")),
    FactTable("rm_class_completions", ("ClassCompleted",),
              (s("class_id"), n("delivered_hours")), ("class_id",)),
    FactTable("rm_assessments", ("AssessmentTaken",),
              (s("assessment_id"), s("person_id"), s("agency_id"), s("occupation"), i("level"),
               n("score"), b("passed")), ("person_id", "agency_id")),
    FactTable("rm_certificates", ("CertificateIssued",),
              (s("certificate_id"), s("person_id"), s("agency_id"), s("occupation"), i("level"),
               s("assessment_id")), ("certificate_id", "person_id")),
    FactTable("rm_employment", ("EmploymentVerified",),
              (s("person_id"), s("employer_id"), d("start_date"), m("monthly_income"),
               b("social_insurance")), ("person_id", "employer_id")),
    FactTable("rm_skill_upgrade_payments", ("SkillUpgradeSubsidyPaid",),
              (s("person_id"), s("certificate_id"), m("amount")), ("certificate_id", "person_id")),
    FactTable("rm_claims", ("SubsidyClaimed",),
              (s("claim_id"), s("claimant_type"), s("claimant_id"), s("kind"), s("class_id"),
               m("amount"), s("program"), s("county")), ("claim_id", "class_id", "claimant_id")),
    FactTable("rm_claim_reviews", ("ClaimReviewed",),
              (s("claim_id"), s("decision"), m("approved_amount"), s("reviewer")), ("claim_id",)),
    FactTable("rm_payments", ("SubsidyPaid",),
              (s("payment_id"), s("claim_id"), m("amount"), s("bank_account"), s("county"),
               s("program")), ("payment_id", "claim_id")),
    FactTable("rm_recoveries", ("PaymentRecovered",),
              (s("payment_id"), m("amount"), s("reason")), ("payment_id",)),
    FactTable("rm_spot_checks", ("SpotCheckPerformed",),
              (s("class_id"), s("inspector"), i("headcount_observed"), s("notes")),
              ("class_id",)),
    FactTable("rm_findings", ("FindingRaised",),
              (s("finding_id"), s("code"), s("category"), s("severity"), s("title"),
               s("explanation_zh"), s("explanation_en"), s("subject_type"), s("subject_id"),
               m("amount_at_risk"), s("rules_version"), s("rules_digest"), s("facts_digest"),
               j("person_ids"), j("class_ids"), j("institution_ids"), j("claim_ids"),
               j("payment_ids"), j("evidence"), j("observed"), j("params")),
              ("finding_id", "code")),
    FactTable("rm_findings_withdrawn", ("FindingWithdrawn",),
              (s("finding_id"), s("code"), s("run_id"), s("facts_digest"), s("reason")),
              ("finding_id",)),
    FactTable("rm_detection_runs", ("DetectionRun",),
              (s("run_id"), s("rules_version"), s("rules_digest"), i("head_position"),
               i("findings"), i("new"), i("withdrawn"), j("counts"), j("seconds")), ("run_id",)),
    FactTable("rm_complaints", ("ComplaintReceived",),
              (s("complaint_id"), s("subject_type"), s("subject_id"), s("text")),
              ("subject_id",)),
)

ARRAY_TABLES: tuple[ArrayTable, ...] = (
    ArrayTable("rm_claim_items", ("SubsidyClaimed",), "data.items", (s("claim_id"),),
               (s("person_id", "person_id"), m("amount", "amount"), i("days", "days"),
                s("certificate_id", "certificate_id")), ("claim_id", "person_id")),
    ArrayTable("rm_institution_licences", ("InstitutionRegistered", "InstitutionUpdated"),
               "data.licensed_occupations", (s("institution_id"),),
               (s("occupation", ""),), ("institution_id",)),
    ArrayTable("rm_agency_occupations", ("AgencyRegistered",), "data.occupations",
               (s("agency_id"),), (s("occupation", ""),), ("agency_id",)),
)

# Every id an event names, for timelines: (subject type, path). Claim items add persons.
SUBJECT_PATHS: tuple[tuple[str, str], ...] = (
    ("person", "data.person_id"),
    ("class", "data.class_id"),
    ("institution", "data.institution_id"),
    ("agency", "data.agency_id"),
    ("employer", "data.employer_id"),
    ("claim", "data.claim_id"),
    ("payment", "data.payment_id"),
    ("voucher", "data.voucher_id"),
    ("certificate", "data.certificate_id"),
    ("assessment", "data.assessment_id"),
    ("institution", "data.linked_institution_id"),
)


# read models of the application services (cases, credit, the access log), declared in
# their own modules
FACT_TABLES = (FACT_TABLES + sources_casework.FACT_TABLES + sources_credit.FACT_TABLES
               + sources_access.FACT_TABLES)
ARRAY_TABLES = (ARRAY_TABLES + sources_casework.ARRAY_TABLES + sources_credit.ARRAY_TABLES
                + sources_access.ARRAY_TABLES)

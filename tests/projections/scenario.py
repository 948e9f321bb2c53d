"""A small city in spec events, written by hand from the spec: the projections' test input.

Covers every read model: a person registered then updated (the update can be
delivered first), a death, an institution whose licence changes, an agency,
an employer, a class with sessions, attendance, a withdrawal, an assessment,
a certificate, employment, a claim with items, its review, two payments (one
after the 31 March deadline), a recovery, budgets, vouchers, a spot check and
a complaint.
"""

from __future__ import annotations

import json
from typing import Any

P1 = "14230119900101123X"
P2 = "142301199203154321"
P3 = "142301198807071234"


def _e(n: int, type_: str, occurred: str, data: dict[str, Any],
       recorded: str | None = None) -> dict[str, Any]:
    ev: dict[str, Any] = {"event_id": f"sc-{n:04d}", "type": type_,
                          "occurred_at": occurred, "source": "test", "data": data}
    if recorded:
        ev["recorded_at"] = recorded
    return ev


def events() -> list[dict[str, Any]]:
    t = "2023-{}T{}+08:00"
    out = [
        _e(1, "BudgetAllocated", t.format("01-05", "09:00:00"),
           {"county": "平遥县", "program": "employment", "year": 2023, "amount": "50000.00"}),
        _e(2, "InstitutionRegistered", t.format("01-06", "09:00:00"), {
            "institution_id": "I1", "name": "平遥职业培训学校", "credit_code": "X", "kind":
            "private_school", "county": "平遥县", "licensed_occupations": ["4-10-01-05"],
            "venue_capacity": 40, "bank_account": "ACC-I1"}),
        _e(3, "AgencyRegistered", t.format("01-07", "09:00:00"), {
            "agency_id": "A1", "name": "评价中心", "county": "平遥县",
            "occupations": ["4-10-01-05", "4-03-02-01"], "filed": True}),
        _e(4, "EmployerRegistered", t.format("01-08", "09:00:00"), {
            "employer_id": "E1", "name": "养老院", "credit_code": "Y", "county": "平遥县"}),
        _e(5, "PersonRegistered", t.format("01-10", "09:00:00"), {
            "person_id": P1, "name": "王伟", "gender": "M", "birth_date": "1990-01-01",
            "county": "平遥县", "hukou": "rural", "category": "rural_transfer",
            "phone": "13800000001", "bank_account": "B1"}),
        _e(6, "PersonRegistered", t.format("01-10", "09:05:00"), {
            "person_id": P2, "name": "李娜", "gender": "F", "birth_date": "1992-03-15",
            "county": "平遥县", "hukou": "urban", "category": "unemployed"}),
        _e(7, "PersonRegistered", t.format("01-10", "09:10:00"), {
            "person_id": P3, "name": "张静", "gender": "M", "birth_date": "1988-07-07",
            "county": "平遥县", "hukou": "rural", "category": "other"}),
        _e(8, "PersonUpdated", t.format("02-01", "10:00:00"),
           {"person_id": P1, "phone": "13900000009", "bank_account": "B1-new"}),
        _e(9, "InstitutionUpdated", t.format("02-02", "10:00:00"), {
            "institution_id": "I1", "licensed_occupations": ["4-10-01-05", "4-03-02-01"]}),
        _e(10, "VoucherIssued", t.format("02-20", "09:00:00"), {
            "voucher_id": "V1", "person_id": P1, "kind": "training",
            "occupation": "4-10-01-05", "expires_on": "2023-12-31"}),
        _e(11, "ClassOpened", t.format("02-25", "09:00:00"), {
            "class_id": "C1", "institution_id": "I1", "occupation": "4-10-01-05", "level": 5,
            "mode": "inclusive", "county": "平遥县", "venue": "教室1", "capacity": 30,
            "start_date": "2023-03-01", "end_date": "2023-03-03", "planned_days": 3,
            "planned_hours": 24, "program": "employment"}),
    ]
    n = 12
    for person in (P1, P2, P3):
        out.append(_e(n, "TraineeEnrolled", t.format("02-28", "09:00:00"),
                      {"class_id": "C1", "person_id": person,
                       **({"voucher_id": "V1"} if person == P1 else {})}))
        n += 1
    for day in ("01", "02", "03"):
        out.append(_e(n, "SessionHeld", t.format(f"03-{day}", "17:00:00"),
                      {"class_id": "C1", "date": f"2023-03-{day}", "hours": 8}))
        n += 1
        for person in (P1, P2) if day != "03" else (P1,):
            for direction, hh in (("in", "08:5"), ("out", "17:0")):
                out.append(_e(n, "AttendanceRecorded", t.format(f"03-{day}", f"{hh}{n % 10}:00"),
                              {"class_id": "C1", "person_id": person, "direction": direction,
                               "method": "face", "device_id": "D1", "lat": 37.2, "lon": 112.17,
                               "face_score": 0.95}))
                n += 1
    out += [
        _e(n, "TraineeWithdrew", t.format("03-02", "12:00:00"), {"class_id": "C1",
                                                               "person_id": P3}),
        _e(n + 1, "ClassCompleted", t.format("03-03", "18:00:00"),
           {"class_id": "C1", "delivered_hours": 24}),
        _e(n + 2, "AssessmentTaken", t.format("03-10", "09:00:00"), {
            "assessment_id": "AS1", "person_id": P1, "agency_id": "A1",
            "occupation": "4-10-01-05", "level": 5, "score": 82, "passed": True}),
        _e(n + 3, "CertificateIssued", t.format("03-15", "09:00:00"), {
            "certificate_id": "CERT1", "person_id": P1, "agency_id": "A1",
            "occupation": "4-10-01-05", "level": 5, "assessment_id": "AS1"}),
        _e(n + 4, "EmploymentVerified", t.format("04-01", "09:00:00"), {
            "person_id": P1, "employer_id": "E1", "start_date": "2023-04-01",
            "monthly_income": "3200.00", "social_insurance": True}),
        _e(n + 5, "VoucherRedeemed", t.format("03-20", "09:00:00"),
           {"voucher_id": "V1", "class_id": "C1", "amount": "300.00"}),
        _e(n + 6, "SubsidyClaimed", t.format("03-20", "10:00:00"), {
            "claim_id": "CL1", "claimant_type": "institution", "claimant_id": "I1",
            "kind": "training", "class_id": "C1", "program": "employment", "county": "平遥县",
            "amount": "500.00", "items": [{"person_id": P1, "amount": "300.00", "days": 3},
                                          {"person_id": P2, "amount": 200, "days": 2}]}),
        _e(n + 7, "ClaimReviewed", t.format("03-25", "10:00:00"),
           {"claim_id": "CL1", "decision": "approved", "approved_amount": "500.00"}),
        _e(n + 8, "SubsidyPaid", t.format("04-10", "10:00:00"), {
            "payment_id": "PAY1", "claim_id": "CL1", "amount": "300.10",
            "bank_account": "ACC-I1", "county": "平遥县", "program": "employment"}),
        _e(n + 9, "SubsidyPaid", "2024-04-15T10:00:00+08:00", {
            "payment_id": "PAY2", "claim_id": "CL1", "amount": "199.90",
            "bank_account": "ACC-I1", "county": "平遥县", "program": "employment"}),
        _e(n + 10, "PaymentRecovered", "2024-05-01T10:00:00+08:00",
           {"payment_id": "PAY2", "amount": "50.05", "reason": "overpaid"}),
        _e(n + 11, "VoucherWrittenOff", t.format("04-20", "10:00:00"), {"voucher_id": "V1"}),
        _e(n + 12, "SpotCheckPerformed", t.format("03-02", "10:00:00"),
           {"class_id": "C1", "inspector": "监督员1", "headcount_observed": 2}),
        _e(n + 13, "ComplaintReceived", t.format("03-05", "10:00:00"), {
            "complaint_id": "CP1", "subject_type": "institution", "subject_id": "I1",
            "text": "收费不透明"}),
        _e(n + 14, "PersonDeceased", t.format("06-01", "10:00:00"),
           {"person_id": P3, "date_of_death": "2023-05-30"}),
        _e(n + 15, "BudgetAllocated", "2024-01-05T09:00:00+08:00",
           {"county": "平遥县", "program": "employment", "year": 2024, "amount": 80000}),
        # back-filled attendance (补录): recorded two months later
        _e(n + 16, "AttendanceRecorded", t.format("03-03", "08:58:00"), {
            "class_id": "C1", "person_id": P2, "direction": "in", "method": "manual"},
           recorded=t.format("05-20", "16:00:00")),
    ]
    return out


def lines(order: list[int] | None = None) -> list[bytes]:
    evs = events()
    if order is not None:
        evs = [evs[i] for i in order]
    return [json.dumps(e, ensure_ascii=False).encode() for e in evs]

"""A tiny city builder for detector tests: spec events by hand, through the real pipeline.

``TinyCity`` writes events exactly as a source would (events.md), then ``frames()``
ingests them into a temporary SQLite store, projects them and returns the real
``Views`` the detectors read — so every detector test exercises validation, the
store, the projector and the frames, not a hand-made DataFrame.

Defaults make a clean, rule-abiding trainee: valid ID numbers, classes inside
the institution's licence, full attendance, claims at the rate, on-time payment.
"""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from engine.identity import make_person_id
from engine.ingest import ingest
from engine.store.factory import open_store
from projections.projector import Projector, engine_for
from projections.views import Views

CST = timezone(timedelta(hours=8))


def projected(events: Path, url: str) -> sa.Engine:
    """Ingest a JSONL file into the store at ``url``, project it, return the read-model engine.

    Every line must be valid: a test city that quarantines a line is a broken test.
    """
    store = open_store(url)
    try:
        summary = ingest(store, [str(events)], parallel=False)
    finally:
        store.close()
    assert summary.quarantined == 0, summary.errors
    engine = engine_for(url)
    Projector(engine).run()
    return engine


def ts(day: str | date, hh: int = 9, mm: int = 0, ss: int = 0) -> str:
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime(d.year, d.month, d.day, hh, mm, ss, tzinfo=CST).isoformat()


class TinyCity:
    """Build events with sensible defaults; every method returns the ids it made."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._n = itertools.count(1)
        self._seq = itertools.count(1)

    # -- raw --------------------------------------------------------------------------------

    def add(self, type_: str, occurred: str, data: dict[str, Any],
            recorded: str | None = None, event_id: str | None = None) -> str:
        eid = event_id or f"t-{next(self._n):06d}"
        ev: dict[str, Any] = {"event_id": eid, "type": type_, "occurred_at": occurred,
                              "source": "test", "data": data}
        if recorded:
            ev["recorded_at"] = recorded
        self.events.append(ev)
        return eid

    # -- master data ------------------------------------------------------------------------

    def person(self, *, born: str = "1990-05-01", county: str = "离石区", name: str = "王伟",
               gender: str = "M", category: str = "unemployed", phone: str | None = None,
               bank: str | None = None, region: str = "141102", person_id: str | None = None,
               on: str = "2023-01-05") -> str:
        n = next(self._seq)
        seq = (2 * n + 1) % 1000 if gender == "M" else (2 * n) % 1000
        pid = person_id or make_person_id(region, date.fromisoformat(born), seq)
        self.add("PersonRegistered", ts(on), {
            "person_id": pid, "name": name, "gender": gender, "birth_date": born,
            "county": county, "hukou": "rural", "category": category,
            "phone": phone or f"139{n:08d}", "bank_account": bank or f"6222{n:012d}"})
        return pid

    def institution(self, iid: str = "I1", *, occupations: tuple[str, ...] = ("4-10-01-05",),
                    capacity: int = 60, county: str = "离石区", legal_rep: str | None = None,
                    phone: str | None = None, bank: str | None = None,
                    on: str = "2023-01-02") -> str:
        self.add("InstitutionRegistered", ts(on), {
            "institution_id": iid, "name": f"{iid} 培训学校", "credit_code": f"CC{iid}",
            "kind": "private_school", "county": county,
            "licensed_occupations": list(occupations), "venue_capacity": capacity,
            "legal_rep_id": legal_rep or f"LR-{iid}", "phone": phone or f"0358-{iid}",
            "bank_account": bank or f"ACC-{iid}"})
        return iid

    def agency(self, aid: str = "A1", *, occupations: tuple[str, ...] = ("4-10-01-05",),
               filed: bool = True, linked: str | None = None, on: str = "2022-06-01") -> str:
        data: dict[str, Any] = {"agency_id": aid, "name": f"{aid} 评价中心", "county": "离石区",
                                "occupations": list(occupations), "filed": filed}
        if linked:
            data["linked_institution_id"] = linked
        self.add("AgencyRegistered", ts(on), data)
        return aid

    def employer(self, eid: str = "E1", *, legal_rep: str | None = None,
                 phone: str | None = None, bank: str | None = None) -> str:
        self.add("EmployerRegistered", ts("2023-01-03"), {
            "employer_id": eid, "name": f"{eid} 公司", "credit_code": f"CC{eid}",
            "county": "离石区", "legal_rep_id": legal_rep or f"LR-{eid}",
            "phone": phone or f"0358-{eid}", "bank_account": bank or f"ACC-{eid}"})
        return eid

    def budget(self, county: str = "离石区", program: str = "employment_subsidy",
               year: int = 2023, amount: str = "1000000.00") -> None:
        self.add("BudgetAllocated", ts(f"{year}-01-04"), {
            "county": county, "program": program, "year": year, "amount": amount})

    # -- training ---------------------------------------------------------------------------

    def klass(self, cid: str, *, institution: str = "I1", occupation: str = "4-10-01-05",
              level: int = 5, mode: str = "inclusive", start: str = "2023-03-06",
              days: int = 10, hours_per_day: float = 8, capacity: int = 40,
              venue: str = "离石区龙凤南路1号", lat: float = 37.5177, lon: float = 111.1431,
              program: str = "employment_subsidy", employer: str | None = None,
              county: str = "离石区") -> str:
        first = date.fromisoformat(start)
        end = first + timedelta(days=days - 1)
        data: dict[str, Any] = {
            "class_id": cid, "institution_id": institution, "occupation": occupation,
            "level": level, "mode": mode, "county": county, "venue": venue, "lat": lat,
            "lon": lon, "capacity": capacity, "start_date": first.isoformat(),
            "end_date": end.isoformat(), "planned_days": days,
            "planned_hours": days * hours_per_day, "program": program}
        if employer:
            data["employer_id"] = employer
        self.add("ClassOpened", ts(first - timedelta(days=5)), data)
        return cid

    def class_days(self, cid: str) -> list[str]:
        opened = next(e for e in self.events if e["type"] == "ClassOpened"
                      and e["data"]["class_id"] == cid)["data"]
        first = date.fromisoformat(opened["start_date"])
        return [(first + timedelta(days=i)).isoformat() for i in range(opened["planned_days"])]

    def enrol(self, cid: str, pid: str, voucher: str | None = None) -> None:
        day = date.fromisoformat(self.class_days(cid)[0]) - timedelta(days=2)
        data = {"class_id": cid, "person_id": pid}
        if voucher:
            data["voucher_id"] = voucher
        self.add("TraineeEnrolled", ts(day), data)

    def sessions(self, cid: str, days: list[str] | None = None, hours: float = 8) -> None:
        for d in days or self.class_days(cid):
            self.add("SessionHeld", ts(d, 17), {"class_id": cid, "date": d, "hours": hours})

    def attend(self, cid: str, pid: str, days: list[str] | None = None, *,
               device: str = "DEV1", lat: float = 37.5177, lon: float = 111.1431,
               face: float = 0.93, minute: int | None = None, method: str = "face",
               recorded_late_days: int = 0) -> None:
        k = next(self._seq)
        for d in days if days is not None else self.class_days(cid):
            mm = minute if minute is not None else 20 + k % 35
            for direction, hh in (("in", 8), ("out", 17)):
                occurred = ts(d, hh, mm, k % 60)
                recorded = None
                if recorded_late_days:
                    recorded = ts(date.fromisoformat(d) + timedelta(days=recorded_late_days), 10)
                self.add("AttendanceRecorded", occurred, {
                    "class_id": cid, "person_id": pid, "direction": direction,
                    "method": method, "device_id": device, "lat": lat, "lon": lon,
                    "face_score": face}, recorded=recorded)

    def complete(self, cid: str, delivered: float | None = None) -> None:
        days = self.class_days(cid)
        opened = next(e for e in self.events if e["type"] == "ClassOpened"
                      and e["data"]["class_id"] == cid)["data"]
        self.add("ClassCompleted", ts(days[-1], 18), {
            "class_id": cid, "delivered_hours": opened["planned_hours"]
            if delivered is None else delivered})

    def train(self, cid: str, pids: list[str], *, attend_days: int | None = None) -> None:
        """Enrol, hold every session, attend (all days unless fewer), complete."""
        days = self.class_days(cid)
        for pid in pids:
            self.enrol(cid, pid)
        self.sessions(cid)
        for pid in pids:
            self.attend(cid, pid, days[: attend_days if attend_days is not None else len(days)])
        self.complete(cid)

    # -- outcomes ---------------------------------------------------------------------------

    def assess(self, pid: str, *, agency: str = "A1", occupation: str = "4-10-01-05",
               level: int = 5, score: float = 78, on: str = "2023-03-25",
               aid: str | None = None) -> str:
        aid = aid or f"AS-{next(self._n)}"
        self.add("AssessmentTaken", ts(on), {
            "assessment_id": aid, "person_id": pid, "agency_id": agency,
            "occupation": occupation, "level": level, "score": score, "passed": score >= 60})
        return aid

    def certify(self, pid: str, *, agency: str = "A1", occupation: str = "4-10-01-05",
                level: int = 5, on: str = "2023-04-01", assessment: str | None = None,
                cert: str | None = None) -> str:
        cert = cert or f"CERT-{next(self._n)}"
        data = {"certificate_id": cert, "person_id": pid, "agency_id": agency,
                "occupation": occupation, "level": level}
        if assessment:
            data["assessment_id"] = assessment
        self.add("CertificateIssued", ts(on), data)
        return cert

    def employ(self, pid: str, employer: str = "E1", *, start: str = "2023-04-10",
               income: str = "3500.00", insured: bool = True) -> None:
        self.add("EmploymentVerified", ts(start, 10), {
            "person_id": pid, "employer_id": employer, "start_date": start,
            "monthly_income": income, "social_insurance": insured})

    # -- money ------------------------------------------------------------------------------

    def claim(self, claim_id: str, items: list[tuple[str, str, int | None]], *,
              claimant: str = "I1", claimant_type: str = "institution", kind: str = "training",
              cid: str | None = None, on: str = "2023-03-25", program: str = "employment_subsidy",
              county: str = "离石区", certificate: dict[str, str] | None = None) -> str:
        total = sum((Decimal(a) for _, a, _ in items), Decimal(0))
        rows = []
        for pid, amount, days in items:
            row: dict[str, Any] = {"person_id": pid, "amount": amount}
            if days is not None:
                row["days"] = days
            if certificate and pid in certificate:
                row["certificate_id"] = certificate[pid]
            rows.append(row)
        data: dict[str, Any] = {"claim_id": claim_id, "claimant_type": claimant_type,
                                "claimant_id": claimant, "kind": kind, "items": rows,
                                "amount": f"{total:.2f}", "program": program, "county": county}
        if cid:
            data["class_id"] = cid
        self.add("SubsidyClaimed", ts(on, 10), data)
        return claim_id

    def review(self, claim_id: str, approved: str, *, decision: str = "approved",
               on: str = "2023-04-05") -> None:
        self.add("ClaimReviewed", ts(on, 11), {"claim_id": claim_id, "decision": decision,
                                               "approved_amount": approved})

    def pay(self, payment_id: str, claim_id: str, amount: str, *, account: str = "ACC-I1",
            on: str = "2023-04-15", county: str = "离石区",
            program: str = "employment_subsidy") -> None:
        self.add("SubsidyPaid", ts(on, 15), {
            "payment_id": payment_id, "claim_id": claim_id, "amount": amount,
            "bank_account": account, "county": county, "program": program})

    def recover(self, payment_id: str, amount: str, *, on: str = "2023-06-01",
                reason: str = "audit") -> None:
        self.add("PaymentRecovered", ts(on, 16), {"payment_id": payment_id, "amount": amount,
                                                  "reason": reason})

    def settle(self, claim_id: str, amount: str, *, decision: str = "approved",
               paid: bool = True, on: str = "2023-04-05") -> None:
        """Review a claim (approving ``amount`` unless rejected) and pay it ten days later."""
        approved = "0.00" if decision == "rejected" else amount
        self.review(claim_id, approved, decision=decision, on=on)
        if paid:
            day = (date.fromisoformat(on) + timedelta(days=10)).isoformat()
            self.pay(f"PAY-{claim_id}", claim_id, amount, on=day)

    # -- the pipeline -----------------------------------------------------------------------

    def frames(self, tmp_path: Path) -> Views:
        """Ingest, project and return the real views over these events."""
        path = tmp_path / f"city-{next(self._n)}.jsonl"
        path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n"
                                for e in self.events), encoding="utf-8")
        return Views(projected(path, f"sqlite:///{tmp_path / f'city-{next(self._n)}.db'}"))

"""Use cases that read: read models brought up to date, timelines, profiles, ledger, plan.

Each reads as of a point (``projections.asof.AsOf``: a recording time, a log
position, or now) and masks personal data unless the actor may see it and
asked to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.errors import NotFound
from engine.money import yuan_str
from engine.privacy import mask_account, mask_name, mask_person_id, mask_text
from projections.asof import NOW, AsOf
from projections.ledger import ledger as ledger_frame
from projections.plan import Targets, TargetWarning, check_targets, completion, dispatch
from projections.projector import Projector, ProjectSummary
from projections.queries import institution_report, person_report
from projections.timeline import TimelineEntry
from projections.timeline import timeline as timeline_entries
from services.actor import Actor, Permission
from services.workbench import Workbench


def project(wb: Workbench, actor: Actor, *, rebuild: bool = False, jobs: int | None = None,
            progress: Callable[[int, int, int], None] | None = None) -> ProjectSummary:
    """Apply new events to the read models (or rebuild them from position 0)."""
    actor.require(Permission.PROJECT if rebuild else Permission.READ)
    return Projector(wb.engine).run(rebuild=rebuild, jobs=jobs, progress=progress)


@dataclass(frozen=True)
class Timeline:
    kind: str
    shown_id: str  # the subject's id as this actor may see it
    as_of: AsOf
    entries: list[TimelineEntry]


def timeline(wb: Workbench, actor: Actor, kind: str, subject_id: str, *, as_of: AsOf = NOW,
             unmask: bool = False) -> Timeline:
    """Every event about a subject visible as of a point, in log order."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    views = wb.views(as_of)
    entries = timeline_entries(views.engine, kind, subject_id, as_of=as_of, unmask=unmask)
    shown = subject_id if unmask or kind != "person" else mask_person_id(subject_id)
    if not entries:
        raise NotFound(f"no such {kind} {shown}: no event names it as of {as_of.label} "
                       "查无此对象")
    return Timeline(kind, shown, as_of, entries)


def person(wb: Workbench, actor: Actor, person_id: str, *, as_of: AsOf = NOW,
           unmask: bool = False) -> dict[str, Any]:
    """A person's registration, trainings, outcomes and subsidies."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    report = person_report(wb.views(as_of), person_id, unmask=unmask)
    if _unknown(report, "person"):
        shown = person_id if unmask else mask_person_id(person_id)
        raise NotFound(f"no such person {shown}: no event names them 查无此人")
    return report


def institution(wb: Workbench, actor: Actor, institution_id: str, *,
                as_of: AsOf = NOW) -> dict[str, Any]:
    """An institution's profile, classes, pass and employment rates and money received."""
    actor.require(Permission.READ)
    report = institution_report(wb.views(as_of), institution_id)
    if _unknown(report, "institution"):
        raise NotFound(f"no such institution {institution_id}: no event names it 查无此机构")
    return report


def _unknown(report: dict[str, Any], kind: str) -> bool:
    """No registration and nothing else about the subject: an id the store does not know."""
    return not report[kind].get("known") and not any(
        v for v in report.values() if isinstance(v, list))


def ledger(wb: Workbench, actor: Actor, *, county: str | None = None, year: int | None = None,
           as_of: AsOf = NOW) -> pd.DataFrame:
    """The fund ledger per county × programme × year, money in fen."""
    actor.require(Permission.READ)
    return ledger_frame(wb.views(as_of), county, year)


@dataclass(frozen=True)
class PlanResult:
    frame: pd.DataFrame
    warnings: list[TargetWarning]
    as_of: AsOf


def plan(wb: Workbench, actor: Actor, targets: Targets, *, as_of: AsOf = NOW,
         dispatch_on: str | None = None, for_dispatch: bool = False) -> PlanResult:
    """Plan completion ranked per county, or the biweekly dispatch table."""
    actor.require(Permission.READ)
    views = wb.views(as_of)
    warnings = check_targets(views, targets)
    frame = dispatch(views, targets, dispatch_on) if for_dispatch else completion(views, targets)
    return PlanResult(frame, warnings, as_of)


@dataclass(frozen=True)
class ClaimPage:
    total: int
    claims: list[dict[str, Any]]
    as_of: AsOf
    person_ids: list[str]  # the persons this page names (claimants), for the access log


def claims_of(wb: Workbench, actor: Actor, *, county: str, program: str, year: int,
              as_of: AsOf = NOW, limit: int = 50, offset: int = 0, unmask: bool = False,
              person_ref: Callable[[str], str] | None = None) -> ClaimPage:
    """The claims of one cell of the fund ledger (made in that county and programme in that
    year), each with its review, payments and recoveries; money as exact yuan strings.

    A person who claims is shown masked unless the actor may see them and asked;
    ``person_ref`` (a page's link maker) turns their ID number into a link that holds
    none, so the page can lead to them without showing it.
    """
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    views = wb.views(as_of)
    claims = views.claims
    cell = claims[(claims["county"] == county) & (claims["program"] == program)
                  & (claims["year"] == year)].sort_values(["occurred_at"], kind="stable")
    chosen = cell.iloc[offset:offset + limit]
    pay = views.payments
    pay = pay[pay["claim_id"].isin(chosen.index)].sort_values(["occurred_at", "payment_id"],
                                                               kind="stable")
    rec = views.rows("rm_recoveries")
    rec = rec[rec["payment_id"].isin(pay["payment_id"])].sort_values("occurred_at", kind="stable")
    items = views.claim_items
    items = items[items["claim_id"].isin(chosen.index)].groupby("claim_id").size()
    names = _names(views, chosen)
    out: list[dict[str, Any]] = []
    persons: list[str] = []
    for claim_id, c in chosen.iterrows():
        ctype, cid = str(c["claimant_type"]), str(c["claimant_id"])
        name = names.get((ctype, cid))
        shown_id = cid
        if ctype == "person":
            persons.append(cid)
            if not unmask:
                shown_id = mask_person_id(cid)
                name = mask_name(name) if name else name
        payments = []
        for p in pay[pay["claim_id"] == claim_id].itertuples():
            account = str(p.bank_account) if isinstance(p.bank_account, str) else None
            payments.append({
                "payment_id": p.payment_id, "paid_on": p.paid_on,
                "amount": yuan_str(int(p.amount_fen)), "late": bool(p.late),
                "county": p.county, "program": p.program,
                "bank_account": account if unmask or account is None else mask_account(account),
                "recoveries": [{"at": str(r.occurred_at)[:10],
                                "amount": yuan_str(int(r.amount_fen)),
                                "reason": r.reason if unmask else mask_text(r.reason)}
                               for r in rec[rec["payment_id"] == p.payment_id].itertuples()]})
        approved = c["approved_fen"]
        record = {
            "claim_id": claim_id, "claimed_at": str(c["occurred_at"])[:10], "kind": c["kind"],
            "class_id": None if pd.isna(c["class_id"]) else c["class_id"],
            "claimant_type": ctype, "claimant_id": shown_id, "claimant_name": name,
            "institution_id": cid if ctype == "institution" else None,
            "persons": int(items.get(claim_id, 0)),
            "claimed": yuan_str(int(c["amount_fen"])),
            "approved": None if pd.isna(approved) else yuan_str(int(approved)),
            "paid": yuan_str(int(c["paid_fen"])), "recovered": yuan_str(int(c["recovered_fen"])),
            "decision": None if pd.isna(c["decision"]) else c["decision"],
            "reviewed_at": None if pd.isna(c["reviewed_at"]) else str(c["reviewed_at"])[:10],
            "payments": payments}
        if person_ref is not None and ctype == "person":
            record["person_ref"] = person_ref(cid)
        out.append(record)
    return ClaimPage(len(cell), out, as_of, persons)


def _names(views: Any, claims: pd.DataFrame) -> dict[tuple[str, str], str]:
    """The name of each claimant of ``claims`` the read models know, by (type, id)."""
    frames = {"institution": views.institutions, "person": views.persons,
              "employer": views.employers}
    out: dict[tuple[str, str], str] = {}
    for ctype, cid in zip(claims["claimant_type"], claims["claimant_id"], strict=True):
        frame = frames.get(ctype)
        if frame is not None and cid in frame.index and "name" in frame.columns:
            name = frame.at[cid, "name"]
            if isinstance(name, str):
                out[(ctype, cid)] = name
    return out


def money_received(wb: Workbench, actor: Actor, institution_id: str, *,
                   as_of: AsOf = NOW) -> list[dict[str, Any]]:
    """What an institution claimed, was approved, paid and had recovered, per year of its
    claims (money as exact yuan strings; received = paid − recovered)."""
    actor.require(Permission.READ)
    claims = wb.views(as_of).claims
    mine = claims[(claims["claimant_type"] == "institution")
                  & (claims["claimant_id"] == institution_id)]
    out = []
    for year, g in mine.groupby("year", sort=True):
        paid, recovered = int(g["paid_fen"].sum()), int(g["recovered_fen"].sum())
        out.append({"year": int(year), "claims": len(g),
                    "claimed": yuan_str(int(g["amount_fen"].sum())),
                    "approved": yuan_str(int(g["approved_fen"].fillna(0).sum())),
                    "paid": yuan_str(paid), "recovered": yuan_str(recovered),
                    "received": yuan_str(paid - recovered),
                    "received_fen": paid - recovered})
    return out

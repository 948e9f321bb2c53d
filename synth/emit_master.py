"""Master data events: agencies, institutions, employers, people and the first budgets.

They open the file: agencies filed before 2023 at their filing time, then the
registers loaded at midnight on 1 January 2023, a couple of hundred records a second.
Agencies filed later, and budgets of later years, are planned as ``Misc`` events and
appear on their day.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from synth import occupations, policy, timeline
from synth.encoding import Ctx, Out, put
from synth.model import Agency, World

_LOAD_DAY = timeline.FIRST_DAY
_PER_SECOND = 200
_CHUNK = 20_000


def agency_data(world: World, agency: Agency) -> dict[str, Any]:
    """The AgencyRegistered data of an agency."""
    data: dict[str, Any] = {
        "agency_id": agency.aid, "name": agency.name, "county": world.counties[agency.county].code,
        "occupations": [occupations.CODES[o] for o in agency.occs], "filed": agency.filed,
    }
    if agency.linked >= 0:
        data["linked_institution_id"] = world.institutions[agency.linked].iid
    return data


def early_agencies(world: World) -> list[Agency]:
    """Agencies registered before the city's first day, in filing order."""
    early = [a for a in world.agencies if a.filed_day < _LOAD_DAY]
    return sorted(early, key=lambda a: (a.filed_day, a.filed_sec, a.no))


def plan_late_agencies(world: World) -> None:
    """Agencies filed during 2023-2024 are registered on their filing day."""
    for agency in world.agencies:
        if agency.filed_day >= _LOAD_DAY:
            world.add_misc(agency.filed_day, agency.filed_sec, "AgencyRegistered", "evaluation",
                           agency_data(world, agency), f"md-{agency.aid}")


def plan_later_budgets(world: World) -> None:
    """Budgets of 2024 and 2025 are allocated on the first office day of their year."""
    for (county, program, year), fen in world.budgets.items():
        if year == timeline.YEARS[0]:
            continue
        day = timeline.work_day_on_or_after(timeline.year_start(year))
        world.add_misc(day, 9 * 3600, "BudgetAllocated", "treasury",
                       budget_data(world, county, program, year, fen),
                       f"md-B{year}-{world.counties[county].code}-{program}")


def budget_data(world: World, county: int, program: str, year: int, fen: int) -> dict[str, Any]:
    """The BudgetAllocated data."""
    return {"county": world.counties[county].code, "program": program, "year": year,
            "amount": policy.yuan(fen)}


def master(ctx: Ctx) -> Iterator[Out]:
    """Every master event of the opening block in recording order, in chunks of lines."""
    world = ctx.world
    out: Out = []
    for agency in early_agencies(world):
        put(ctx, out, f"md-{agency.aid}", "AgencyRegistered", agency.filed_day, agency.filed_sec,
            "evaluation", agency_data(world, agency), lag=0)
    n = 0

    def load(event_id: str, etype: str, source: str, data: dict[str, Any]) -> None:
        nonlocal n
        sec = n // _PER_SECOND
        n += 1
        put(ctx, out, event_id, etype, _LOAD_DAY, sec, source, data, lag=0)

    for inst in world.institutions:
        load(f"md-{inst.iid}", "InstitutionRegistered", "registry", {
            "institution_id": inst.iid, "name": inst.name, "credit_code": inst.credit,
            "kind": inst.kind, "county": world.counties[inst.county].code,
            "licensed_occupations": [occupations.CODES[o] for o in inst.licensed],
            "venue_capacity": inst.venue_cap, "legal_rep_id": inst.legal_rep,
            "phone": inst.phone, "bank_account": inst.bank})
    for emp in world.employers:
        load(f"md-{emp.eid}", "EmployerRegistered", "registry", {
            "employer_id": emp.eid, "name": emp.name, "credit_code": emp.credit,
            "county": world.counties[emp.county].code, "legal_rep_id": emp.legal_rep,
            "phone": emp.phone, "bank_account": emp.bank})
    for p in world.persons:
        if len(out) >= _CHUNK:
            yield out
            out = []
        load(f"md-P{p.no + 1:07d}", "PersonRegistered", "realname", {
            "person_id": p.pid, "name": p.name, "gender": p.gender,
            "birth_date": timeline.iso(p.birth),
            "county": world.counties[p.county].code, "hukou": p.hukou, "category": p.category,
            "phone": p.phone, "bank_account": p.bank})
    first_year = timeline.YEARS[0]
    for (county, program, year), fen in world.budgets.items():
        if year == first_year:
            load(f"md-B{year}-{world.counties[county].code}-{program}", "BudgetAllocated",
                 "treasury", budget_data(world, county, program, year, fen))
    yield out


"""The search box: ids (persons, classes, institutions, claims, findings …) and names.

An id matches whole or by its start (four characters at least; a person's ID
number only whole for a role that sees it masked, so no one can read ID numbers
out digit by digit); institution,
agency and employer names match anywhere. Persons are found by name only by a
role that may see personal data, since a name that finds someone says that
they trained. Every term is a bound parameter and its ``%``/``_`` are matched
literally, so a search is never SQL.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.privacy import mask_name, mask_person_id
from projections.tables import metadata
from services.actor import Actor, Permission
from services.workbench import Workbench

MIN_PREFIX = 4
ID_SOURCES = (  # (kind, read model, its id column): what an id typed in the box may name
    ("person", "rm_person_versions", "person_id"), ("class", "rm_classes", "class_id"),
    ("institution", "rm_institution_versions", "institution_id"),
    ("claim", "rm_claims", "claim_id"), ("payment", "rm_payments", "payment_id"),
    ("voucher", "rm_vouchers", "voucher_id"), ("agency", "rm_agencies", "agency_id"),
    ("employer", "rm_employers", "employer_id"),
)


def _like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(wb: Workbench, actor: Actor, text: str, *, limit: int = 20, unmask: bool = False
           ) -> list[dict[str, Any]]:
    """What the words find, ids first, each as {kind, id, name}; masked unless unmasked."""
    actor.require(Permission.READ)
    unmask = actor.unmasked(unmask)
    term = " ".join("".join(c for c in text if c.isprintable()).split())[:100]
    if not term:
        return []
    views = wb.views()
    t = metadata.tables
    found: dict[tuple[str, str], str | None] = {}
    with views.engine.connect() as conn:
        for kind, table, key in ID_SOURCES:
            column = t[table].c[key]
            exact = len(term) < MIN_PREFIX or (
                kind == "person" and not actor.may(Permission.SEE_PERSONAL_DATA))
            q = sa.select(column).distinct().where(  # a masked role names a person in full
                column == term if exact else column.like(_like(term) + "%", escape="\\"))
            for (sid,) in conn.execute(q.order_by(column).limit(limit)):
                found.setdefault((kind, sid), None)
        findings = t["rm_findings"]
        if len(term) >= MIN_PREFIX:
            q = (sa.select(findings.c.finding_id, findings.c.title).distinct()
                 .where(findings.c.finding_id.like(_like(term) + "%", escape="\\"))
                 .limit(limit))
            for fid, title in conn.execute(q):
                found.setdefault(("finding", fid), title)
        named = [("institution", t["rm_institution_versions"], "institution_id"),
                 ("agency", t["rm_agencies"], "agency_id"),
                 ("employer", t["rm_employers"], "employer_id")]
        if actor.may(Permission.SEE_PERSONAL_DATA):
            named.append(("person", t["rm_person_versions"], "person_id"))
        for kind, table, key in named:
            q = (sa.select(table.c[key], table.c.name).distinct()
                 .where(table.c.name.like("%" + _like(term) + "%", escape="\\")).limit(limit))
            for sid, name in conn.execute(q):
                found[(kind, sid)] = name
        names = _names(conn, [sid for (k, sid) in found if k in ("institution", "person")])
    out = []
    for (kind, sid), name in list(found.items())[:limit]:
        name = name or names.get(sid)
        if kind == "person" and not unmask:
            sid, name = mask_person_id(sid), name and mask_name(name)
        out.append({"kind": kind, "id": sid, "name": name})
    return out


def _names(conn: sa.Connection, ids: list[str]) -> dict[str, str]:
    """The latest registered name of each institution and person among ``ids``."""
    out: dict[str, str] = {}
    t = metadata.tables
    for table, key in ((t["rm_institution_versions"], "institution_id"),
                       (t["rm_person_versions"], "person_id")):
        if not ids:
            break
        q = (sa.select(table.c[key], table.c.name).where(table.c[key].in_(ids[:500]))
             .order_by(table.c.position))
        for sid, name in conn.execute(q):
            if name:
                out[sid] = name
    return out

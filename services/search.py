"""The search box: ids (persons, classes, institutions, claims, findings …) and names.

An id matches whole or by its start (four characters at least); institution,
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
        subjects = t["rm_subjects"]
        ids = sa.select(subjects.c.subject_type, subjects.c.subject_id).distinct()
        ids = ids.where(subjects.c.subject_id == term) if len(term) < MIN_PREFIX else ids.where(
            subjects.c.subject_id.like(_like(term) + "%", escape="\\"))
        for kind, sid in conn.execute(ids.order_by(subjects.c.subject_id).limit(limit)):
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

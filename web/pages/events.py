"""Events shown on a page: the time with its offset, the type, and a readable summary.

An event's data is text from outside: the summary is a list of (label, parts), each
part a text and maybe a link, and the template escapes every word. Ids link to
their subject's page; a person only when its ID number is shown in full (a masked
one cannot be looked up), and then through ``person_href``, never by the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from services.reading import TimelineEntry
from web.pages.refs import person_href

ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")
PAGES = {"class_id": "/timelines/class/", "claim_id": "/timelines/claim/",
         "payment_id": "/timelines/payment/", "voucher_id": "/timelines/voucher/",
         "agency_id": "/timelines/agency/", "employer_id": "/timelines/employer/",
         "institution_id": "/institutions/", "linked_institution_id": "/institutions/",
         "finding_id": "/findings/"}
MAX_PARTS = 40


@dataclass(frozen=True)
class Part:
    text: str
    href: str | None = None


@dataclass(frozen=True)
class Shown:
    position: int
    type: str
    occurred_at: str
    recorded_at: str
    event_id: str
    summary: list[tuple[str, list[Part]]]


def link_of(request: Request, key: str, value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    if ID_NUMBER.match(value):  # an ID number in full (a masked one is not a link)
        return person_href(request, value)
    prefix = PAGES.get(key)
    return prefix + value if prefix else None


def parts_of(request: Request, key: str, value: Any) -> list[Part]:
    """A value as words, ids as links; lists and records one level deep."""
    if isinstance(value, dict):
        out: list[Part] = []
        for k, v in value.items():
            out.append(Part(f"{k}="))
            out += parts_of(request, k, v)
            out.append(Part("; "))
        return out[:-1] if out else out
    if isinstance(value, list):
        out = []
        for v in value[:MAX_PARTS]:
            out += parts_of(request, key, v)
            out.append(Part(" · "))
        if len(value) > MAX_PARTS:
            out.append(Part(f"… (+{len(value) - MAX_PARTS})"))
        return out[:-1] if out and out[-1].text == " · " else out
    text = "" if value is None else str(value)
    return [Part(text, link_of(request, key, value))]


def shown(request: Request, entry: TimelineEntry) -> Shown:
    summary = [(k, parts_of(request, k, v)) for k, v in entry.data.items()]
    return Shown(entry.position, entry.type, entry.occurred_at, entry.recorded_at,
                 entry.event_id, summary)

"""Personal data in full only for investigators and admins who ask; masked for the rest,
in every answer and download the API gives."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from engine.privacy import mask_person_id
from tests.web.city import EVIL_NAME
from tests.web.conftest import WebCity

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ACCOUNT = re.compile(r"6222\d{12}")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def answers(city: WebCity, role: str) -> dict[str, str]:
    """Each read a role can make that touches persons, and what it answered."""
    c = city.as_role(role)
    paths = {
        "findings": "/api/findings?include_dismissed=true&limit=500",
        "finding": f"/api/findings/{city.ghost_finding}",
        "cases": "/api/cases",
        "person": f"/api/persons/{city.ghost}",
        "person timeline": f"/api/timelines/person/{city.alive}",
        "class timeline": "/api/timelines/class/C1",
        "claim timeline": "/api/timelines/claim/CL1",
        "institution timeline": "/api/timelines/institution/I1",
        "search": f"/api/search?q={city.ghost[:8]}",
        "dispatch csv": "/api/plan/dispatch?format=csv&on=2023-06-01",
        "fund report": "/api/reports/funds?format=html",
        "findings csv": "/api/findings/export?format=csv&include_dismissed=true",
        "findings jsonl": "/api/findings/export?format=jsonl&include_dismissed=true",
        "credit": "/api/credit",
    }
    out = {}
    for what, path in paths.items():
        r = c.get(path)
        assert r.status_code == 200, (what, r.status_code, r.text)
        out[what] = r.text
    return out


def leaks(text: str, city: WebCity) -> list[str]:
    found = [m for m in ID_NUMBER.findall(text)] + PHONE.findall(text) + ACCOUNT.findall(text)
    found += [n for n in ("王伟", EVIL_NAME) if n in text]
    return found


@pytest.mark.parametrize("role", ["finance", "inspector"])
def test_masked_for_roles_that_may_not_see(city: WebCity, role: str) -> None:
    for what, text in answers(city, role).items():
        assert not leaks(text, city), (role, what, leaks(text, city))
    person = city.as_role(role).get(f"/api/persons/{city.ghost}").text
    assert mask_person_id(city.ghost) in person


@pytest.mark.parametrize("role", ["investigator", "admin"])
def test_masked_by_default_even_for_roles_that_may(city: WebCity, role: str) -> None:
    text = city.as_role(role).get(f"/api/persons/{city.ghost}").text
    assert city.ghost not in text and mask_person_id(city.ghost) in text


@pytest.mark.parametrize("role", ["investigator", "admin"])
def test_in_full_when_a_role_that_may_asks(city: WebCity, role: str) -> None:
    c = city.as_role(role)
    assert city.ghost in c.get(f"/api/persons/{city.ghost}?unmask=true").text
    assert city.ghost in c.get(f"/api/timelines/person/{city.ghost}?unmask=true").text
    listed = c.get("/api/findings", params={"unmask": True, "person": city.ghost}).json()
    assert listed["total"] >= 1 and city.ghost in str(listed["findings"])
    exported = c.get("/api/findings/export", params={"unmask": True, "format": "jsonl"})
    assert exported.headers["content-disposition"].startswith("attachment")
    assert city.ghost in exported.text


@pytest.mark.parametrize("role", ["finance", "inspector"])
def test_asking_without_the_right_is_refused_not_masked(city: WebCity, role: str) -> None:
    for path in (f"/api/persons/{city.ghost}", "/api/findings", "/api/cases",
                 f"/api/timelines/person/{city.ghost}", "/api/search?q=I1"):
        sep = "&" if "?" in path else "?"
        assert city.as_role(role).get(f"{path}{sep}unmask=true").status_code == 403, path


def test_a_masked_pack_holds_no_personal_data_and_an_unmasked_one_is_for_who_may(
        city: WebCity) -> None:
    inv = city.as_role("investigator")
    masked = inv.post("/api/evidence", json={"finding_id": city.ghost_finding}).json()
    z = zipfile.ZipFile(io.BytesIO(inv.get(f"/api/evidence/{masked['pack_id']}").content))
    for name in z.namelist():
        text = z.read(name).decode("utf-8")
        assert not leaks(text, city), (name, leaks(text, city))
    full = inv.post("/api/evidence", json={"finding_id": city.ghost_finding, "unmask": True})
    body = inv.get(f"/api/evidence/{full.json()['pack_id']}").content
    assert city.ghost.encode() in b"".join(
        zipfile.ZipFile(io.BytesIO(body)).read(n) for n in zipfile.ZipFile(io.BytesIO(body))
        .namelist())
    assert city.as_role("finance").get(f"/api/evidence/{full.json()['pack_id']}"
                                       ).status_code == 403

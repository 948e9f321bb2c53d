"""Filters, search and ids are data, never SQL or markup: hostile text finds nothing,
breaks nothing, and text from the events (a name, a complaint) leaves as data."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

import pytest

from tests.web.city import EVIL_NAME, EVIL_TEXT
from tests.web.conftest import NAMES, PASSWORD, WebCity

HOSTILE = [
    "' OR '1'='1", "1; DROP TABLE web_accounts; --", "\" OR \"\"=\"", "%", "_", "\\",
    "%' UNION SELECT name, password_hash FROM web_accounts --", "I1' --", "*", "..%2f..",
    "<script>alert(1)</script>", "离石区' OR 1=1 --", "\u0000", "ＩＤ", "a" * 200,
]
FILTERS = ["county", "institution", "person", "code"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_filters_find_nothing_and_fail_nothing(city: WebCity, value: str) -> None:
    c = city.as_role("investigator")
    for name in FILTERS:
        r = c.get("/api/findings", params={name: value})
        assert r.status_code in (200, 400, 422), (name, value, r.status_code, r.text)
        if r.status_code == 200:
            assert r.json()["total"] == 0, (name, value)
    r = c.get("/api/search", params={"q": value[:100]})
    assert r.status_code in (200, 400, 422), (value, r.status_code, r.text)
    if r.status_code == 200:
        assert r.json()["results"] == [], (value, r.json())
    r = city.as_role("admin").get("/api/access", params={"by": value, "subject_id": value})
    assert r.status_code in (200, 400, 422), (value, r.status_code, r.text)
    assert r.status_code != 200 or r.json()["total"] == 0


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_are_not_found(city: WebCity, value: str) -> None:
    c = city.as_role("investigator")
    for path in ("/api/persons/{}", "/api/timelines/person/{}", "/api/institutions/{}",
                 "/api/findings/{}", "/api/cases/{}", "/api/credit/{}"):
        r = c.get(path.format(quote(value, safe="")))
        assert r.status_code in (400, 404, 422), (path, value, r.status_code, r.text)


def test_a_nul_character_is_refused_before_it_reaches_the_store(city: WebCity) -> None:
    """PostgreSQL's text cannot hold one: refused as the user's error, never a 500."""
    c = city.as_role("investigator")
    assert c.get("/api/findings", params={"county": "a\x00b"}).status_code == 400
    assert c.get("/api/persons/a%00b").status_code == 400
    r = c.post(f"/api/cases/case-{city.overpaid}/notes", json={"text": "a\u0000b"})
    assert r.status_code == 422 and "NUL" in r.json()["error"]["message"]


def test_the_accounts_survive_and_a_wildcard_matches_only_itself(city: WebCity) -> None:
    assert city.login(NAMES["finance"], PASSWORD)[0].get("/api/auth/me").status_code == 200
    assert len(city.as_role("admin").get("/api/users").json()["accounts"]) >= 4
    everything = city.as_role("investigator").get("/api/search", params={"q": "I1"}).json()
    assert everything["results"], "the search finds what is there"


def test_text_from_the_events_leaves_as_data_never_markup(city: WebCity) -> None:
    c = city.as_role("investigator")
    r = c.get(f"/api/timelines/person/{city.ghost}", params={"unmask": True})
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["x-content-type-options"] == "nosniff"
    names = [e["data"].get("name") for e in r.json()["events"]]
    assert EVIL_NAME in names  # kept exactly, as a JSON string
    complaint = c.get("/api/timelines/institution/I1").json()["events"]
    assert any(e["data"].get("text", "").startswith("<img") for e in complaint)
    assert EVIL_TEXT not in c.get("/api/timelines/institution/I1").text  # its phone masked


def test_pages_run_no_inline_script(city: WebCity) -> None:
    r = city.anonymous().get("/")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split(
        "script-src")[1].split(";")[0]
    assert r.headers["x-frame-options"] == "DENY"


def test_an_evidence_page_shows_a_hostile_name_escaped(city: WebCity) -> None:
    inv = city.as_role("investigator")
    pack = inv.post("/api/evidence", json={"finding_id": city.ghost_finding, "unmask": True})
    z = zipfile.ZipFile(io.BytesIO(inv.get(f"/api/evidence/{pack.json()['pack_id']}").content))
    page = next(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith("summary.html"))
    assert "&lt;script&gt;" in page and "<script>" not in page

"""The chain page: the head, the last verification, verifying now (any reader)."""

from __future__ import annotations

import re

from tests.web.conftest import WebCity


def test_the_page_shows_the_head_and_the_events_by_type(city: WebCity) -> None:
    page = city.as_role("finance").get("/chain")
    assert page.status_code == 200
    assert re.search(r'<code class="hash">[0-9a-f]{64}</code>', page.text)
    assert "<td>PersonDeceased</td>" in page.text
    assert 'action="/chain/verify"' in page.text


def test_any_reader_verifies_and_sees_how_long_it_took(city: WebCity) -> None:
    client = city.as_role("inspector")
    r = client.post("/chain/verify", data={"csrf_token": city.csrf["inspector"]},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/chain?done=")
    page = client.get(r.headers["location"])
    assert re.search(r"已校验 \d+ 个事件,用时 [\d.]+ 秒", page.text)
    assert 'id="last-verification"' in page.text and "王督查" in page.text
    api = client.get("/api/chain").json()["last_verification"]
    assert api["ok"] and api["seconds"] >= 0


def test_verifying_without_the_token_is_refused(city: WebCity) -> None:
    client, _ = city.login("李财务")
    r = client.post("/chain/verify", data={}, follow_redirects=False)
    assert r.status_code == 403

"""The rules lab's page: the rules in force, a what-if's difference, adopting (admins)."""

from __future__ import annotations

import re

from tests.web.city import GHOST, OVERPAID
from tests.web.conftest import WebCity

CANDIDATE = f"""[rules.{OVERPAID}]
min_excess = "1000.00"
"""


def test_the_page_shows_the_rules_in_force_in_a_textarea(city: WebCity) -> None:
    page = city.as_role("finance").get("/rules-lab")
    assert page.status_code == 200
    assert 'id="rules-in-force"' in page.text and f"[rules.{GHOST}]" in page.text
    assert re.search(r'<textarea name="text" class="rules"[^>]*>[^<]*\[rules\.', page.text)
    assert 'enctype="multipart/form-data"' in page.text


def test_a_what_if_shows_counts_by_rule_and_the_findings_gone(city: WebCity) -> None:
    client = city.as_role("inspector")
    page = client.post("/rules-lab/what-if", data={"text": CANDIDATE, "as_of_day": "",
                                                   "csrf_token": city.csrf["inspector"]})
    assert page.status_code == 200, page.text
    assert 'id="what-if-result"' in page.text and 'id="by-rule"' in page.text
    row = re.search(r"<tr><td>" + OVERPAID + r"</td>(.*?)</tr>", page.text)
    assert row and re.findall(r'class="num">(\d+)<', row.group(1)) == ["1", "0", "0", "1", "0"]
    assert 'id="differences-gone"' in page.text
    assert f'href="/findings/{city.overpaid}"' in page.text  # the finding the run would drop
    assert 'id="adopt-form"' not in page.text  # an inspector may not adopt
    assert city.ghost not in page.text


def test_an_upload_wins_and_a_bad_file_is_an_error_page(city: WebCity) -> None:
    client = city.as_role("finance")
    page = client.post("/rules-lab/what-if", data={"text": "", "csrf_token": city.csrf["finance"]},
                       files={"file": ("mine.toml", CANDIDATE.encode(), "application/toml")})
    assert page.status_code == 200 and 'id="differences-gone"' in page.text
    bad = client.post("/rules-lab/what-if", data={"text": "[rules.NOPE]\nx = 1\n",
                                                  "csrf_token": city.csrf["finance"]})
    assert bad.status_code == 400 and "NOPE" in bad.text and "<html" in bad.text
    hostile = client.post("/rules-lab/what-if",
                          data={"text": '# </textarea><script>alert(1)</script>\n' + CANDIDATE,
                                "csrf_token": city.csrf["finance"]})
    assert hostile.status_code == 200 and "<script>alert(1)" not in hostile.text


def test_without_the_token_nothing_runs(city: WebCity) -> None:
    client, _ = city.login("李财务")
    r = client.post("/rules-lab/what-if", data={"text": CANDIDATE}, follow_redirects=False)
    assert r.status_code == 403


def test_an_admin_adopts_and_the_note_names_the_digest(city: WebCity) -> None:
    admin = city.as_role("admin")
    page = admin.post("/rules-lab/what-if", data={"text": CANDIDATE,
                                                  "csrf_token": city.csrf["admin"]})
    assert 'id="adopt-form"' in page.text and "data-confirm=" in page.text
    refused = city.as_role("investigator").post(
        "/rules-lab/adopt", data={"text": CANDIDATE, "csrf_token": city.csrf["investigator"]})
    assert refused.status_code == 403
    r = admin.post("/rules-lab/adopt", data={"text": CANDIDATE, "csrf_token": city.csrf["admin"]},
                   follow_redirects=False)
    assert r.status_code == 303
    digest = admin.get("/api/rules").json()["in_force"]["digest"]
    after = admin.get(r.headers["location"])
    assert digest in after.text and 'class="flash ok"' in after.text
    assert "赵管理" in after.text  # the adoption, by whom

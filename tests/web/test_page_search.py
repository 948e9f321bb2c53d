"""The search page: what each role finds, and links that hold no ID number for masked roles."""

from __future__ import annotations

import re

from tests.web.city import EVIL_NAME
from tests.web.conftest import WebCity


def test_finance_finds_a_person_by_full_id_and_its_link_holds_no_id(city: WebCity) -> None:
    page = city.as_role("finance").get("/search", params={"q": city.ghost})
    assert page.status_code == 200
    assert city.ghost not in page.text
    links = re.findall(r'href="(/persons/[^"]+)"', page.text)
    assert links and all(city.ghost not in link and "/persons/p~" in link for link in links)
    person = city.as_role("finance").get(links[0])
    assert person.status_code in (200, 404)  # the person page is its own module's to test


def test_finance_cannot_find_a_person_by_name(city: WebCity) -> None:
    page = city.as_role("finance").get("/search", params={"q": "alert"})
    assert city.ghost not in page.text and "script>alert" not in page.text


def test_an_investigator_finds_by_name_and_sees_it_escaped(city: WebCity) -> None:
    page = city.as_role("investigator").get("/search", params={"q": "alert", "unmask": "true"})
    assert page.status_code == 200
    assert EVIL_NAME not in page.text  # the name arrives as text, never as a script
    assert "&lt;script&gt;" in page.text
    assert city.ghost in page.text


def test_institutions_and_findings_lead_to_their_pages(city: WebCity) -> None:
    page = city.as_role("inspector").get("/search", params={"q": "I1"})
    assert 'href="/institutions/I1"' in page.text
    page = city.as_role("inspector").get("/search", params={"q": city.overpaid[:12]})
    assert f'href="/findings/{city.overpaid}"' in page.text


def test_a_search_term_is_text_not_sql(city: WebCity) -> None:
    for q in ("' OR 1=1 --", "%", "_", "I1%' UNION SELECT 1 --"):
        page = city.as_role("finance").get("/search", params={"q": q})
        assert page.status_code == 200 and city.ghost not in page.text


def test_the_header_box_posts_so_an_id_typed_stays_out_of_the_address(city: WebCity) -> None:
    client = city.as_role("finance")
    home = client.get("/")
    assert re.search(r'<form class="search" action="/search" method="post"', home.text)
    page = client.post("/search", data={"q": city.ghost, "csrf_token": city.csrf["finance"]})
    assert page.status_code == 200 and city.ghost not in page.text
    assert "/persons/p~" in page.text

"""The person page and the timelines: content, masking, links, escaping, access events."""

from __future__ import annotations

import re

from tests.web.city import EVIL_NAME
from tests.web.conftest import WebCity


def person_link(city: WebCity) -> str:
    page = city.as_role("finance").get("/search", params={"q": city.ghost})
    links = re.findall(r'href="(/persons/p~[^"]+)"', page.text)
    assert links
    return links[0]


def accesses(city: WebCity, **query: str) -> list[dict]:
    r = city.as_role("admin").get("/api/access", params={"limit": 500, **query})
    assert r.status_code == 200, r.text
    return r.json()["accesses"]


def test_finance_sees_the_person_masked_and_no_full_id_anywhere(city: WebCity) -> None:
    link = person_link(city)
    page = city.as_role("finance").get(link)
    assert page.status_code == 200, page.text
    assert city.ghost not in page.text and city.alive not in page.text
    assert 'id="show-in-full"' not in page.text
    assert "CL1" in page.text and 'href="/timelines/class/C1"' in page.text
    assert 'id="timeline"' in page.text and "PersonDeceased" in page.text
    assert city.ghost[:6] + "********" + city.ghost[-4:] in page.text
    assert EVIL_NAME not in page.text
    asked = city.as_role("finance").get(link + "?unmask=true")
    assert asked.status_code == 403 and city.ghost not in asked.text


def test_an_id_typed_in_the_address_goes_on_to_its_link(city: WebCity) -> None:
    r = city.as_role("inspector").get(f"/persons/{city.ghost}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/persons/p~")
    assert city.ghost not in r.headers["location"]
    page = city.as_role("inspector").get(r.headers["location"])
    assert page.status_code == 200 and city.ghost not in page.text


def test_an_investigator_shows_it_in_full_escaped_and_logged(city: WebCity) -> None:
    link = person_link(city)
    masked = city.as_role("investigator").get(link)
    assert city.ghost not in masked.text and 'id="show-in-full"' in masked.text
    page = city.as_role("investigator").get(link + "?unmask=true")
    assert city.ghost in page.text
    assert EVIL_NAME not in page.text and "&lt;script&gt;" in page.text
    # persons inside the events link by their p~ link, never by the number
    assert not re.search(r'href="[^"]*' + city.ghost, page.text)
    assert re.search(r'href="/persons/p~', page.text)
    seen = accesses(city, by="张调查", action="view.person")
    assert any(a["subject_id"] == city.ghost and a["unmasked"] for a in seen)


def test_an_unknown_person_is_a_404_page(city: WebCity) -> None:
    page = city.as_role("finance").get("/persons/p~aaaaaaaaaaaaaaaaaaaa")
    assert page.status_code == 404 and "<html" in page.text


def test_a_class_timeline_links_its_persons_only_when_shown_in_full(city: WebCity) -> None:
    page = city.as_role("finance").get("/timelines/class/C1")
    assert page.status_code == 200 and "ClassOpened" in page.text
    assert city.ghost not in page.text and "/persons/p~" not in page.text
    page = city.as_role("admin").get("/timelines/claim/CL1", params={"unmask": "true"})
    assert page.status_code == 200 and "/persons/p~" in page.text
    assert not re.search(r'href="[^"]*' + city.ghost, page.text)


def test_the_institution_timeline_escapes_a_complaint(city: WebCity) -> None:
    page = city.as_role("inspector").get("/timelines/institution/I1")
    assert page.status_code == 200 and "ComplaintReceived" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text
    assert "13912345678" not in page.text  # a phone in free text is masked


def test_a_person_timeline_is_sent_to_the_person_page(city: WebCity) -> None:
    r = city.as_role("finance").get(f"/timelines/person/{city.ghost}",
                                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/persons/p~")
    assert city.ghost not in r.headers["location"]


def test_an_unknown_kind_or_subject(city: WebCity) -> None:
    assert city.as_role("finance").get("/timelines/planet/X").status_code == 422
    assert city.as_role("finance").get("/timelines/class/NOPE").status_code == 404


def test_the_page_reads_as_of_the_day_its_form_names(city: WebCity) -> None:
    from datetime import datetime, timedelta, timezone

    link = person_link(city)
    client = city.as_role("finance")
    blank = client.get(link, params={"as_of_day": ""})  # the form's empty field: now
    assert blank.status_code == 200 and "PersonDeceased" in blank.text
    assert 'name="as_of_day"' in blank.text
    today = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
    assert "PersonDeceased" in client.get(link, params={"as_of_day": today}).text
    before = client.get(link, params={"as_of_day": "2000-01-01"})  # nothing recorded yet
    assert before.status_code == 404 and city.ghost not in before.text
    assert client.get(link, params={"as_of_day": "yesterday"}).status_code == 422
    klass = client.get("/timelines/class/C1", params={"as_of_day": ""})
    assert klass.status_code == 200 and 'name="as_of_day"' in klass.text
    inv = city.as_role("investigator").get(link, params={"as_of_day": today})
    assert f"unmask=true&amp;as_of_day={today}" in inv.text  # showing in full keeps the day

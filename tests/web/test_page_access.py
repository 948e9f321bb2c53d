"""The access log's page: admins only, filters, pages, the export link, escaping."""

from __future__ import annotations

import re

from tests.web.conftest import WebCity


def test_an_admin_reads_the_log_and_sees_who_saw_a_person_in_full(city: WebCity) -> None:
    inv = city.as_role("investigator")
    link = re.findall(r'href="(/persons/p~[^"]+)"',
                      inv.get("/search", params={"q": city.ghost}).text)[0]
    assert inv.get(link + "?unmask=true").status_code == 200
    page = city.as_role("admin").get("/access", params={"action": "view.person",
                                                         "by": "张调查"})
    assert page.status_code == 200
    assert 'id="access-log"' in page.text and city.ghost in page.text
    assert "/persons/p~" in page.text  # the page it was seen on


def test_filters_reach_the_export_link_and_pages_follow(city: WebCity) -> None:
    admin = city.as_role("admin")
    for _ in range(3):
        admin.get("/chain")
        city.as_role("finance").get("/access")  # refused, and logged as such
    page = admin.get("/access", params={"outcome": "refused", "limit": 2})
    assert page.status_code == 200 and "refused" in page.text
    assert 'id="next-page"' in page.text
    export = re.search(r'id="export-csv"', page.text) and re.search(
        r'href="(/api/access/export\?[^"]*)" id="export-csv"', page.text)
    assert export and "outcome=refused" in export.group(1)
    csv = admin.get(export.group(1).replace("&amp;", "&"))
    assert csv.status_code == 200 and "refused" in csv.text and ",ok," not in csv.text


def test_days_bound_the_log(city: WebCity) -> None:
    admin = city.as_role("admin")
    none = admin.get("/access", params={"as_of_day": "2001-01-01"})
    assert none.status_code == 200 and 'id="access-log"' not in none.text
    later = admin.get("/access", params={"since_day": "2999-01-01"})
    assert 'id="access-log"' not in later.text
    today = admin.get("/access", params={"since_day": "2020-01-01", "as_of_day": ""})
    assert 'id="access-log"' in today.text
    api = admin.get("/api/access", params={"since_day": "2999-01-01"}).json()
    assert api["total"] == 0


def test_other_roles_are_refused(city: WebCity) -> None:
    for role in ("investigator", "finance", "inspector"):
        page = city.as_role(role).get("/access")
        assert page.status_code == 403 and "<html" in page.text


def test_a_filter_is_text(city: WebCity) -> None:
    page = city.as_role("admin").get("/access", params={"by": '"><script>x</script>'})
    assert page.status_code == 200 and "<script>x" not in page.text

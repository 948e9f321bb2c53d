"""The investigator's pages: the findings queue, a finding, the cases and every case step.

Through the real app over HTTP, on the web tests' city: what each role sees (masked
for finance and inspectors), the filters, bulk assignment, every case step taken
through its form, refusals, CSRF, escaping of hostile text and the access events.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.city import EVIL_NAME
from tests.web.conftest import WebCity

MASKED = ("finance", "inspector")


def form(city: WebCity, role: str, **fields: Any) -> dict[str, Any]:
    return {"csrf_token": city.csrf[role], **fields}


def post(city: WebCity, role: str, path: str, files: Any = None, **fields: Any) -> Any:
    """A form posted as its browser posts it: the token in the form, not the header."""
    client = city.as_role(role)
    token = client.headers.pop("X-CSRF-Token")
    try:
        return client.post(path, data=form(city, role, **fields), files=files,
                           follow_redirects=False)
    finally:
        client.headers["X-CSRF-Token"] = token


def accesses(city: WebCity, action: str) -> list[dict[str, Any]]:
    """The access events of ``action`` stored so far, as the admin reads them."""
    r = city.as_role("admin").get("/api/access", params={"limit": 500, "action": action})
    assert r.status_code == 200, r.text
    return r.json()["accesses"]


# -- the queue ------------------------------------------------------------------------------


def test_the_queue_lists_every_finding_with_its_facts(city: WebCity) -> None:
    page = city.as_role("investigator").get("/queue")
    assert page.status_code == 200
    assert f'href="/findings/{city.overpaid}"' in page.text
    assert f'href="/findings/{city.ghost_finding}"' in page.text
    assert "FRAUD_PAY_OVER_APPROVED" in page.text and "500.00" in page.text
    assert 'class="badge critical"' in page.text and 'href="/institutions/I1"' in page.text
    assert "离石区" in page.text
    assert re.search(r'id="queue-total"><strong>2</strong>', page.text)
    assert 'data-select-all="finding_id"' in page.text and 'action="/queue/assign"' in page.text
    assert "/api/findings/export?" in page.text


@pytest.mark.parametrize("query,shown,hidden", [
    ({"severity": "critical"}, "ghost", "overpaid"),
    ({"severity": ["high", "medium"]}, "overpaid", "ghost"),
    ({"code": "FRAUD_PAY_OVER_APPROVED"}, "overpaid", "ghost"),
    ({"category": "subsidy_fraud", "sort": "amount", "order": "asc"}, "both", None),
    ({"detected_from": "2000-01-01", "detected_to": "2999-12-31", "county": "离石区"},
     "both", None),
    ({"institution": "I1", "new": "true", "include_dismissed": "true"}, "both", None),
])
def test_the_queue_filters(city: WebCity, query: dict[str, Any], shown: str,
                           hidden: str | None) -> None:
    blanks = {"category": "", "state": "", "code": "", "as_of_day": "", "order": ""}
    page = city.as_role("finance").get("/queue", params={**blanks, **query})
    assert page.status_code == 200, page.text
    ids = {"ghost": city.ghost_finding, "overpaid": city.overpaid}
    for name in (ids if shown == "both" else [shown]):
        assert f"/findings/{ids[name]}" in page.text, name
    if hidden:
        assert f"/findings/{ids[hidden]}" not in page.text
    export = re.search(r'href="(/api/findings/export\?[^"]*format=csv)"', page.text)
    assert export is not None
    csv = city.as_role("finance").get(export.group(1).replace("&amp;", "&"))
    assert csv.status_code == 200
    if hidden:
        assert ids[hidden] not in csv.text and ids[shown] in csv.text


def test_the_queue_as_of_a_day_before_detection_is_empty(city: WebCity) -> None:
    page = city.as_role("inspector").get("/queue", params={"as_of_day": "2000-01-01"})
    assert page.status_code == 200
    assert re.search(r'id="queue-total"><strong>0</strong>', page.text)


def test_a_malformed_filter_is_an_error_page_not_a_traceback(city: WebCity) -> None:
    for params in ({"severity": "apocalyptic"}, {"detected_from": "yesterday"},
                   {"sort": "name"}, {"offset": "x"}):
        page = city.as_role("finance").get("/queue", params=params)
        assert page.status_code == 400, (params, page.status_code)
        assert "Traceback" not in page.text and "<html" in page.text


def test_masked_roles_see_no_id_number_and_no_assign_form(city: WebCity) -> None:
    for role in MASKED:
        page = city.as_role(role).get("/queue", params={"include_dismissed": "true"})
        assert city.ghost not in page.text
        assert EVIL_NAME not in page.text
        assert 'action="/queue/assign"' not in page.text


def test_bulk_assignment_needs_an_investigator_and_the_token(city: WebCity) -> None:
    for role in ("finance", "inspector", "admin"):
        r = post(city, role, "/queue/assign", finding_id=[city.ghost_finding], assignee="x")
        assert r.status_code == 403, role
        assert "<html" in r.text
    no_token = city.anonymous()
    no_token.cookies = city.as_role("investigator").cookies
    r = no_token.post("/queue/assign", data={"finding_id": city.ghost_finding,
                                             "assignee": "x"}, follow_redirects=False)
    assert r.status_code == 403
    assert "/cases/case-" + city.ghost_finding not in city.as_role("investigator").get(
        "/queue").text


def test_bulk_assignment_opens_assigns_and_says_which_failed(city: WebCity) -> None:
    r = post(city, "investigator", "/queue/assign", assignee="王五",
             finding_id=[city.ghost_finding, "f" * 20], back="severity=critical&offset=0")
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith("/queue?severity=critical")
    page = city.as_role("investigator").get(target)
    assert "1 assigned" in page.text and "1 failed" in page.text and "f" * 20 in page.text
    assert f'href="/cases/case-{city.ghost_finding}"' in page.text
    case = city.as_role("investigator").get(f"/api/cases/case-{city.ghost_finding}")
    assert case.json()["assignee"] == "王五" and case.json()["state"] == "assigned"
    opened = [a for a in accesses(city, "case.open") if a["subject_id"] ==
              "case-" + city.ghost_finding]
    assigned = [a for a in accesses(city, "case.assign") if a["subject_id"] ==
                "case-" + city.ghost_finding]
    assert opened and assigned and assigned[0]["by"] == "张调查"


def test_bulk_assignment_with_nothing_ticked_says_so(city: WebCity) -> None:
    r = post(city, "investigator", "/queue/assign", assignee="王五")
    assert r.status_code == 303 and "failed=" in r.headers["location"]


# -- a finding ------------------------------------------------------------------------------


def test_a_finding_shows_its_explanation_evidence_and_links(city: WebCity) -> None:
    page = city.as_role("investigator").get(f"/findings/{city.ghost_finding}")
    assert page.status_code == 200
    text = page.text
    assert "FRAUD_GHOST_DECEASED" in text and "1000.00" in text
    assert 'href="/institutions/I1"' in text and "离石区" in text
    assert "TraineeEnrolled" in text and "AttendanceRecorded" in text
    assert re.search(r'href="/persons/p~[a-z2-7]+"', text)
    assert city.ghost not in text  # masked until asked, even for an investigator
    assert f'href="/findings/{city.overpaid}"' in text  # the same institution
    assert "/findings/" + city.ghost_finding + "/evidence" in text


def test_the_evidence_timeline_is_in_time_order(city: WebCity) -> None:
    page = city.as_role("finance").get(f"/findings/{city.ghost_finding}")
    table = page.text.split('id="evidence"')[1].split("</table>")[0]
    times = re.findall(r"<tr><td>(\d{4}-\d{2}-\d{2}T[^<]+)</td>", table)
    assert len(times) > 5 and times == sorted(times)


def test_masked_roles_see_no_id_number_and_no_forms(city: WebCity) -> None:
    for role in MASKED:
        page = city.as_role(role).get(f"/findings/{city.ghost_finding}")
        assert page.status_code == 200
        assert city.ghost not in page.text and EVIL_NAME not in page.text
        assert "/persons/p~" in page.text
        assert 'id="open-case"' not in page.text and 'id="build-pack"' not in page.text
        assert 'id="unmask"' not in page.text
        refused = city.as_role(role).get(f"/findings/{city.ghost_finding}",
                                         params={"unmask": "true"})
        assert refused.status_code == 403 and city.ghost not in refused.text


def test_an_investigator_sees_it_in_full_escaped_and_logged(city: WebCity) -> None:
    page = city.as_role("investigator").get(f"/findings/{city.ghost_finding}",
                                            params={"unmask": "true"})
    assert page.status_code == 200
    assert city.ghost in page.text
    assert EVIL_NAME not in page.text and "&lt;script&gt;" in page.text
    links = re.findall(r'href="([^"]+)"', page.text)
    assert all(city.ghost not in link for link in links)
    viewed = accesses(city, "view.finding")
    assert any(a["subject_id"] == city.ghost_finding and a["unmasked"] and
               a["by"] == "张调查" for a in viewed)


def test_a_missing_finding_is_a_404_page(city: WebCity) -> None:
    page = city.as_role("finance").get("/findings/" + "f" * 20)
    assert page.status_code == 404 and "<html" in page.text


def test_the_evidence_pack_is_built_from_the_page_and_downloads(city: WebCity) -> None:
    for role in MASKED:
        assert post(city, role, f"/findings/{city.overpaid}/evidence").status_code == 403
    r = post(city, "admin", f"/findings/{city.overpaid}/evidence")
    assert r.status_code == 303, r.text
    page = city.as_role("admin").get(r.headers["location"])
    link = re.search(r'href="(/api/evidence/[0-9a-f]{32})" id="pack-download"', page.text)
    assert link is not None, page.text
    pack = city.as_role("admin").get(link.group(1))
    assert pack.status_code == 200 and pack.content[:2] == b"PK"
    built = accesses(city, "evidence.build")
    assert any(a["subject_id"] == city.overpaid and a["by"] == "赵管理" for a in built)
    other = city.as_role("investigator").get(r.headers["location"].replace(
        city.overpaid, city.ghost_finding))
    assert 'id="pack-download"' not in other.text  # a pack is shown with its own finding

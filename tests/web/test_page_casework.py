"""The investigator's pages: the findings queue, a finding, the cases and every case step.

Through the real app over HTTP, on the web tests' city: what each role sees (masked
for finance and inspectors), the filters, bulk assignment, every case step taken
through its form, refusals, CSRF, escaping of hostile text and the access events.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest

from tests.web.city import EVIL_NAME, EVIL_TEXT
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
    case = city.as_role("investigator").get(f"/cases/case-{city.ghost_finding}")
    assert case.status_code == 200
    assert re.search(r'id="assignee">王五<', case.text) and "已分派" in case.text
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


# -- cases and every step -------------------------------------------------------------------

CASE_POSTS = ("assign", "confirm", "dismiss", "notes", "recover", "close")


def case_of(city: WebCity, finding: str, role: str = "investigator", **params: str) -> str:
    page = city.as_role(role).get(f"/cases/case-{finding}", params=params)
    assert page.status_code == 200, page.text
    return page.text


def test_no_role_but_investigators_takes_a_step(city: WebCity) -> None:
    case = f"/cases/case-{city.overpaid}"
    for role in ("finance", "inspector", "admin"):
        r = post(city, role, f"/findings/{city.overpaid}/case", reason="x")
        assert r.status_code == 403, role
        for step in CASE_POSTS:
            r = post(city, role, f"{case}/{step}", reason="x", assignee="x", text="x")
            assert r.status_code == 403, (role, step)
            assert "<html" in r.text and "Traceback" not in r.text


def test_a_step_without_the_token_is_refused(city: WebCity) -> None:
    client = city.anonymous()
    client.cookies = city.as_role("investigator").cookies
    r = client.post(f"/findings/{city.overpaid}/case", data={"reason": "x"},
                    follow_redirects=False)
    assert r.status_code == 403
    r = client.post(f"/findings/{city.overpaid}/case",
                    data={"reason": "x", "csrf_token": "wrong"}, follow_redirects=False)
    assert r.status_code == 403
    assert city.as_role("investigator").get(f"/api/cases/case-{city.overpaid}"
                                            ).status_code == 404


def test_every_step_through_its_form(city: WebCity) -> None:
    r = post(city, "investigator", f"/findings/{city.overpaid}/case")
    assert r.status_code == 303 and r.headers["location"].startswith(
        f"/cases/case-{city.overpaid}?done=")
    text = case_of(city, city.overpaid)
    assert 'id="step-assign"' in text and 'id="step-confirm"' not in text
    case = f"/cases/case-{city.overpaid}"
    assert post(city, "investigator", f"{case}/assign", assignee="钱七").status_code == 303
    text = case_of(city, city.overpaid)
    assert "钱七" in text and 'id="step-confirm"' in text and 'id="step-dismiss"' in text
    assert re.search(r'<form [^>]*id="step-dismiss" data-confirm="', text)

    r = post(city, "investigator", f"{case}/confirm", reason="  ")
    assert r.status_code == 303 and "failed=" in r.headers["location"]
    assert "reason" in city.as_role("investigator").get(r.headers["location"]).text
    r = post(city, "investigator", f"{case}/confirm", reason="多付500元属实")
    assert r.status_code == 303 and "done=" in r.headers["location"]

    r = post(city, "investigator", f"{case}/recover")  # the city recovered nothing
    assert r.status_code == 303 and "failed=" in r.headers["location"]
    r = post(city, "investigator", f"{case}/close", reason="已移交财务追缴")
    assert r.status_code == 303 and "done=" in r.headers["location"]
    text = case_of(city, city.overpaid)
    for words in ("立案", "分派", "认定违规", "结案", "多付500元属实", "已移交财务追缴",
                  "张调查", "调查员"):
        assert words in text, words
    assert 'id="step-close"' not in text and 'id="step-note"' in text
    for action in ("case.open", "case.assign", "case.confirm", "case.close"):
        assert any(a["subject_id"] == f"case-{city.overpaid}" and a["by"] == "张调查"
                   for a in accesses(city, action)), action


def test_a_note_with_a_file_keeps_it_by_its_hash(city: WebCity) -> None:
    body = "银行流水 ".encode() + city.ghost.encode()
    r = post(city, "investigator", f"/cases/case-{city.overpaid}/notes",
             files={"file": ("流水<b>.txt", body, "text/plain")},
             text=f"{EVIL_TEXT} {city.ghost}")
    assert r.status_code == 303 and "done=" in r.headers["location"], r.headers["location"]
    digest = hashlib.sha256(body).hexdigest()
    assert (city.files / "attachments" / digest).read_bytes() == body
    full = case_of(city, city.overpaid, unmask="true")
    assert digest in full and str(len(body)) in full and "流水&lt;b&gt;.txt" in full
    assert EVIL_TEXT not in full and "&lt;img src=x" in full
    link = f'href="/api/cases/case-{city.overpaid}/attachments/{digest}"'
    assert link in full
    got = city.as_role("investigator").get(f"/api/cases/case-{city.overpaid}/attachments/"
                                           f"{digest}")
    assert got.content == body
    for role in MASKED:
        text = case_of(city, city.overpaid, role)
        assert digest in text and link not in text
        assert city.ghost not in text and EVIL_TEXT not in text
    assert any(a["subject_id"] == f"case-{city.overpaid}" and a["unmasked"]
               for a in accesses(city, "view.case"))
    assert any(a["subject_id"] == digest for a in accesses(city, "case.upload"))


def test_a_note_without_a_file_from_a_browser_form(city: WebCity) -> None:
    r = post(city, "investigator", f"/cases/case-{city.overpaid}/notes",
             files={"file": ("", b"", "application/octet-stream")}, text="复核完毕")
    assert r.status_code == 303 and "done=" in r.headers["location"]
    assert "复核完毕" in case_of(city, city.overpaid)


def test_dismiss_needs_a_reason_and_a_dismissed_case_reopens(city: WebCity) -> None:
    case = f"/cases/case-{city.ghost_finding}"  # assigned by the bulk assignment above
    r = post(city, "investigator", f"{case}/dismiss", reason="")
    assert "failed=" in r.headers["location"]
    r = post(city, "investigator", f"{case}/dismiss", reason="死亡登记有误")
    assert "done=" in r.headers["location"]
    text = case_of(city, city.ghost_finding)
    assert 'id="step-reopen"' in text and "死亡登记有误" in text
    queue = city.as_role("finance").get("/queue")
    assert f"/findings/{city.ghost_finding}" not in queue.text  # dismissed leave the queue
    queue = city.as_role("finance").get("/queue", params={"include_dismissed": "true"})
    assert f"/findings/{city.ghost_finding}" in queue.text
    r = post(city, "investigator", f"/findings/{city.ghost_finding}/case", reason="复查")
    assert r.status_code == 303 and "done=" in r.headers["location"]


def test_the_case_list_filters_by_state(city: WebCity) -> None:
    page = city.as_role("inspector").get("/cases")
    assert page.status_code == 200
    assert f'href="/cases/case-{city.overpaid}"' in page.text
    assert f'href="/cases/case-{city.ghost_finding}"' in page.text
    closed = city.as_role("inspector").get("/cases", params={"state": "closed"})
    assert f'href="/cases/case-{city.overpaid}"' in closed.text
    assert f'href="/cases/case-{city.ghost_finding}"' not in closed.text
    assert city.ghost not in closed.text
    paged = city.as_role("inspector").get("/cases", params={"limit": 1, "offset": 1})
    assert paged.text.count('href="/cases/case-') == 1 and 'rel="prev"' in paged.text


def test_a_missing_case_is_a_404_page(city: WebCity) -> None:
    page = city.as_role("finance").get("/cases/case-" + "f" * 20)
    assert page.status_code == 404 and "<html" in page.text

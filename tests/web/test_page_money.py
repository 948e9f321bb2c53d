"""The finance officer's and the inspector's pages: funds and their drill-down, plan
completion, the credit list, the institution page and credit repair."""

from __future__ import annotations

import re
import time

import pytest

from tests.web.city import EVIL_NAME, EVIL_TEXT
from tests.web.conftest import ROLES, WebCity
from tests.web.money_city import PERSON_CELL, REPAIRABLE, add_money


def access_rows(city: WebCity, **where: str) -> list[dict[str, object]]:
    admin = city.as_role("admin")
    for _ in range(50):  # the access log is written in batches
        rows = admin.get("/api/access", params={"limit": 500}).json()["accesses"]
        hits = [r for r in rows if all(r.get(k) == v for k, v in where.items())]
        if hits:
            return hits
        time.sleep(0.05)
    return []


# -- the fund dashboard ------------------------------------------------------------------------

def test_the_dashboard_shows_each_cell_with_exact_money(city: WebCity) -> None:
    page = city.as_role("finance").get("/funds")
    assert page.status_code == 200
    ledger = page.text[page.text.index('id="ledger"'):]
    row = ledger[ledger.index("<td>离石区"):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    # allocated, claimed, approved, paid, recovered, remaining, paid late, late payments
    assert cells == ["1000000.00", "6000.00", "5000.00", "5500.00", "0.00", "994500.00",
                     "0.00", "0"]
    assert 'href="/funds/claims?county=%E7%A6%BB%E7%9F%B3%E5%8C%BA&amp;program=' \
           'employment_subsidy&amp;year=2023"' in page.text


def test_the_dashboard_draws_a_chart_and_the_same_numbers_as_a_table(city: WebCity) -> None:
    page = city.as_role("finance").get("/funds")
    svg = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    assert "<title>" in svg and "viewBox" in svg
    assert "离石区 · 下达: 1000000.00" in svg and "离石区 · 拨付: 5500.00" in svg
    assert re.search(r'<dd class="num" data-money="paid">5500.00</dd>', page.text)


def test_filters_narrow_the_ledger(city: WebCity) -> None:
    client = city.as_role("finance")
    none = client.get("/funds", params={"year": 2031})
    assert none.status_code == 200 and 'id="ledger"' not in none.text
    assert re.search(r'data-money="paid">0.00<', none.text)
    before = client.get("/funds", params={"as_of_day": "2023-04-20"})
    assert re.search(r'data-money="paid">4000.00<', before.text)  # P2b came in May
    assert "as_of_day=2023-04-20" in before.text  # the drill-down reads as of the same day
    blank = client.get("/funds", params={"county": "", "year": "", "as_of_day": ""})
    assert blank.status_code == 200  # the form sends its empty fields: "all", "now"
    assert re.search(r'data-money="paid">5500.00<', blank.text)
    assert client.get("/plan", params={"as_of_day": ""}).status_code == 200
    bad = client.get("/funds", params={"as_of_day": "not-a-day"})
    assert bad.status_code == 422 and "Traceback" not in bad.text


# -- the drill-down ----------------------------------------------------------------------------

CELL = {"county": "离石区", "program": "employment_subsidy", "year": 2023}


def test_the_drill_down_lists_claims_payments_and_links(city: WebCity) -> None:
    page = city.as_role("finance").get("/funds/claims", params=CELL)
    assert page.status_code == 200
    text = page.text
    assert 'href="/timelines/claim/CL1"' in text and 'href="/timelines/claim/CL2"' in text
    assert 'href="/institutions/I1"' in text and "I1 培训学校" in text
    cl2 = text[text.index("/timelines/claim/CL2"):]
    cl2 = cl2[:cl2.index("</tr>")]
    assert re.findall(r'<td class="num">([^<]*)</td>', cl2) == [
        "1", "4000.00", "3000.00", "3500.00", "0.00"]
    assert "partial" in cl2 and "P2a" in cl2 and "P2b" in cl2 and "2023-05-15" in cl2
    assert city.ghost not in text


def test_the_drill_down_pages(city: WebCity) -> None:
    client = city.as_role("finance")
    first = client.get("/funds/claims", params={**CELL, "limit": 1})
    assert "CL1" in first.text and "/timelines/claim/CL2" not in first.text
    assert "1–1 / 2" in first.text and "offset=1" in first.text
    second = client.get("/funds/claims", params={**CELL, "limit": 1, "offset": 1})
    assert "/timelines/claim/CL2" in second.text and "offset=0" in second.text


def test_the_api_twin_answers_the_same_cell(city: WebCity) -> None:
    got = city.as_role("finance").get("/api/funds/claims", params=CELL)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["total"] == 2
    cl2 = next(c for c in body["claims"] if c["claim_id"] == "CL2")
    assert (cl2["claimed"], cl2["approved"], cl2["paid"]) == ("4000.00", "3000.00", "3500.00")
    assert [p["payment_id"] for p in cl2["payments"]] == ["P2a", "P2b"]
    assert "ACC-I1" not in got.text  # bank accounts masked for finance
    assert city.ghost not in got.text
    assert city.as_role("finance").get("/api/funds/claims", params={**CELL, "unmask": "true"}
                                       ).status_code == 403


def test_an_investigator_may_unmask_the_drill_down_and_it_is_logged(city: WebCity) -> None:
    client = city.as_role("investigator")
    masked = client.get("/funds/claims", params=CELL)
    assert 'id="unmask"' in masked.text
    assert 'id="unmask"' not in city.as_role("finance").get("/funds/claims", params=CELL).text
    full = client.get("/funds/claims", params={**CELL, "unmask": "true"})
    assert full.status_code == 200
    refused = city.as_role("finance").get("/funds/claims", params={**CELL, "unmask": "true"})
    assert refused.status_code == 403 and city.ghost not in refused.text


@pytest.fixture(scope="module")
def money(city: WebCity) -> WebCity:
    """The city with a person who claims and an institution that may be repaired."""
    add_money(city.url, city.files.parent, city.ghost)
    return city


def test_a_person_who_claims_is_masked_and_linked_without_the_id(money: WebCity) -> None:
    city = money
    cell = PERSON_CELL
    page = city.as_role("finance").get("/funds/claims", params=cell)
    assert page.status_code == 200 and "CLP" in page.text
    assert city.ghost not in page.text
    assert city.ghost[:6] + "********" + city.ghost[-4:] in page.text
    link = re.search(r'href="(/persons/p~[^"]+)"', page.text)
    assert link and city.ghost not in link.group(1)
    api = city.as_role("finance").get("/api/funds/claims", params=cell).json()
    assert api["claims"][0]["claimant_id"] != city.ghost and city.ghost not in str(api)
    assert "<script>" not in page.text  # the name masked, and escaped all the same
    full = city.as_role("investigator").get("/funds/claims", params={**cell, "unmask": "true"})
    assert city.ghost in full.text
    assert EVIL_NAME not in full.text and "&lt;script&gt;alert" in full.text
    logged = access_rows(city, action="view.person", subject_id=city.ghost,
                         detail="GET /funds/claims")
    assert logged and logged[0]["by"] == "张调查" and logged[0]["unmasked"] is True


# -- credit and the institution page -----------------------------------------------------------

def test_the_credit_list_links_institutions_and_filters_by_grade(city: WebCity) -> None:
    client = city.as_role("inspector")
    page = client.get("/credit")
    assert page.status_code == 200
    assert 'href="/institutions/I1"' in page.text and "I1 培训学校" in page.text
    assert re.search(r'<td class="num">\d+</td>', page.text)
    grade = re.search(r'<span class="badge \w+">([ABCD]) ', page.text).group(1)  # type: ignore[union-attr]
    assert "/institutions/I1" in client.get("/credit", params={"grade": grade}).text
    other = "A" if grade != "A" else "D"
    assert "/institutions/I1" not in client.get("/credit", params={"grade": other}).text
    assert client.get("/credit", params={"grade": "Z"}).status_code == 422


def test_the_institution_page_shows_profile_chart_classes_findings_money(city: WebCity) -> None:
    page = city.as_role("finance").get("/institutions/I1")
    assert page.status_code == 200
    text = page.text
    assert "I1 培训学校" in text and "离石区" in text and "<dd>4-10-01-05</dd>" in text
    chart = text[text.index("<svg"):text.index("</svg>")]
    assert 'class="band"' in chart and 'class="point"' in chart
    assert 'href="/timelines/class/C1"' in text
    assert f'href="/findings/{city.overpaid}"' in text
    assert f'href="/findings/{city.ghost_finding}"' in text
    money = text[text.index('id="money-received"'):]
    money = money[:money.index("</tr>", money.index("<td>"))]
    row = re.findall(r'<td class="num">([^<]*)</td>', money)
    assert row == ["2", "6000.00", "5000.00", "5500.00", "0.00", "5500.00"]
    assert 'id="repair-form"' not in text
    assert city.ghost not in text and EVIL_TEXT not in text


def test_an_unknown_institution_is_a_404_page(city: WebCity) -> None:
    page = city.as_role("inspector").get("/institutions/NOPE")
    assert page.status_code == 404 and "<html" in page.text and "Traceback" not in page.text


@pytest.mark.parametrize("role", [r for r in ROLES if r != "inspector"])
def test_only_an_inspector_may_repair(city: WebCity, role: str) -> None:
    client = city.as_role(role)
    assert 'id="repair-form"' not in client.get("/institutions/I1").text
    r = client.post("/institutions/I1/repair", data={"note": "整改完成",
                                                     "csrf_token": city.csrf[role]},
                    follow_redirects=False)
    assert r.status_code == 403 and "<html" in r.text


def test_the_repair_form_needs_the_csrf_token(city: WebCity) -> None:
    client, _ = city.login("王督查")  # no token header: the form's field is all it has
    r = client.post("/institutions/I1/repair", data={"note": "整改完成"}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/institutions/I1/repair", data={"note": "整改完成", "csrf_token": "wrong"},
                    follow_redirects=False)
    assert r.status_code == 403


def test_an_inspector_repairs_through_the_form(money: WebCity) -> None:
    city = money
    client, csrf = city.login("王督查")
    here = f"/institutions/{REPAIRABLE}"
    page = client.get(here)
    assert 'id="repair-form"' in page.text and f'value="{csrf}"' in page.text
    assert re.search(r'<p id="current-grade"><span class="badge \w+">B ', page.text)
    note = '<b>整改</b> 已完成 13912345678'
    r = client.post(f"{here}/repair", data={"note": note, "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(f"{here}?done=")
    after = client.get(r.headers["location"])
    assert 'class="flash ok"' in after.text and "B → A" in after.text
    assert re.search(r'<p id="current-grade"><span class="badge \w+">A ', after.text)
    assert "<b>整改</b>" not in after.text and "&lt;b&gt;整改&lt;/b&gt;" in after.text
    assert "13912345678" not in after.text  # the note is masked as it is shown
    assert "王督查" in after.text[after.text.index('id="credit-history"'):]
    logged = access_rows(city, action="credit.repair", subject_id=REPAIRABLE)
    assert logged and logged[0]["by"] == "王督查"
    again = client.post(f"{here}/repair", data={"note": "再来", "csrf_token": csrf},
                        follow_redirects=False)
    assert again.status_code == 303 and "failed=" in again.headers["location"]
    assert 'class="flash bad"' in client.get(again.headers["location"]).text


def test_a_repair_too_soon_after_a_finding_says_when_it_may_be_tried(city: WebCity) -> None:
    r = city.as_role("inspector").post("/institutions/I1/repair", data={
        "note": "整改完成", "csrf_token": city.csrf["inspector"]}, follow_redirects=False)
    assert r.status_code == 303 and "failed=" in r.headers["location"]
    shown = city.as_role("inspector").get(r.headers["location"])
    assert 'class="flash bad"' in shown.text and "try again from" in shown.text


def test_a_repair_without_a_note_is_refused(city: WebCity) -> None:
    client = city.as_role("inspector")
    r = client.post("/institutions/I1/repair", data={"note": "", "csrf_token": city.csrf[
        "inspector"]}, follow_redirects=False)
    assert r.status_code in (303, 422)
    assert r.status_code != 303 or "failed=" in r.headers["location"]


# -- plan completion ---------------------------------------------------------------------------

def test_plan_completion_ranks_counties_and_draws_the_rates(city: WebCity) -> None:
    page = city.as_role("finance").get("/plan")
    assert page.status_code == 200
    row = page.text[page.text.index('<td class="num">1</td><td>离石区</td>'):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'<td class="num">(?:<strong>)?([^<]*)', row)
    # rank, trained 2/10 20 %, enterprise 0/0 —, certified 0/5 0 %, high-skill 0/1 0 %, overall
    assert cells == ["1", "2 / 10", "20.00", "0 / 0", "—", "0 / 5", "0.00", "0 / 1", "0.00",
                     "6.67"]
    svg = page.text[page.text.index("<svg"):page.text.index("</svg>")]
    assert 'height="40"' in svg  # 20 % of the 200 units a full plan stands for
    assert 'href="/api/plan/dispatch?format=xlsx"' in page.text
    download = city.as_role("finance").get("/api/plan/dispatch", params={"format": "xlsx"})
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_without_targets_the_plan_page_says_how_to_set_them(city: WebCity) -> None:
    settings = city.app.state.settings  # type: ignore[attr-defined]
    kept = settings.targets_path
    try:
        object.__setattr__(settings, "targets_path", None)
        page = city.as_role("finance").get("/plan")
    finally:
        object.__setattr__(settings, "targets_path", kept)
    assert page.status_code == 200 and 'id="no-targets"' in page.text
    assert "skillaudit serve --targets" in page.text

"""The finance officer's and the inspector's pages: funds and their drill-down, plan
completion, the credit list, the institution page and credit repair."""

from __future__ import annotations

import re
import time

from tests.web.conftest import WebCity


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

"""The finance officer's fund dashboard and its drill-down, and the inspector's credit
repair, in a real browser; a finance officer never sees a full ID number."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Server, shot
from tests.web.money_city import REPAIRABLE, add_money


@pytest.fixture(scope="module")
def money(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Server:
    """The server's city with a person who claims and an institution that may be repaired."""
    add_money(server.url, tmp_path_factory.mktemp("money"), server.ghost)
    return server


def test_a_finance_officer_drills_down_from_the_dashboard_to_payments(login, money: Server
                                                                       ) -> None:
    page = login("finance")
    page.click("nav.menu >> text=资金")
    page.wait_for_url("**/funds")
    assert page.locator("svg.chart title").first.text_content().startswith("各区县资金")
    assert page.locator("#fund-totals [data-money=paid]").inner_text() == "5500.00"
    assert money.ghost not in page.content()
    shot(page, "finance-funds")
    page.select_option("select[name=year]", "2023")
    page.click("#fund-filters button[type=submit]")
    page.wait_for_url("**/funds?*year=2023*")
    page.locator("#ledger tr", has_text="employment_subsidy").locator("a.drill").click()
    page.wait_for_url("**/funds/claims?*")
    claims = page.locator("#claims")
    assert claims.locator("a[href='/timelines/claim/CL2']").count() == 1
    assert "P2b" in claims.inner_text() and "3500.00" in claims.inner_text()
    assert money.ghost not in page.content()
    shot(page, "finance-claims")
    page.goto(money.base + "/funds")
    page.locator("#ledger tr", has_text="living_allowance").locator("a.drill").click()
    page.wait_for_url("**/funds/claims?*")
    assert "CLP" in page.locator("#claims").inner_text()
    assert money.ghost not in page.content()  # the claimant is masked, the link holds no ID
    assert money.ghost[-4:] in page.locator("#claims").inner_text()


def test_an_inspector_repairs_a_credit_grade(login, money: Server) -> None:
    page = login("inspector")
    page.click("nav.menu >> text=信用评价")
    page.wait_for_url("**/credit")
    page.click(f"#ratings a[href='/institutions/{REPAIRABLE}']")
    page.wait_for_url(f"**/institutions/{REPAIRABLE}")
    assert page.locator("#current-grade").inner_text().startswith("B")
    assert page.locator("svg.chart .band").count() == 4
    page.fill("#repair-form textarea[name=note]", "已退回违规资金并整改考勤管理")
    shot(page, "inspector-institution")
    page.on("dialog", lambda dialog: dialog.accept())  # the form asks before it is sent
    page.click("#repair-form button[type=submit]")
    page.wait_for_url(f"**/institutions/{REPAIRABLE}?done=*")
    assert "B → A" in page.locator(".flash.ok").inner_text()
    assert page.locator("#current-grade").inner_text().startswith("A")
    assert "已退回违规资金" in page.locator("#credit-history").inner_text()
    shot(page, "inspector-repaired")

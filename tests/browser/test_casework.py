"""The investigator's main task in a real browser: filter the queue, open a finding, open
a case and confirm it; a finance officer reads the same pages and never sees an ID number."""

from __future__ import annotations

import re

from tests.browser.conftest import Server, shot


def test_an_investigator_filters_opens_a_case_and_confirms_it(login, server: Server) -> None:
    page = login("investigator", language="en")
    page.click("nav.menu a[href='/queue']")
    page.wait_for_selector("#queue")
    shot(page, "investigator-queue-en")
    page.check("input[name=severity][value=high]")
    page.click("#apply-filters")
    page.wait_for_url(re.compile(r".*/queue\?.*severity=high.*"))
    rows = page.locator("#queue tbody tr")
    assert rows.count() == 1
    assert "FRAUD_PAY_OVER_APPROVED" in rows.first.inner_text()
    shot(page, "investigator-queue-filtered-en")
    rows.first.locator("a[href^='/findings/']").click()
    page.wait_for_selector("#explanation")
    assert "500.00" in page.locator("#explanation").inner_text()
    assert page.locator("#evidence tbody tr").count() >= 3
    shot(page, "investigator-finding-en")
    page.fill("#open-case input[name=reason]", "Paid 500.00 over the approved amount")
    page.click("#open-case button[type=submit]")
    page.wait_for_selector("#step-assign")
    assert "Case opened" in page.locator(".flash.ok").inner_text()
    page.fill("#step-assign input[name=assignee]", "张调查")
    page.click("#step-assign button[type=submit]")
    page.wait_for_selector("#step-confirm")
    page.fill("#step-confirm textarea[name=reason]", "Bank statement shows the second payment")
    page.click("#step-confirm button[type=submit]")
    page.wait_for_selector(".flash.ok")
    assert page.locator("#case-state").inner_text() == "Confirmed"
    history = page.locator("#history").inner_text()
    assert "Bank statement shows the second payment" in history and "investigator" in history
    shot(page, "investigator-case-confirmed-en")


def test_an_investigator_assigns_from_the_queue(login, server: Server) -> None:
    page = login("investigator")
    page.goto(server.base + "/queue?severity=critical")
    page.check("input[data-select-all=finding_id]")  # the script ticks every row
    assert page.locator("input[name=finding_id]:checked").count() == 1
    page.fill("#bulk-assign input[name=assignee]", "王五")
    page.click("#assign-selected")
    page.wait_for_selector(".flash.ok")
    assert "1 assigned" in page.locator(".flash.ok").inner_text()
    assert "severity=critical" in page.url
    shot(page, "investigator-queue-assigned-zh")


def test_a_finance_officer_never_sees_a_full_id_number(login, server: Server) -> None:
    page = login("finance")
    page.goto(server.base + "/queue?include_dismissed=true")
    page.wait_for_selector("#queue")
    assert server.ghost not in page.content()
    assert page.locator("#bulk-assign").count() == 0
    page.locator(f"a[href='/findings/{server.ghost_finding}']").first.click()
    page.wait_for_selector("#evidence")
    assert server.ghost not in page.content()
    assert page.locator("#open-case").count() == 0 and page.locator("#unmask").count() == 0
    for href in page.locator("a").evaluate_all("els => els.map(e => e.href)"):
        assert server.ghost not in href
    shot(page, "finance-finding-masked-zh")

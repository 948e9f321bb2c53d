"""Logging in and choosing the language, in a real browser."""

from __future__ import annotations

from tests.browser.conftest import Server, shot


def test_a_user_logs_in_through_the_form_and_switches_to_english(login, server: Server
                                                                  ) -> None:
    page = login("finance")
    assert page.locator(".who").inner_text().startswith("李财务")
    assert page.locator("nav.menu").inner_text().count("资金") == 1
    shot(page, "start-page-finance-zh")
    page.click("#switch-language")
    page.wait_for_load_state()
    assert "Funds" in page.locator("nav.menu").inner_text()
    assert page.locator("#logout").inner_text() == "Log out"
    page.click("#switch-language")  # back to Chinese for the other tests of this account
    page.wait_for_load_state()


def test_a_page_asked_for_without_login_shows_the_form_then_itself(chromium, server: Server
                                                                   ) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(server.base + "/search?q=I1")
    assert "/login" in page.url
    page.fill("input[name=name]", "王督查")
    page.fill("input[name=password]", "correct horse battery")
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/search?q=I1")
    assert page.locator("#search-results").count() == 1
    context.close()

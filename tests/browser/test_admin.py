"""An admin's tasks in a real browser: the access log, a what-if in the rules lab, a
spreadsheet import; and a finance officer's person page, which never shows an ID number."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import SHOTS, Server, shot
from tests.imports.sheets import write_xlsx
from tests.imports.test_formats import HEADER, TITLE, typed_rows
from tests.web.city import OVERPAID

CANDIDATE = f'[rules.{OVERPAID}]\nmin_excess = "1000.00"\n'


def view(page: object, name: str) -> Path:
    """What the window shows (for the guides), beside the whole page ``shot``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-view.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    shot(page, name)
    return path


def test_an_admin_reads_the_access_log(login, server: Server) -> None:
    other = login("investigator")  # an investigator looks at a person in full: logged
    other.fill("form.search input[name=q]", server.ghost)
    other.press("form.search input[name=q]", "Enter")
    other.locator("#search-results a[href^='/persons/p~']").first.click()
    other.click("#show-in-full")
    other.wait_for_selector("#timeline")
    assert server.ghost in other.content()
    page = login("admin", language="en")
    page.goto(server.base + "/access")
    assert "view.person" in page.locator("#access-log").inner_text()
    view(page, "admin-access-log")
    page.select_option("select[name=outcome]", "ok")
    page.fill("input[name=action]", "login")
    page.click("#access-filters button[type=submit]")
    page.wait_for_load_state()
    assert "action=login" in page.url
    assert page.locator("#access-log").inner_text().count("login") >= 1
    assert "/api/access/export?" in page.locator("#export-csv").get_attribute("href")


def test_an_admin_runs_a_what_if_in_the_rules_lab(login, server: Server) -> None:
    page = login("admin", language="en")
    page.goto(server.base + "/rules-lab")
    assert "[rules." in page.locator("textarea[name=text]").input_value()
    page.fill("textarea[name=text]", CANDIDATE)
    page.click("#run-what-if")
    page.wait_for_selector("#what-if-result")
    assert OVERPAID in page.locator("#by-rule").inner_text()
    assert page.locator("#differences-gone tbody tr").count() == 1
    assert page.locator("#adopt-form").count() == 1  # adopting is the admin's, not run here
    page.locator("#what-if-result").scroll_into_view_if_needed()
    view(page, "admin-rules-lab-what-if")


def test_an_admin_imports_a_spreadsheet(login, server: Server, tmp_path: Path) -> None:
    rows = [[*r[:1], "PXB01", *r[2:]] for r in typed_rows()]
    bad = [5, "PXB01", "141123199001021234", "李四", "签到", "人脸识别", "明天早上",
           "2023-03-02 08:00:30", ""]
    path = write_xlsx(tmp_path / "考勤.xlsx", [TITLE, HEADER, *rows, bad], sheet="考勤")
    page = login("admin", language="en")
    page.on("dialog", lambda d: d.accept())
    page.goto(server.base + "/imports")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("#kind", "attendance")
    page.click("#preview")
    page.wait_for_selector("#import-preview")
    assert page.locator("#preview-rows tbody tr").count() == 4
    assert page.locator("#preview-problems tbody tr").count() == 1
    view(page, "admin-imports-preview")
    page.click("#import")
    page.wait_for_selector("#import-result")
    assert page.locator("#stored").inner_text() == "4"
    assert page.locator("#quarantined").inner_text() == "1"
    view(page, "admin-imports-result")


def test_a_finance_officer_opens_a_person_and_never_sees_the_id(login, server: Server
                                                                  ) -> None:
    page = login("finance", language="en")
    page.fill("form.search input[name=q]", server.ghost)
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_selector("#search-results")
    assert server.ghost not in page.content()
    page.locator("#search-results a[href^='/persons/p~']").first.click()
    page.wait_for_selector("#timeline")
    assert "/persons/p~" in page.url and server.ghost not in page.url
    assert server.ghost not in page.content()
    assert page.locator("#show-in-full").count() == 0
    view(page, "finance-person-masked")


def test_an_admin_adds_an_account_and_sees_its_password_once(login, server: Server) -> None:
    page = login("admin", language="en")
    page.goto(server.base + "/users")
    page.fill("#add-account input[name=name]", "周出纳")
    page.select_option("#add-account select[name=role]", "finance")
    page.click("#add-account button[type=submit]")
    page.wait_for_selector("#password-once")
    password = page.locator("#new-password").inner_text()
    assert len(password) == 16
    view(page, "admin-accounts-password")
    page.goto(server.base + "/users")
    assert password not in page.content() and "周出纳" in page.content()

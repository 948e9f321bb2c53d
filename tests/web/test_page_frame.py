"""The pages' frame: the login form, the way to it, the language, errors as pages."""

from __future__ import annotations

import re

from tests.web.conftest import NAMES, PASSWORD, WebCity


def _login_form(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login")
    assert page.status_code == 200
    return re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)


def test_a_page_without_login_goes_to_the_login_form_and_back(city: WebCity) -> None:
    client = city.anonymous()
    r = client.get("/search?q=I1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fsearch%3Fq%3DI1"
    token = _login_form(client)
    r = client.post("/login", data={"name": NAMES["finance"], "password": PASSWORD,
                                    "login_token": token, "next": "/search?q=I1"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/search?q=I1"
    home = client.get("/")
    assert NAMES["finance"] in home.text and 'href="/funds"' in home.text
    assert 'href="/access"' not in home.text  # only admins read the access log


def test_the_login_form_refuses_a_post_from_elsewhere_and_a_wrong_password(
        city: WebCity) -> None:
    client = city.anonymous()
    forged = client.post("/login", data={"name": NAMES["finance"], "password": PASSWORD,
                                         "login_token": "made-up"}, follow_redirects=False)
    assert forged.status_code == 403 and "skillaudit_login" not in forged.cookies
    token = _login_form(client)
    wrong = client.post("/login", data={"name": NAMES["inspector"], "password": "nope",
                                        "login_token": token}, follow_redirects=False)
    assert wrong.status_code == 401 and "skillaudit_login" not in wrong.cookies
    assert 'role="alert"' in wrong.text


def test_after_login_it_goes_only_to_a_page_of_this_site(city: WebCity) -> None:
    client = city.anonymous()
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = _login_form(client)
        r = client.post("/login", data={"name": NAMES["finance"], "password": PASSWORD,
                                        "login_token": token, "next": target},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", target


def test_the_language_is_the_accounts_own(city: WebCity) -> None:
    client, csrf = city.login(NAMES["inspector"])
    assert "退出" in client.get("/").text
    r = client.post("/language", data={"language": "en", "next": "/", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "Log out" in client.get("/").text
    again, _ = city.login(NAMES["inspector"])  # a new login of the same account: still English
    assert "Log out" in again.get("/").text
    other = city.as_role("finance")
    assert "退出" in other.get("/").text
    client.post("/language", data={"language": "zh", "csrf_token": csrf})


def test_a_page_form_without_the_csrf_token_is_refused(city: WebCity) -> None:
    client, _ = city.login(NAMES["finance"])
    r = client.post("/language", data={"language": "en"}, follow_redirects=False)
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]


def test_logging_out_ends_the_login(city: WebCity) -> None:
    client, csrf = city.login(NAMES["finance"])
    r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/api/auth/me").status_code == 401


def test_a_missing_page_is_a_page_and_an_api_error_stays_json(city: WebCity) -> None:
    client = city.as_role("finance")
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "404" in page.text and "Traceback" not in page.text
    api = client.get("/api/no-such-route")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"

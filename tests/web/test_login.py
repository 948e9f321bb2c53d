"""Logging in: passwords, lockout, expiry, logout, CSRF on every change, the cookie's flags."""

from __future__ import annotations

import sqlalchemy as sa

from services.accounts_db import logins
from services.logins import forget_logins
from tests.web.conftest import NAMES, OPERATOR, PASSWORD, POLICY, WebCity


def test_a_login_says_who_and_what_the_role_may(city: WebCity) -> None:
    me = city.as_role("finance").get("/api/auth/me").json()
    assert (me["name"], me["role"]) == (NAMES["finance"], "finance")
    assert "see_personal_data" not in me["permissions"] and "read" in me["permissions"]
    assert me["csrf_token"] == city.csrf["finance"]


def test_no_login_is_401_and_a_wrong_password_says_no_more_than_an_unknown_name(
        city: WebCity) -> None:
    client = city.anonymous()
    assert client.get("/api/findings").status_code == 401
    wrong = client.post("/api/auth/login", json={"name": NAMES["inspector"], "password": "x"})
    unknown = client.post("/api/auth/login", json={"name": "nobody", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "skillaudit_login" not in client.cookies


def test_login_is_json_only(city: WebCity) -> None:
    """A form on another site cannot log a browser in (login CSRF)."""
    r = city.anonymous().post("/api/auth/login",
                              data={"name": NAMES["finance"], "password": PASSWORD})
    assert r.status_code in (415, 422)
    assert "skillaudit_login" not in r.cookies


def test_the_cookie_is_http_only_and_same_site_and_the_table_keeps_no_token(
        city: WebCity) -> None:
    r = city.anonymous().post("/api/auth/login",
                              json={"name": NAMES["finance"], "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    token = r.cookies["skillaudit_login"]
    engine = sa.create_engine(city.url)
    with engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(sa.select(logins))]
    engine.dispose()
    assert stored and not any(token in str(row) for row in stored)


def test_lockout_after_repeated_failures_refuses_even_the_right_password(city: WebCity) -> None:
    from services import accounts
    from services.workbench import Workbench

    wb = Workbench(city.url)
    accounts.add_account(wb, OPERATOR, "lock-me", "finance", PASSWORD)
    client = city.anonymous()
    for _ in range(POLICY.max_failures - 1):
        assert client.post("/api/auth/login", json={"name": "lock-me", "password": "nope"}
                           ).status_code == 401
    locked = client.post("/api/auth/login", json={"name": "lock-me", "password": "nope"})
    assert locked.status_code == 429 and "locked" in locked.json()["error"]["message"]
    right = client.post("/api/auth/login", json={"name": "lock-me", "password": PASSWORD})
    assert right.status_code == 429
    admin = city.as_role("admin")
    assert admin.get("/api/users").json()["accounts"][
        [a["name"] for a in admin.get("/api/users").json()["accounts"]].index("lock-me")
    ]["locked"] is True
    assert admin.post("/api/users/lock-me/reset", json={"password": PASSWORD}).status_code == 200
    assert client.post("/api/auth/login", json={"name": "lock-me", "password": PASSWORD}
                       ).status_code == 200
    wb.close(release=True)


def test_a_login_expires(city: WebCity) -> None:
    client, _ = city.login(NAMES["inspector"])
    assert client.get("/api/auth/me").status_code == 200
    engine = sa.create_engine(city.url)
    with engine.begin() as conn:  # time passes: the login's end is now behind us
        conn.execute(logins.update().where(logins.c.name == NAMES["inspector"])
                     .values(expires_us=1))
    engine.dispose()
    forget_logins()  # as the recheck second passing does: the server asks the database again
    assert client.get("/api/auth/me").status_code == 401
    assert city.as_role("inspector").get("/api/auth/me").status_code == 401
    fresh, csrf = city.login(NAMES["inspector"])  # the module's client logs in again
    fresh.headers["X-CSRF-Token"] = csrf
    city.clients["inspector"], city.csrf["inspector"] = fresh, csrf


def test_logout_and_disabling_end_a_login(city: WebCity) -> None:
    client, csrf = city.login(NAMES["finance"])
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.get("/api/auth/me").status_code == 401
    admin = city.as_role("admin")
    assert admin.post("/api/users", json={"name": "temp-finance", "role": "finance",
                                          "password": PASSWORD}).status_code == 200
    temp, _ = city.login("temp-finance")
    assert temp.get("/api/findings").status_code == 200
    assert admin.post("/api/users/temp-finance/disable").status_code == 200
    assert temp.get("/api/findings").status_code == 401
    again = city.anonymous().post("/api/auth/login",
                                  json={"name": "temp-finance", "password": PASSWORD})
    assert again.status_code == 401


def test_every_change_needs_the_logins_own_csrf_token(city: WebCity) -> None:
    client, csrf = city.login(NAMES["investigator"])
    body = {"finding_id": city.overpaid, "reason": "csrf"}
    assert client.post("/api/cases", json=body).status_code == 403
    assert client.post("/api/cases", json=body,
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    other = city.csrf["admin"]  # a real token, of another login
    assert client.post("/api/cases", json=body, headers={"X-CSRF-Token": other}
                       ).status_code == 403
    # a form field carries it too (pages' forms)
    assert client.post("/api/auth/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/api/auth/logout", data={"csrf_token": csrf}).status_code == 200


def test_each_account_chooses_its_language(city: WebCity) -> None:
    client, csrf = city.login(NAMES["inspector"])
    client.headers["X-CSRF-Token"] = csrf
    assert client.get("/api/auth/me").json()["language"] == "zh"
    assert client.post("/api/auth/language", json={"language": "en"}).json()["language"] == "en"
    again, _ = city.login(NAMES["inspector"])
    assert again.get("/api/auth/me").json()["language"] == "en"
    assert city.as_role("finance").get("/api/auth/me").json()["language"] == "zh"
    assert client.post("/api/auth/language", json={"language": "fr"}).status_code == 422


def test_changing_ones_password_ends_the_other_logins(city: WebCity) -> None:
    from services import accounts
    from services.workbench import Workbench

    wb = Workbench(city.url)
    accounts.add_account(wb, OPERATOR, "changer", "finance", PASSWORD)
    wb.close(release=True)
    here, csrf = city.login("changer")
    there, _ = city.login("changer")
    here.headers["X-CSRF-Token"] = csrf
    wrong = here.post("/api/auth/password", json={"current": "not it", "new": "x" * 12})
    assert wrong.status_code == 400
    short = here.post("/api/auth/password", json={"current": PASSWORD, "new": "short"})
    assert short.status_code == 422
    new = "a brand new passphrase"
    assert here.post("/api/auth/password", json={"current": PASSWORD, "new": new}
                     ).status_code == 200
    assert here.get("/api/auth/me").status_code == 200
    assert there.get("/api/auth/me").status_code == 401
    assert city.anonymous().post("/api/auth/login", json={"name": "changer",
                                                          "password": PASSWORD}
                                 ).status_code == 401
    assert city.login("changer", new)[0].get("/api/auth/me").status_code == 200

"""The accounts page: admins list, add (the password shown once), disable, enable, reset."""

from __future__ import annotations

import re

from tests.web.conftest import WebCity


def form(city: WebCity, **fields: str) -> dict[str, str]:
    return {"csrf_token": city.csrf["admin"], **fields}


def test_an_admin_adds_an_account_and_sees_its_password_once(city: WebCity) -> None:
    admin = city.as_role("admin")
    page = admin.post("/users", data=form(city, name="钱出纳", role="finance"))
    assert page.status_code == 200, page.text
    password = re.search(r'id="new-password">([^<]+)<', page.text).group(1)
    assert len(password) == 16
    client = city.anonymous()
    r = client.post("/api/auth/login", json={"name": "钱出纳", "password": password})
    assert r.status_code == 200
    listing = admin.get("/users")
    assert "钱出纳" in listing.text and password not in listing.text
    logged = admin.get("/api/access", params={"action": "account.add"}).json()["accesses"]
    assert any(a["subject_id"] == "钱出纳" for a in logged)


def test_disable_enable_and_reset(city: WebCity) -> None:
    admin = city.as_role("admin")
    admin.post("/users", data=form(city, name="孙督查", role="inspector"))
    r = admin.post("/users/孙督查/disable", data=form(city), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/users?done=")
    assert "已停用" in admin.get("/users").text
    r = admin.post("/users/孙督查/enable", data=form(city), follow_redirects=False)
    assert r.status_code == 303
    page = admin.post("/users/孙督查/reset", data=form(city))
    password = re.search(r'id="new-password">([^<]+)<', page.text).group(1)
    r = city.anonymous().post("/api/auth/login", json={"name": "孙督查", "password": password})
    assert r.status_code == 200
    assert admin.post("/users/nobody-here/disable", data=form(city)).status_code == 404


def test_a_hostile_name_is_text(city: WebCity) -> None:
    admin = city.as_role("admin")
    admin.post("/users", data=form(city, name="<i>x</i>", role="finance"))
    page = admin.get("/users")
    assert "<i>x</i>" not in page.text and "&lt;i&gt;x&lt;/i&gt;" in page.text


def test_others_are_refused_and_forms_need_the_token(city: WebCity) -> None:
    for role in ("investigator", "finance", "inspector"):
        assert city.as_role(role).get("/users").status_code == 403
        r = city.as_role(role).post("/users", data={"name": "x", "role": "admin",
                                                    "csrf_token": city.csrf[role]})
        assert r.status_code == 403
    client, _ = city.login("赵管理")
    assert client.post("/users", data={"name": "y", "role": "admin"}).status_code == 403

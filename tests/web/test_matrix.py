"""Every route × every role, and no login: each answers exactly as the matrix says.

The routes are read from the app itself, so a new route without a row here fails.
A role the matrix leaves out is refused with 403 before anything is looked up:
the same answer for an id that exists and one guessed, so a refusal tells nothing
about what is stored. Without a login every route of the API but logging in is 401,
and every page sends the browser to the login form (303 to ``/login``).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from fastapi.routing import APIRoute

from tests.web.conftest import NAMES, PASSWORD, ROLES, WebCity
from web.api import ROUTERS
from web.pages import ROUTERS as PAGE_ROUTERS

ALL = frozenset(ROLES)
INV = frozenset({"investigator"})
PACKS = frozenset({"investigator", "admin"})
ADMIN = frozenset({"admin"})
PUBLIC = "public"

MATRIX: dict[tuple[str, str], frozenset[str] | str] = {
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): ALL,
    ("GET", "/api/auth/me"): ALL,
    ("POST", "/api/auth/language"): ALL,
    ("POST", "/api/auth/password"): ALL,
    ("GET", "/api/findings"): ALL,
    ("GET", "/api/findings/{finding_id}"): ALL,
    ("GET", "/api/findings/export"): ALL,
    ("GET", "/api/cases"): ALL,
    ("GET", "/api/cases/{case_id}"): ALL,
    ("POST", "/api/cases"): INV,
    ("POST", "/api/cases/assign"): INV,
    ("POST", "/api/cases/{case_id}/assign"): INV,
    ("POST", "/api/cases/{case_id}/confirm"): INV,
    ("POST", "/api/cases/{case_id}/dismiss"): INV,
    ("POST", "/api/cases/{case_id}/notes"): INV,
    ("POST", "/api/cases/{case_id}/recover"): INV,
    ("POST", "/api/cases/{case_id}/close"): INV,
    ("POST", "/api/cases/attachments"): INV,
    ("GET", "/api/cases/{case_id}/attachments/{sha256}"): PACKS,
    ("GET", "/api/timelines/{kind}/{subject_id}"): ALL,
    ("GET", "/api/persons/{person_id}"): ALL,
    ("GET", "/api/institutions/{institution_id}"): ALL,
    ("GET", "/api/ledger"): ALL,
    ("GET", "/api/plan"): ALL,
    ("GET", "/api/plan/dispatch"): ALL,
    ("GET", "/api/reports/funds"): ALL,
    ("GET", "/api/credit"): ALL,
    ("GET", "/api/credit/{subject_id}"): ALL,
    ("GET", "/api/credit/{subject_id}/history"): ALL,
    ("POST", "/api/credit/{subject_id}/repair"): frozenset({"inspector"}),
    ("POST", "/api/evidence"): PACKS,
    ("GET", "/api/evidence/{pack_id}"): PACKS,
    ("GET", "/api/evidence/{pack_id}/verify"): PACKS,
    ("POST", "/api/evidence/verify"): ALL,
    ("GET", "/api/chain"): ALL,
    ("POST", "/api/chain/verify"): ALL,
    ("POST", "/api/imports/preview"): ADMIN,
    ("POST", "/api/imports"): ADMIN,
    ("GET", "/api/search"): ALL,
    ("GET", "/api/access"): ADMIN,
    ("GET", "/api/access/export"): ADMIN,
    ("GET", "/api/rules"): ALL,
    ("POST", "/api/rules/what-if"): ALL,
    ("POST", "/api/rules/adopt"): ADMIN,
    ("GET", "/api/users"): ADMIN,
    ("POST", "/api/users"): ADMIN,
    ("POST", "/api/users/{name}/disable"): ADMIN,
    ("POST", "/api/users/{name}/enable"): ADMIN,
    ("POST", "/api/users/{name}/reset"): ADMIN,
    # outside the API: the start page, its files, and the API's own description
    ("GET", "/"): PUBLIC,
    ("GET", "/api/openapi.json"): PUBLIC,
    ("GET", "/api/docs"): PUBLIC,
    # the pages
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): ALL,
    ("POST", "/language"): ALL,
    ("GET", "/search"): ALL,
    ("POST", "/search"): ALL,
    ("GET", "/queue"): ALL,
    ("POST", "/queue/assign"): INV,
    ("GET", "/findings/{finding_id}"): ALL,
    ("POST", "/findings/{finding_id}/case"): INV,
    ("POST", "/findings/{finding_id}/evidence"): PACKS,
    ("GET", "/cases"): ALL,
    ("GET", "/cases/{case_id}"): ALL,
    ("POST", "/cases/{case_id}/assign"): INV,
    ("POST", "/cases/{case_id}/confirm"): INV,
    ("POST", "/cases/{case_id}/dismiss"): INV,
    ("POST", "/cases/{case_id}/notes"): INV,
    ("POST", "/cases/{case_id}/recover"): INV,
    ("POST", "/cases/{case_id}/close"): INV,
    ("GET", "/api/funds/claims"): ALL,
    ("GET", "/funds"): ALL,
    ("GET", "/funds/claims"): ALL,
    ("GET", "/plan"): ALL,
    ("GET", "/credit"): ALL,
    ("GET", "/institutions/{institution_id}"): ALL,
    ("POST", "/institutions/{institution_id}/repair"): frozenset({"inspector"}),
    ("GET", "/persons/{ref}"): ALL,
    ("GET", "/timelines/{kind}/{subject_id}"): ALL,
    ("GET", "/chain"): ALL,
    ("POST", "/chain/verify"): ALL,
    ("GET", "/access"): ADMIN,
    ("GET", "/rules-lab"): ALL,
    ("POST", "/rules-lab/what-if"): ALL,
    ("POST", "/rules-lab/adopt"): ADMIN,
    ("GET", "/imports"): ADMIN,
    ("POST", "/imports/preview"): ADMIN,
    ("POST", "/imports/run"): ADMIN,
    ("GET", "/users"): ADMIN,
    ("POST", "/users"): ADMIN,
    ("POST", "/users/{name}/disable"): ADMIN,
    ("POST", "/users/{name}/enable"): ADMIN,
    ("POST", "/users/{name}/reset"): ADMIN,
}


def _walk(routers: list[Any]) -> list[APIRoute]:
    """Every route of the routers, those of routers included in them too."""
    out: list[APIRoute] = []
    for router in routers:
        for r in router.routes:
            if isinstance(r, APIRoute):
                out.append(r)
            elif getattr(r, "original_router", None) is not None:  # FastAPI's included router
                out.extend(_walk([r.original_router]))
    return out


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves (HEAD and the static mount aside)."""
    found = {(m, r.path) for r in _walk([*ROUTERS, *PAGE_ROUTERS]) for m in r.methods
             if m != "HEAD"}
    found |= {(m, r.path) for r in app.routes if hasattr(r, "methods") and r.methods
              for m in r.methods if m != "HEAD"}
    for path, item in app.openapi()["paths"].items():
        found |= {(m.upper(), path) for m in item}
    return found


def test_every_route_has_a_row_and_every_row_a_route(city: WebCity) -> None:
    routes = app_routes(city.app)
    assert len(routes) >= 40
    assert routes - set(MATRIX) == set(), "routes the matrix does not say who may call"
    assert set(MATRIX) - routes == set(), "rows of the matrix no route answers"


def _zip_of_nothing() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("pack/manifest.json", "{}")
    return buf.getvalue()


LINE = json.dumps({"event_id": "web-budget-1", "type": "BudgetAllocated",
                   "occurred_at": "2023-01-04T09:00:00+08:00", "source": "test",
                   "data": {"county": "离石区", "program": "employment_subsidy", "year": 2024,
                            "amount": "10.00"}}, ensure_ascii=False).encode() + b"\n"


@pytest.fixture(scope="module")
def objects(city: WebCity) -> dict[str, str]:
    """Real ids for every path parameter: an open case, a built pack, an account to change."""
    inv, admin = city.as_role("investigator"), city.as_role("admin")
    assert inv.post("/api/cases", json={"finding_id": city.overpaid}).status_code == 200
    pack = inv.post("/api/evidence", json={"finding_id": city.overpaid})
    assert pack.status_code == 200, pack.text
    assert admin.post("/api/users", json={"name": "matrix-target", "role": "finance",
                                          "password": "matrix-password"}).status_code == 200
    upload = inv.post("/api/cases/attachments",
                      files={"file": ("流水.txt", "银行流水".encode(), "text/plain")})
    assert upload.status_code == 200, upload.text
    noted = inv.post(f"/api/cases/case-{city.overpaid}/notes",
                     json={"text": "附银行流水", "attachments": [upload.json()]})
    assert noted.status_code == 200, noted.text
    return {"finding_id": city.overpaid, "case_id": "case-" + city.overpaid,
            "sha256": upload.json()["sha256"],
            "kind": "person", "subject_id_timeline": city.ghost, "person_id": city.ghost,
            "institution_id": "I1", "subject_id": "I1", "pack_id": pack.json()["pack_id"],
            "name": "matrix-target"}


GUESSES = {"sha256": "e" * 64, "finding_id": "f" * 20, "case_id": "case-" + "f" * 20,
           "person_id": "1" * 18, "institution_id": "NOPE", "subject_id": "NOPE",
           "pack_id": "0" * 32, "name": "nobody-here"}


def request_of(method: str, path: str, ids: dict[str, str], role: str) -> dict[str, Any]:
    """The arguments of a call that an allowed role may make successfully or fail on its
    merits (404, 409), never on its role."""
    filled = path
    for key in ("kind", "finding_id", "case_id", "person_id", "institution_id", "pack_id",
                "name", "sha256"):
        filled = filled.replace("{" + key + "}", ids.get(key, GUESSES.get(key, "x")))
    filled = filled.replace("{subject_id}", ids.get(
        "subject_id_timeline" if "timelines" in path else "subject_id", "NOPE"))
    kw: dict[str, Any] = {}
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/api/auth/login"): {"name": NAMES[role], "password": PASSWORD},
        ("POST", "/api/auth/language"): {"language": "zh"},
        ("POST", "/api/auth/password"): {"current": PASSWORD, "new": PASSWORD},
        ("POST", "/api/cases"): {"finding_id": ids.get("finding_id", "x"), "reason": "矩阵"},
        ("POST", "/api/cases/assign"): {"finding_ids": [ids.get("finding_id", "x")],
                                        "assignee": "王五"},
        ("POST", "/api/cases/{case_id}/assign"): {"assignee": "王五"},
        ("POST", "/api/cases/{case_id}/confirm"): {"reason": "矩阵"},
        ("POST", "/api/cases/{case_id}/dismiss"): {"reason": "矩阵"},
        ("POST", "/api/cases/{case_id}/notes"): {"text": "矩阵"},
        ("POST", "/api/cases/{case_id}/recover"): {},
        ("POST", "/api/cases/{case_id}/close"): {"reason": "矩阵"},
        ("POST", "/api/credit/{subject_id}/repair"): {"note": "整改完成"},
        ("POST", "/api/evidence"): {"finding_id": ids.get("finding_id", "x")},
        ("POST", "/api/users"): {"name": f"new-{role}", "role": "finance"},
        ("POST", "/api/users/{name}/reset"): {},
    }
    forms: dict[tuple[str, str], dict[str, str]] = {  # a page's form, as its browser posts it
        ("POST", "/login"): {"name": NAMES[role], "password": PASSWORD, "login_token": "x"},
        ("POST", "/language"): {"language": "zh"},
        ("POST", "/search"): {"q": "I1"},
        ("POST", "/queue/assign"): {"finding_id": ids.get("finding_id", "x"), "assignee": "王五"},
        ("POST", "/findings/{finding_id}/case"): {"reason": "矩阵"},
        ("POST", "/findings/{finding_id}/evidence"): {},
        ("POST", "/cases/{case_id}/assign"): {"assignee": "王五"},
        ("POST", "/cases/{case_id}/confirm"): {"reason": "矩阵"},
        ("POST", "/cases/{case_id}/dismiss"): {"reason": "矩阵"},
        ("POST", "/cases/{case_id}/notes"): {"text": "矩阵"},
        ("POST", "/cases/{case_id}/recover"): {},
        ("POST", "/cases/{case_id}/close"): {"reason": "矩阵"},
        ("POST", "/institutions/{institution_id}/repair"): {"note": "整改完成"},
        ("POST", "/chain/verify"): {},
        ("POST", "/rules-lab/what-if"): {"text": "[policy]\n", "as_of_day": ""},
        ("POST", "/rules-lab/adopt"): {"text": ""},  # refused on its merits: nothing adopted
        ("POST", "/imports/preview"): {"kind": "events"},  # no file: refused on its merits
        ("POST", "/imports/run"): {"sha256": "0" * 64, "kind": "events"},
        ("POST", "/users"): {"name": f"page-{role}", "role": "finance"},
    }
    if (method, path) in bodies:
        kw["json"] = bodies[(method, path)]
    if (method, path) in forms:
        kw["data"] = forms[(method, path)]
    if path == "/api/cases/attachments":
        kw["files"] = {"file": ("note.txt", b"attached", "text/plain")}
    if path == "/api/evidence/verify":
        kw["files"] = {"pack": ("pack.zip", _zip_of_nothing(), "application/zip")}
    if path.startswith("/api/imports"):
        kw["files"] = {"file": ("budget.jsonl", LINE, "application/x-ndjson")}
        kw["data"] = {"kind": "events"}
    if path in ("/api/search", "/search"):
        kw["params"] = {"q": "I1"}
    if path in ("/api/funds/claims", "/funds/claims"):
        kw["params"] = {"county": "离石区", "program": "employment_subsidy", "year": 2023}
    if path == "/api/plan/dispatch":
        kw["params"] = {"on": "2023-06-01"}
    if path == "/api/reports/funds":
        kw["params"] = {"format": "html"}
    return {"method": method, "url": filled, "follow_redirects": False, **kw}


def is_page(path: str) -> bool:
    return not path.startswith("/api/")


def answer_of(r: Any) -> Any:
    """What a refusal says; a page names its own address (the language form returns there),
    which is what was asked, not what is stored."""
    if r.headers.get("content-type", "").startswith("text/html"):
        return r.text.replace(r.request.url.path, "{path}")
    return r.json()


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_is_answered_as_the_matrix_says(city: WebCity, objects: dict[str, str],
                                                   route: tuple[str, str]) -> None:
    method, path = route
    allowed = MATRIX[route]
    if allowed == PUBLIC:
        visitor = city.anonymous()
        asked = request_of(method, path, objects, "finance")
        if (method, path) == ("POST", "/login"):  # the form's own token, as a browser has it
            form = visitor.get("/login").text
            asked["data"]["login_token"] = form.split('name="login_token" value="')[1
                                                      ].split('"')[0]
        r = visitor.request(**asked)
        assert r.status_code not in (401, 403, 500), (route, r.status_code, r.text)
        return
    assert isinstance(allowed, frozenset)
    anonymous = city.anonymous().request(**request_of(method, path, objects, "finance"))
    if is_page(path):
        assert anonymous.status_code == 303, (route, anonymous.status_code, anonymous.text)
        assert anonymous.headers["location"].startswith("/login?next="), route
    else:
        assert anonymous.status_code == 401, (route, anonymous.status_code, anonymous.text)
    for role in sorted(ROLES, key=lambda r: r in allowed):  # refusals first: nothing changes
        client = city.as_role(role)
        if path in ("/api/auth/logout", "/logout"):
            client, csrf = city.login(NAMES[role])
            client.headers["X-CSRF-Token"] = csrf
        r = client.request(**request_of(method, path, objects, role))
        if role in allowed:
            assert r.status_code not in (401, 403, 500), (route, role, r.status_code, r.text)
        else:
            assert r.status_code == 403, (route, role, r.status_code, r.text)
            asked = request_of(method, path, {}, role)
            guessed = client.request(**asked)
            assert guessed.status_code == 403, (route, role, "guessed", guessed.status_code)
            assert answer_of(guessed) == answer_of(r)

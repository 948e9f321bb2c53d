"""A running workbench on a real SQLite store with findings, and a logged-in client per role.

The store is built through the real ingest and detection; the app is the real
one, spoken to over HTTP through FastAPI's TestClient. Each role's client keeps
its own login cookie and sends its own CSRF token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services import accounts, detection, ingestion
from services.actor import Actor, Role
from services.logins import LoginPolicy
from services.workbench import Workbench
from tests.casework.city import write_jsonl
from tests.web.city import GHOST, OVERPAID, TARGETS, web_city
from web.app import create_app
from web.settings import Settings

OPERATOR = Actor("console", Role.OPERATOR)
ROLES = ("investigator", "finance", "inspector", "admin")
NAMES = {"investigator": "张调查", "finance": "李财务", "inspector": "王督查", "admin": "赵管理"}
PASSWORD = "correct horse battery"
POLICY = LoginPolicy(max_failures=3, lock_minutes=1, login_minutes=60)


@dataclass
class WebCity:
    url: str
    app: object
    ghost: str  # the dead trainee's ID number
    alive: str
    overpaid: str  # finding id
    ghost_finding: str
    files: Path
    clients: dict[str, TestClient] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)

    def anonymous(self) -> TestClient:
        return TestClient(self.app)  # type: ignore[arg-type]

    def login(self, name: str, password: str = PASSWORD) -> tuple[TestClient, str]:
        """A new client logged in as ``name``, and its CSRF token."""
        client = self.anonymous()
        r = client.post("/api/auth/login", json={"name": name, "password": password})
        assert r.status_code == 200, r.text
        return client, r.json()["csrf_token"]

    def as_role(self, role: str) -> TestClient:
        return self.clients[role]


def build_city(tmp: Path, url: str | None = None) -> tuple[str, str, str, str, str]:
    """The city stored at ``url`` (a SQLite file in ``tmp`` by default) with its findings
    and one account per role."""
    url = url or f"sqlite:///{tmp / 'city.db'}"
    events, ghost, alive = web_city()
    path = write_jsonl(events.events, tmp / "city.jsonl")
    wb = Workbench(url)
    ingestion.ingest_files(wb, OPERATOR, [str(path)])
    found = detection.detect(wb, OPERATOR).records
    by_code = {f["code"]: f["finding_id"] for f in found}
    for role in ROLES:
        accounts.add_account(wb, OPERATOR, NAMES[role], role, PASSWORD)
    wb.close(release=True)
    return url, ghost, alive, by_code[OVERPAID], by_code[GHOST]


def start(tmp: Path, url: str) -> object:
    (tmp / "targets.toml").write_text(TARGETS, encoding="utf-8")
    settings = Settings(url=url, targets_path=str(tmp / "targets.toml"), policy=POLICY,
                        files_dir=tmp / "files", access_flush_seconds=0.05)
    return create_app(url, settings=settings)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebCity]:
    """One city per test module; its app runs (lifespan and all) for the module's tests."""
    tmp = tmp_path_factory.mktemp("web")
    url, ghost, alive, overpaid, ghost_finding = build_city(tmp)
    app = start(tmp, url)
    with TestClient(app) as running:  # noqa: F841 (the app's lifespan spans the module)
        c = WebCity(url, app, ghost, alive, overpaid, ghost_finding, tmp / "files")
        for role in ROLES:
            client, csrf = c.login(NAMES[role])
            client.headers["X-CSRF-Token"] = csrf
            c.clients[role], c.csrf[role] = client, csrf
        yield c

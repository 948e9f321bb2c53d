"""The workbench from the command line: `skillaudit user …`, `skillaudit serve` on a real
port, and the demo's accounts logging in over HTTP."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.casework.conftest import Detected, detected_sqlite
from tests.e2e.conftest import Cli, cli_command, cli_env, json_of
from tests.servers import free_port

__all__ = ["detected_sqlite"]
pytestmark = pytest.mark.e2e
PASSWORD_LINE = re.compile(r"password 密码: (\S+)")


def test_user_add_list_disable_reset(cli: Cli, detected_sqlite: Detected) -> None:
    db = detected_sqlite.url
    added = cli("user", "add", "张三", "--role", "investigator", "--db", db)
    assert added.returncode == 0, added.stderr
    assert PASSWORD_LINE.search(added.stdout)
    again = cli("user", "add", "张三", "--role", "finance", "--db", db)
    assert again.returncode == 2 and "exists" in again.stderr
    typed = subprocess.run(cli_command("user", "add", "李四", "--role", "finance", "--db", db,
                                       "--password-stdin"), input="long enough secret\n",
                           env=cli_env(), capture_output=True, text=True, timeout=60)
    assert typed.returncode == 0 and "password" not in typed.stdout, typed.stdout
    listed = {a["name"]: a for a in json_of(cli("user", "list", "--db", db, "--json"))}
    assert listed["张三"]["role"] == "investigator" and listed["李四"]["role"] == "finance"
    assert "password_hash" not in json.dumps(listed)
    assert cli("user", "disable", "李四", "--db", db).returncode == 0
    listed = {a["name"]: a for a in json_of(cli("user", "list", "--db", db, "--json"))}
    assert listed["李四"]["disabled"] and not listed["张三"]["disabled"]
    reset = cli("user", "reset", "李四", "--db", db)
    assert reset.returncode == 0 and PASSWORD_LINE.search(reset.stdout)
    assert cli("user", "reset", "nobody", "--db", db).returncode == 1
    refused = cli("--role", "investigator", "user", "add", "王五", "--role", "admin",
                  "--db", db)
    assert refused.returncode == 3 and "manage accounts" in refused.stderr


@contextmanager
def serving(db: str, cwd: Path, *more: str) -> Iterator[str]:
    """``skillaudit serve`` on a free loopback port, stopped afterwards; its address."""
    port = free_port()
    proc = subprocess.Popen(cli_command("serve", "--db", db, "--port", str(port), *more),
                            cwd=cwd,
                            env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/api/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out, err = proc.communicate(timeout=5)
                    pytest.fail(f"serve did not start: {out}\n{err}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_two_worker_processes_share_logins_and_the_access_log(
        cli: Cli, detected_sqlite: Detected, tmp_path: Path) -> None:
    db = detected_sqlite.url
    added = cli("user", "add", "审计员", "--role", "investigator", "--db", db)
    password = PASSWORD_LINE.search(added.stdout).group(1)  # type: ignore[union-attr]
    admin = cli("user", "add", "管理员", "--role", "admin", "--db", db)
    admin_password = PASSWORD_LINE.search(admin.stdout).group(1)  # type: ignore[union-attr]
    with serving(db, tmp_path, "--workers", "2", "--files", str(tmp_path / "files")) as base:
        with httpx.Client(base_url=base) as client:
            assert client.post("/api/auth/login", json={"name": "审计员", "password": password}
                               ).status_code == 200
            for _ in range(12):  # served by either process: the login is the database's
                r = client.get(f"/api/persons/{detected_sqlite.ghost_person}",
                               params={"unmask": True})
                assert r.status_code == 200, r.text
        with httpx.Client(base_url=base) as client:
            client.post("/api/auth/login", json={"name": "管理员", "password": admin_password})
            deadline = time.monotonic() + 10
            while True:  # each process stores its notes within half a second
                seen = client.get("/api/access", params={"action": "view.person"}).json()
                if seen["total"] == 12 or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            assert seen["total"] == 12


def test_serve_refuses_a_store_that_is_not_there(cli: Cli, tmp_path: Path) -> None:
    r = cli("serve", "--db", f"sqlite:///{tmp_path / 'missing.db'}", "--port", "9")
    assert r.returncode != 0 and "no store" in r.stderr
    assert not (tmp_path / "missing.db").exists()

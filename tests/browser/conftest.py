"""A real workbench server and Debian's headless Chromium, driven by Playwright.

The server is ``skillaudit serve`` in a child process on a free loopback port,
on the web tests' city (real ingest and detection, one account per role). Each
test gets a fresh browser context (its own cookies) logged in through the login
form, as a person would. Screenshots are saved as artefacts in
``$SKILLAUDIT_SCREENSHOTS`` (default ``build/screenshots``). Without Chromium
the tests are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import free_port, stop
from tests.web.city import TARGETS
from tests.web.conftest import NAMES, PASSWORD, build_city

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SKILLAUDIT_SCREENSHOTS", ROOT / "build" / "screenshots"))



def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need {why} under CI")
    pytest.skip(why)


@dataclass
class Server:
    base: str
    url: str  # the store
    ghost: str  # the dead trainee's ID number
    alive: str
    overpaid: str  # a finding id
    ghost_finding: str
    files: Path


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("browser")
    url, ghost, alive, overpaid, ghost_finding = build_city(tmp)
    (tmp / "targets.toml").write_text(TARGETS, encoding="utf-8")
    port = free_port()
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillaudit", "serve", "--db", url, "--port", str(port),
         "--files", str(tmp / "files"), "--targets", str(tmp / "targets.toml")],
        cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=log,
        stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
    if proc.poll() is not None:
        pytest.fail("the workbench did not start: "
                    + (tmp / "server.log").read_text(errors="replace")[-2000:])
    try:
        yield Server(base, url, ghost, alive, overpaid, ghost_finding, tmp / "files")
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"the playwright package (pip install -e '.[test]'): {exc}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True,
                                    args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def login(server: Server, chromium: object, request: pytest.FixtureRequest
          ) -> Iterator[Callable[..., object]]:
    """``login(role)``: a new page logged in as that role's account through the form
    (``language="en"`` switches it to English). Failing tests leave a screenshot too."""
    contexts: list[object] = []
    pages: list[object] = []

    def open_as(role: str, language: str | None = None) -> object:
        context = chromium.new_context(viewport={"width": 1360, "height": 900},  # type: ignore[attr-defined]
                                       locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        page.goto(server.base + "/login")
        page.fill("input[name=name]", NAMES[role])
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(server.base + "/")
        want = language or "zh"
        if (want == "en") != (page.locator("#switch-language").inner_text() == "中文"):
            page.click("#switch-language")
            page.wait_for_load_state()
        return page

    yield open_as
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for i, page in enumerate(pages):
            shot(page, f"FAILED-{request.node.name}-{i}")
    for context in contexts:
        context.close()  # type: ignore[attr-defined]


def shot(page: object, name: str) -> Path:
    """Save the whole page as ``name``.png among the artefacts."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]

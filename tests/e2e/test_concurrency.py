"""Two ingest processes writing one store at once still form one chain with every event once."""

from __future__ import annotations

import itertools
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from engine.store.factory import open_store
from tests.e2e.conftest import cli_command, cli_env, json_of
from tests.e2e.procs import count_events, id_stats, kill_group
from tests.lines import write_fast_jsonl

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIZES = {"left": 200_000, "right": 100_000}


def _start(path: Path, url: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(cli_command("ingest", str(path), "--db", url, "--json"),
                            cwd=cwd, env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _finish(procs: dict[str, subprocess.Popen[str]]) -> dict[str, Any]:
    outputs = {}
    try:
        for name, p in procs.items():
            out, err = p.communicate(timeout=600)
            assert p.returncode == 0, f"{name} ingest failed:\n{err}"
            outputs[name] = json_of(subprocess.CompletedProcess(p.args, 0, out, err))
    finally:
        for p in procs.values():
            if p.poll() is None:
                kill_group(p)
    return outputs


def _check_one_chain(url: str, outputs: dict[str, Any], *, interleaved: bool) -> None:
    total = sum(SIZES.values())
    for name, o in outputs.items():
        assert (o["stored"], o["duplicates"], o["quarantined"]) == (SIZES[name], 0, 0), name
    assert id_stats(url) == (total, total)
    s = open_store(url)
    try:
        result = s.verify()
        assert result.ok, result.problem
        assert result.checked == total == s.head().seq
        order = [r.event_id.split("-")[0] for batch in s.iter_rows() for r in batch]
    finally:
        s.close()
    switches = sum(1 for a, b in itertools.pairwise(order) if a != b)
    assert switches >= 2 or not interleaved, (
        f"the two ingests did not interleave ({switches} switch): the test did not exercise "
        "concurrent writers")


def _files(tmp_path: Path) -> dict[str, Path]:
    files = {name: tmp_path / f"{name}.jsonl" for name in SIZES}
    for name, path in files.items():
        write_fast_jsonl(path, SIZES[name], name)
    return files


def test_second_ingest_joins_a_running_one(store_url: str, tmp_path: Path) -> None:
    """The second process starts while the first is writing (its store is open).

    Their batches must interleave on PostgreSQL, whose table lock queues writers
    fairly; SQLite's lock is not fair (a writer that commits and re-locks at once can
    keep it to the end), so there only the outcome is required: every event once,
    one valid chain.
    """
    files = _files(tmp_path)
    procs = {"left": _start(files["left"], store_url, tmp_path)}
    deadline = time.monotonic() + 60
    while count_events(store_url) == 0 and procs["left"].poll() is None:
        assert time.monotonic() < deadline, "the first ingest stored nothing within 60 s"
        time.sleep(0.01)
    procs["right"] = _start(files["right"], store_url, tmp_path)
    _check_one_chain(store_url, _finish(procs),
                     interleaved=store_url.startswith("postgresql"))


def test_simultaneous_ingests(store_url: str, tmp_path: Path) -> None:
    """Both started at once on a new store (both create its tables). SQLite's lock is not
    fair: a writer that commits and re-locks at once may keep it until done, so
    interleaving is not required here."""
    files = _files(tmp_path)
    procs = {name: _start(path, store_url, tmp_path) for name, path in files.items()}
    _check_one_chain(store_url, _finish(procs), interleaved=False)

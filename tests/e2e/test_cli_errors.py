"""Mistakes a user makes and inputs real exports contain, through the installed CLI.

Every case runs ``python -m skillaudit`` as a user would and checks the exit
code, that the message is one line saying what is wrong and what to do, that
no Python traceback reaches the user, and what was stored or quarantined.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli, cli_command, cli_env, json_of
from tests.e2e.procs import count_events, kill_group
from tests.lines import dumps, valid_event, valid_lines, write_fast_jsonl, write_jsonl
from tests.projections import scenario


def one_line_error(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """The process failed with ``code`` and said so in one line, with no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    path = tmp_path / "events.jsonl"
    write_jsonl(path, 5, prefix="ok")
    return path


@pytest.mark.parametrize("args, words", [
    (["findings", "--format", "xlsx"], ["--out"]),
    (["detect", "--format", "xlsx"], ["--out"]),
    (["findings", "--format", "csv", "--out", "no-such-folder/f.csv"], ["does not exist"]),
    (["quarantine", "retry", "--corrections", "missing.jsonl"], ["does not exist"]),
    (["quarantine", "export", "--out", "no-such-folder/q.jsonl"], ["does not exist"]),
    (["generate", "--persons", "-5", "--out", "city.jsonl"], ["-5", "1 or more"]),
    (["generate", "--persons", "many", "--out", "city.jsonl"], ["not a whole number"]),
    (["plan", "--targets", "missing.toml"], ["does not exist"]),
    (["detect", "--rules", "missing.toml"], ["does not exist"]),
    (["timeline", "person", "X", "--as-of", "yesterday"], ["as-of"]),
    (["project", "--jobs", "0"], ["1 or more"]),
    (["stats", "--db", "sqlite:///"], ["names no file"]),
])
def test_argument_mistakes_say_what_to_do_in_one_line(cli: Cli, tmp_path: Path, args: list[str],
                                                      words: list[str]) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'store.db'}"] if "--db" not in args else []
    one_line_error(cli(*args, *db), 2, "error", *words)


def test_a_store_in_a_folder_that_does_not_exist_is_refused(cli: Cli, tmp_path: Path,
                                                            events_file: Path) -> None:
    one_line_error(cli("ingest", str(events_file), "--db",
                       f"sqlite:///{tmp_path / 'nope' / 'deeper' / 's.db'}"), 2, "does not exist")
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize("kind", ["folder", "not-gzip"])
def test_files_that_cannot_be_read_are_refused(cli: Cli, tmp_path: Path, events_file: Path,
                                               kind: str) -> None:
    bad = tmp_path / "dir"
    if kind == "folder":
        bad.mkdir()
    else:
        bad = tmp_path / "plain.jsonl.gz"
        bad.write_bytes(events_file.read_bytes())
    db = f"sqlite:///{tmp_path / 's.db'}"
    line = one_line_error(cli("ingest", str(events_file), str(bad), "--db", db), 2)
    assert str(bad.name) in line
    assert count_events(db) == 0


def test_an_unreachable_postgresql_is_named_quickly(cli: Cli, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port on this host that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    proc = cli("stats", "--db", f"postgresql://nobody@127.0.0.1:{port}/x",
               env=cli_env(SKILLAUDIT_CONNECT_TIMEOUT="1"))
    line = one_line_error(proc, 1, f"127.0.0.1:{port}", "--db")
    assert time.monotonic() - started < 15, line


def test_a_gbk_line_is_quarantined_exported_exactly_and_retried(cli: Cli, tmp_path: Path) -> None:
    good = valid_lines(4, "enc")
    gbk = dumps(valid_event(9, "enc", "PersonRegistered")).replace(
        "张三".encode(), "张三".encode("gbk"))
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(b"\n".join([good[0], gbk, *good[1:]]) + b"\n")
    db = f"sqlite:///{tmp_path / 's.db'}"

    proc = cli("ingest", str(path), "--db", db)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert f"{path}:2: not_utf8" in proc.stdout
    assert count_events(db) == 4

    listed = json_of(cli("quarantine", "list", "--db", db, "--json"))
    assert [(e["line"], e["reason"]) for e in listed] == [(2, "not_utf8")]
    out = tmp_path / "fix.jsonl"
    assert cli("quarantine", "export", "--out", str(out), "--db", db).returncode == 0
    entry = json.loads(out.read_text(encoding="utf-8"))
    assert base64.b64decode(entry["raw_base64"]) == gbk  # the bytes as they came, exactly
    entry["raw"] = gbk.replace("张三".encode("gbk"), "张三".encode()).decode()  # the fix
    out.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    retried = cli("quarantine", "retry", "--corrections", str(out), "--db", db)
    assert retried.returncode == 0, retried.stderr
    assert count_events(db) == 5


def test_a_rerun_never_claims_all_was_stored_while_lines_wait_in_quarantine(
        cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join([*valid_lines(2, "b"), b"{oops"]) + b"\n")
    db = f"sqlite:///{tmp_path / 's.db'}"
    cli("ingest", str(path), "--db", db)
    assert count_events(db) == 2  # the first event, behind the byte-order mark, is stored
    again = cli("ingest", str(path), "--db", db)
    assert "every event was already stored" not in again.stdout
    assert "still in quarantine" in again.stdout


def test_file_faults_end_with_the_summary_and_a_failing_exit(cli: Cli, tmp_path: Path) -> None:
    whole = tmp_path / "city.jsonl.gz"
    w = write_jsonl(whole, 40_000, prefix="t")
    data = whole.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    array = tmp_path / "array.json"
    array.write_text(json.dumps([valid_event(1, "arr")]), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 's.db'}"

    proc = cli("ingest", str(cut), str(array), "--db", db)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    assert "Ingest summary" in proc.stdout
    assert "cut.jsonl.gz" in proc.stdout and "truncated" in proc.stdout
    assert "looks like one JSON array" in proc.stdout
    stored = count_events(db)
    assert 0 < stored < w.valid

    cut.write_bytes(data)
    rerun = json_of(cli("ingest", str(cut), "--db", db, "--json"))
    assert rerun["stored"] == w.valid - stored and rerun["failed_files"] == []


def test_unknown_ids_are_said_to_be_unknown(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "scenario.jsonl"
    path.write_bytes(b"\n".join(scenario.lines()) + b"\n")
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert cli("ingest", str(path), "--db", db).returncode == 0
    one_line_error(cli("timeline", "person", "110101199001010000", "--db", db), 1,
                   "no such person")
    one_line_error(cli("person", "110101199001010000", "--db", db), 1, "no such person")
    one_line_error(cli("institution", "NO-SUCH", "--db", db), 1, "no such institution")
    one_line_error(cli("quarantine", "retry", "--id", "999", "--db", db), 1, "#999")


def test_a_person_reads_as_words_and_the_dead_age_no_further(cli: Cli, tmp_path: Path) -> None:
    pid = "142301195001011232"
    born = {"person_id": pid, "name": "王五", "gender": "M", "birth_date": "1950-01-01",
            "county": "平遥县", "hukou": "rural", "category": "other"}
    lines = [dumps({"event_id": "p1", "type": "PersonRegistered",
                    "occurred_at": "2020-01-01T09:00:00+08:00", "data": born}),
             dumps({"event_id": "p2", "type": "PersonDeceased",
                    "occurred_at": "2021-06-01T09:00:00+08:00",
                    "data": {"person_id": pid, "date_of_death": "2021-05-30"}})]
    path = tmp_path / "dead.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert cli("ingest", str(path), "--db", db).returncode == 0
    proc = cli("person", pid, "--db", db)
    assert proc.returncode == 0, proc.stderr
    assert "True" not in proc.stdout and "None" not in proc.stdout and "nan" not in proc.stdout
    assert "age: 71 (at death" in proc.stdout
    assert json_of(cli("person", pid, "--db", db, "--json"))["person"]["age"] == 71


def _interrupt_when(proc: subprocess.Popen[str], ready, timeout: float = 120) -> tuple[str, str]:
    """Ctrl-C as a terminal sends it (to the whole process group) once ``ready()``."""
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "never got going"
            time.sleep(0.1)
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        kill_group(proc)
    return out, err


@pytest.mark.slow
def test_ctrl_c_during_ingest_prints_only_the_clean_message(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    write_fast_jsonl(path, 400_000, "cc")  # large enough for the parser process
    db = f"sqlite:///{tmp_path / 's.db'}"
    proc = subprocess.Popen(cli_command("ingest", str(path), "--db", db), cwd=tmp_path,
                            env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    out, err = _interrupt_when(proc, lambda: count_events(db) > 0)
    assert proc.returncode == 130, err
    assert "Traceback" not in err + out and "interrupted" in err
    rerun = subprocess.run(cli_command("ingest", str(path), "--db", db, "--json"), cwd=tmp_path,
                           env=cli_env(), capture_output=True, text=True, timeout=300)
    assert count_events(db) == 400_000, rerun.stderr


@pytest.mark.slow
def test_ctrl_c_during_the_demo_prints_only_the_clean_message(tmp_path: Path) -> None:
    db = tmp_path / "skillaudit-demo.db"
    proc = subprocess.Popen(cli_command("demo", "--persons", "3000", "--dir", str(tmp_path)),
                            cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = _interrupt_when(proc, lambda: db.exists() and count_events(f"sqlite:///{db}") > 0)
    assert proc.returncode == 130, err
    assert "Traceback" not in err + out and "interrupted" in err


def test_gzip_input_is_still_read(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "ok.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n".join(valid_lines(3, "g")) + b"\n"))
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert json_of(cli("ingest", str(path), "--db", db, "--json"))["stored"] == 3


def _commands(parser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every runnable command path of the parser, sub-commands included."""
    import argparse

    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.extend(_commands(sub, (*prefix, name)) or [(*prefix, name)])
    return found


def test_every_command_refuses_an_unknown_option_in_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    from skillaudit.cli import build_parser, main

    commands = _commands(build_parser())
    assert len(commands) > 20
    for command in commands:
        with pytest.raises(SystemExit) as stopped:
            main([*command, "--no-such-option"])
        err = capsys.readouterr().err
        assert stopped.value.code == 2, command
        assert len(err.strip().splitlines()) == 1 and err.startswith("error"), (command, err)

"""No output that masks holds a full ID number, phone, bank account or person name.

A generated city is ingested and detected; then every output a user can make
is made with masking on, as a user makes it (the CLI in a subprocess): findings
and detect in every format, timelines, the person report, a case with a reason
and a note quoting personal data, evidence packs (every file), the fund report,
credit, and the alerts. Every personal value the city's events hold is
gathered from the events themselves, not with the code under test, and none may
appear in a masked output. The same outputs made with ``--unmask`` must show
them, so the scan can fail.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from synth import generate
from tests.e2e.conftest import cli_command, cli_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PERSONAL_NAME_FIELDS = {"PersonRegistered": "name", "PersonUpdated": "name",
                        "SessionHeld": "teacher"}


@dataclass
class Personal:
    """Every personal value of a city, by kind, as its events hold them."""

    ids: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    accounts: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def kinds(self) -> dict[str, set[str]]:
        return {"ID number": self.ids, "phone": self.phones, "bank account": self.accounts,
                "name": self.names}

    def found_in(self, text: str) -> dict[str, list[str]]:
        """Each kind's values that occur anywhere in ``text`` (kinds with none left out)."""
        out = {}
        for kind, values in self.kinds().items():
            hits = sorted(_occurring(values, text, _NAME_RUN if kind == "name" else _DIGIT_RUN))
            if hits:
                out[kind] = hits
        return out


# Runs of the characters the values are made of: every occurrence of a value lies in one.
_DIGIT_RUN = re.compile(r"[0-9Xx-]+")
_NAME_RUN = re.compile(r"[\u3400-\u9fff·]+")


def _occurring(values: set[str], text: str, run: re.Pattern[str]) -> set[str]:
    """The values that are substrings of ``text``: each run's windows of a value's length
    are looked up (many thousands of ``value in text`` over megabytes take minutes)."""
    odd = {v for v in values if not run.fullmatch(v)}  # not made of run characters: scan
    found = {v for v in odd if v in text}
    lengths = {len(v) for v in values - odd}
    for chunk in set(run.findall(text)):
        for n in lengths:
            for i in range(len(chunk) - n + 1):
                if chunk[i:i + n] in values:
                    found.add(chunk[i:i + n])
    return found


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif isinstance(obj, str):
        yield obj


def personal_values(city: Path) -> Personal:
    """What the spec marks personal, read from the events: ID numbers (``person_id``,
    ``legal_rep_id``, a person's ``claimant_id``/``subject_id``), phones, accounts and
    the names of persons (trainees and teachers; an institution's name is not one)."""
    found = Personal()
    other_text: list[str] = []
    for line in city.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        data = event["data"]
        for item in [data, *data.get("items", [])]:
            for key in ("person_id", "legal_rep_id"):
                if item.get(key):
                    found.ids.add(item[key])
        for prefix in ("claimant", "subject"):
            if data.get(f"{prefix}_type") == "person":
                found.ids.add(data[f"{prefix}_id"])
        if data.get("phone"):
            found.phones.add(data["phone"])
        if data.get("bank_account"):
            found.accounts.add(data["bank_account"])
        name_field = PERSONAL_NAME_FIELDS.get(event["type"])
        if name_field and data.get(name_field):
            found.names.add(data[name_field])
        other_text.extend(v for k, v in data.items() if k != name_field and isinstance(v, str))
    # A name that is also part of the city's other text (an institution's name, a venue)
    # cannot tell a leak from that text: left out.
    shared = "\n".join(other_text)
    found.names = {n for n in found.names if len(n) >= 2 and n not in shared}
    return found


def xlsx_text(path: Path) -> str:
    """Every cell of every sheet, as text."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(str(v) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for v in row
                         if v is not None)
    finally:
        book.close()


def file_text(path: Path) -> str:
    return xlsx_text(path) if path.suffix == ".xlsx" else path.read_text(encoding="utf-8")


def run(cwd: Path, *args: str) -> str:
    """Run the CLI; its stdout (it must succeed)."""
    proc = subprocess.run(cli_command(*args), cwd=cwd, env=cli_env(), capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"skillaudit {' '.join(args)} failed:\n{proc.stderr}"
    return proc.stdout


@dataclass
class Outputs:
    city: Personal
    masked: dict[str, str]  # output → its text
    unmasked: dict[str, str]
    finding_ids: dict[str, list[str]]  # masked and unmasked --json listings: the finding ids
    verified: list[dict[str, Any]]  # verify-evidence --json of the masked packs


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    tmp = tmp_path_factory.mktemp("privacy")
    city = tmp / "city.jsonl"
    generate(50, 5, city, tmp / "truth.json")
    personal = personal_values(city)
    db = f"sqlite:///{tmp / 'city.db'}"
    masked: dict[str, str] = {}
    unmasked: dict[str, str] = {}

    def cli(*args: str) -> str:
        return run(tmp, *args, "--db", db)

    run(tmp, "ingest", str(city), "--db", db)
    # detect in every format (the table run writes JSON Lines to --out); only the first
    # run records findings
    masked["detect table"] = cli("detect", "--out", str(tmp / "detect.jsonl"))
    masked["detect jsonl"] = file_text(tmp / "detect.jsonl")
    for fmt in ("csv", "xlsx"):
        out = tmp / f"detect.{fmt}"
        cli("detect", "--format", fmt, "--out", str(out))
        masked[f"detect {fmt}"] = file_text(out)

    findings = json.loads(cli("findings", "--json", "--unmask"))
    by_code: dict[str, dict[str, Any]] = {}
    for f in findings:
        by_code.setdefault(f["code"], f)
    dup = by_code["DUP_IDENTITY"]
    over_cap = by_code["FRAUD_OVER_CAP_CLAIM"]
    person = dup["person_ids"][0]
    registered = next(json.loads(line)["data"] for line in city.open(encoding="utf-8")
                      if '"PersonRegistered"' in line and person in line)
    institution = over_cap["institution_ids"][0]
    klass = over_cap["class_ids"][0]

    # a case whose reason and note quote the person's ID number, phone, account and name
    cli("case", "open", dup["finding_id"], "--by", "auditor",
        "--reason", f"核对身份证 {person}，手机 {registered['phone']}")
    cli("case", "note", dup["finding_id"], "--by", "auditor",
        f"{registered['name']} 的账户 {registered['bank_account']} 已冻结")
    masked["credit list"] = cli("credit", "list", "--json")  # records them: history shows them

    packs = {"pack dup": dup["finding_id"], "pack over-cap": over_cap["finding_id"]}
    reads: dict[str, tuple[str, ...]] = {
        "findings table": ("findings", "--top", "100000"),
        "findings json": ("findings", "--json"),
        "findings jsonl": ("findings", "--format", "jsonl"),
        "timeline person": ("timeline", "person", person),
        "timeline class": ("timeline", "class", klass),
        "timeline institution json": ("timeline", "institution", institution, "--json"),
        "person json": ("person", person, "--json"),
        "case list json": ("case", "list", "--json"),
        "case show": ("case", "show", dup["finding_id"]),
        "case show json": ("case", "show", dup["finding_id"], "--json"),
        "credit history": ("credit", "history", institution, "--json"),
        "report funds json": ("report", "funds", "--out", str(tmp / "funds.html"), "--json"),
    }
    files = {"findings csv": tmp / "findings.csv", "findings xlsx": tmp / "findings.xlsx",
             "report funds xlsx": tmp / "funds.xlsx"}
    reads["findings csv"] = ("findings", "--format", "csv", "--out", str(files["findings csv"]))
    reads["findings xlsx"] = ("findings", "--format", "xlsx", "--out",
                              str(files["findings xlsx"]))
    reads["report funds xlsx"] = ("report", "funds", "--out", str(files["report funds xlsx"]))
    for name, fid in packs.items():
        reads[name] = ("evidence", fid, "--out", str(tmp / name.replace(" ", "-")))
    full = {"findings table": ("findings", "--top", "100000", "--unmask"),
            "timeline person json": ("timeline", "person", person, "--json", "--unmask"),
            "timeline class": ("timeline", "class", klass, "--unmask"),
            "timeline institution json": ("timeline", "institution", institution, "--json",
                                          "--unmask"),
            "person json": ("person", person, "--json", "--unmask"),
            "case show json": ("case", "show", dup["finding_id"], "--json", "--unmask"),
            "pack dup": ("evidence", dup["finding_id"], "--out", str(tmp / "pack-dup-full"),
                         "--unmask")}
    with ThreadPoolExecutor(2) as pool:  # reads only: they may run side by side
        done = {name: pool.submit(cli, *args) for name, args in reads.items()}
        done_full = {name: pool.submit(cli, *args) for name, args in full.items()}
        masked.update({name: f.result() for name, f in done.items()})
        unmasked.update({name: f.result() for name, f in done_full.items()})
    for name, path in files.items():
        masked[name] = file_text(path)
    masked["report funds html"] = file_text(tmp / "funds.html")
    for name in packs:
        for path in sorted((tmp / name.replace(" ", "-")).iterdir()):
            masked[f"{name} {path.name}"] = file_text(path)
    unmasked["pack dup"] = "\n".join(file_text(p) for p in (tmp / "pack-dup-full").iterdir())
    masked["alerts"] = _alerts(db)
    verified = [json.loads(run(tmp, "verify-evidence", str(tmp / name.replace(" ", "-")),
                               "--json", *extra))
                for name in packs for extra in ((), ("--db", db))]
    return Outputs(personal, masked, unmasked,
                   {"masked": [f["finding_id"] for f in json.loads(masked["findings json"])],
                    "unmasked": [f["finding_id"] for f in findings]}, verified)


def _alerts(db: str) -> str:
    """Every alert the stream would publish for this store's findings, as sent."""
    from findings.changes import changes_after
    from projections.projector import engine_for
    from projections.views import Views

    engine = engine_for(db)
    try:
        alerts = changes_after(Views(engine), 0)
    finally:
        engine.dispose()
    assert alerts, "the city raised findings, so there are alerts"
    return "\n".join(json.dumps(a, ensure_ascii=False, default=str) for _, _, a in alerts)


def test_the_city_holds_personal_data_of_every_kind(outputs: Outputs) -> None:
    for kind, values in outputs.city.kinds().items():
        assert len(values) > 100, kind


def test_no_masked_output_holds_personal_data(outputs: Outputs) -> None:
    leaks = {name: hits for name, text in outputs.masked.items()
             if (hits := outputs.city.found_in(text))}
    assert not leaks, json.dumps(leaks, ensure_ascii=False, indent=1)[:4000]


def test_masked_outputs_are_whole(outputs: Outputs) -> None:
    """Masking hides values, not findings: the same findings, and packs that verify."""
    assert outputs.finding_ids["masked"] == outputs.finding_ids["unmasked"]
    assert len(outputs.finding_ids["masked"]) > 50
    assert "********" in outputs.masked["findings json"]
    for check in outputs.verified:
        assert check["ok"], check["problems"]
        assert check["masked"]


def test_unmasked_outputs_show_personal_data(outputs: Outputs) -> None:
    """The scan can fail: the same outputs with --unmask hold the city's values."""
    shown: dict[str, set[str]] = {}
    for name, text in outputs.unmasked.items():
        hits = outputs.city.found_in(text)
        assert hits, f"{name} --unmask shows no personal value"
        for kind, values in hits.items():
            shown.setdefault(kind, set()).update(values)
    assert set(shown) == set(outputs.city.kinds()), sorted(shown)

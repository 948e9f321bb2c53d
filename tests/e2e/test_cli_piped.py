"""Output piped into a file or another program is plain text: no colour codes, no cursor
movement, no borders; table columns line up by display width (a Chinese character takes
two columns), and a long row stays on one line instead of wrapping at 80 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.casework.conftest import detect_city
from tests.e2e.conftest import Cli, json_of

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# box drawing (U+2500–U+257F: ─ │ ┃ ━ ╸ …) and block elements (U+2580–U+259F: █ ░ …)
DRAWN = {chr(c) for c in range(0x2500, 0x25A0)}
LONG_NOTE = "学校已退回超付款项，银行回单编号 HD-2023-0601 附后；" * 12


def assert_plain(name: str, text: str) -> None:
    assert "\x1b" not in text, f"{name}: an escape sequence in piped output:\n{text}"
    assert "\r" not in text, f"{name}: a carriage return in piped output:\n{text}"
    drawn = sorted({c for c in text if c in DRAWN})
    assert not drawn, f"{name}: border or bar characters {drawn} in piped output:\n{text}"
    assert all(line == line.rstrip() for line in text.splitlines()), f"{name}: trailing blanks"


def starts(line: str, cells: list[str]) -> list[int]:
    """The display column (``cell_len`` of what precedes it) where each cell, in order,
    begins on ``line``."""
    found, at = [], 0
    for cell in cells:
        i = line.index(cell, at)
        found.append(cell_len(line[:i]))
        at = i + len(cell)
    return found


def test_piped_output_is_plain_aligned_and_unwrapped(cli: Cli, sqlite_url: str,
                                                     tmp_path: Path) -> None:
    city = detect_city(sqlite_url, tmp_path, cli)
    db = ["--db", sqlite_url]
    for args in (("case", "open", city.overpaid, "--by", "张审计"),
                 ("case", "assign", f"case-{city.overpaid}", "--to", "李调查", "--by", "张审计"),
                 ("case", "open", city.ghost, "--by", "张审计"),
                 ("case", "note", f"case-{city.ghost}", LONG_NOTE, "--by", "王监管")):
        assert cli(*args, *db).returncode == 0

    runs = {" ".join(args): cli(*args, *db) for args in (
        ("ingest", str(tmp_path / "city.jsonl")), ("stats",), ("verify",), ("detect",),
        ("findings",), ("case", "list"), ("case", "show", f"case-{city.ghost}"),
        ("timeline", "claim", "CL2"), ("ledger",), ("credit", "list"), ("quarantine", "list"),
        ("report", "funds", "--out", str(tmp_path / "funds.html")))}
    for name, proc in runs.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
        assert proc.stdout.strip(), name
        assert_plain(name, proc.stdout)
        assert_plain(name, proc.stderr)

    # case list: the header and each row start every column at the same display column
    records = {r["case_id"]: r for r in json_of(cli("case", "list", *db, "--json"))}
    lines = runs["case list"].stdout.splitlines()
    header = next(line for line in lines if "case 案件" in line)
    heads = ["case 案件", "state 状态", "code 规则", "subject 对象", "at risk 金额",
             "assignee 承办", "last step 最近步骤"]
    expected = starts(header, heads)
    rows = {}
    for case_id, r in records.items():
        rows[case_id] = line = next(line for line in lines if case_id in line)
        last = r["last_step"]
        cells = [case_id, f"{r['state']} {r['state_zh']}", r["code"],
                 f"{r['subject_type']} {r['subject_id']}", r["amount_at_risk"],
                 r["assignee"] if isinstance(r["assignee"], str) else "-",  # none yet
                 f"{last['type']} "]
        found = starts(line, cells)
        left = [i for i in range(len(heads)) if heads[i] != "at risk 金额"]
        assert [found[i] for i in left] == [expected[i] for i in left], \
            f"columns out of line:\n{header}\n{line}"
        amount = heads.index("at risk 金额")  # right-aligned: it ends where its header ends
        assert found[amount] + cell_len(cells[amount]) == expected[amount] + cell_len(
            heads[amount]), f"amount out of line:\n{header}\n{line}"
        assert f"by {last['by']}" in line and cell_len(line) > 80  # one line, not wrapped
    assigned, opened = rows[f"case-{city.overpaid}"], rows[f"case-{city.ghost}"]
    assert "李调查" in assigned and "张审计" in assigned
    # same display column, different character index: the width of Chinese is counted
    assert assigned.index("CaseAssigned") != opened.index("CaseNoteAdded")

    # a long note stays whole on one line of the case history
    assert any(LONG_NOTE in line for line in runs[f"case show case-{city.ghost}"].stdout
               .splitlines()), runs[f"case show case-{city.ghost}"].stdout

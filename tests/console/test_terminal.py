"""On an interactive terminal tables and progress bars are drawn with style (bold header,
a rule, colour, a bar redrawn in place); on anything else the same calls print plain
columns, and a progress bar prints nothing at all."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from skillaudit.console import PIPED_WIDTH, console_for, print_table
from skillaudit.progress import ProgressLine

HEADERS = ["county 县区", "program 项目", "paid 拨付"]
ROWS = [["离石区", "employment_subsidy", "862228.05"], ["141102", "[new 新] :x:", "0.00"]]


class Tty(io.StringIO):
    """A stream that says it is an interactive terminal."""

    def isatty(self) -> bool:
        return True


def terminal(out: io.StringIO) -> Console:
    return Console(file=out, force_terminal=True, color_system="truecolor", width=100)


def test_a_terminal_table_is_styled_and_still_aligned() -> None:
    out = io.StringIO()
    print_table(HEADERS, ROWS, right={2}, console=terminal(out))
    drawn = out.getvalue()
    assert "\x1b[1m" in drawn  # a bold header
    assert "─" in drawn  # a rule under it
    lines = Text.from_ansi(drawn).plain.splitlines()
    assert len(lines) == 4 and set(lines[1].strip()) == {"─"}
    header, *rows = (lines[0], lines[2], lines[3])
    for row, (county, program, paid) in zip(rows, ROWS, strict=True):
        assert cell_len(row[:row.index(program)]) == cell_len(header[:header.index("program")])
        assert cell_len(row[:row.index(paid)]) + cell_len(paid) == cell_len(header.rstrip())
        assert row.lstrip().startswith(county)


def test_the_same_table_piped_is_plain() -> None:
    out = io.StringIO()
    print_table(HEADERS, ROWS, right={2}, file=out)
    assert out.getvalue() == (
        "  county 县区  program 项目        paid 拨付\n"
        "  离石区       employment_subsidy  862228.05\n"
        "  141102       [new 新] :x:             0.00\n")


def test_a_console_is_a_terminal_only_on_an_interactive_stream(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich's own switch does not reach a pipe
    piped = console_for(io.StringIO())
    assert not piped.is_terminal and piped.color_system is None
    assert piped.width == PIPED_WIDTH
    assert console_for(Tty()).is_terminal
    monkeypatch.setenv("TERM", "dumb")
    assert not console_for(Tty()).is_terminal


def test_a_progress_bar_draws_on_a_terminal_and_clears_itself() -> None:
    out = io.StringIO()
    bar = ProgressLine("ingest 导入", console=terminal(out), every=0)
    bar.update(420, 1000, "lines", 1234, 2.0, "56 stored 已存")
    bar.close()
    drawn = out.getvalue()
    assert "\x1b[?25l" in drawn and "\x1b[?25h" in drawn  # the cursor hidden, then back
    assert drawn.endswith("\x1b[1A\x1b[2K")  # and the bar's line erased: nothing is left
    assert "━" in drawn and "\x1b[" in drawn.replace("\x1b[?25", "")  # a coloured bar
    shown = Text.from_ansi(drawn).plain
    for part in ("ingest 导入", "42%", "ETA 0:00:03", "1,234 lines", "617 lines/s",
                 "56 stored 已存"):
        assert part in shown, (part, shown)


def test_a_progress_bar_piped_prints_nothing() -> None:
    out = io.StringIO()
    bar = ProgressLine("detect 检测", stream=out, every=0)
    bar.update(3, 39, "detectors", 3, None, "FRAUD_PAY_DUPLICATE")
    bar.close()
    assert not bar.enabled and out.getvalue() == ""

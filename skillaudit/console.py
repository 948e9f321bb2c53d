"""What the command line prints for people, through ``rich``: tables whose Chinese columns
line up, summaries, and JSON for machines. Shared by every command family (and the demo).

On an interactive terminal tables have a bold header and a rule under it, and severities
are coloured. Piped or redirected, the same tables are plain columns: no colour codes,
no cursor movement, no borders, no trailing blanks, and a width no row reaches, so a long
row is never cut or wrapped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Iterable, Sequence
from typing import Any, TextIO

from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from engine.ingest import IngestSummary
from engine.sources import is_terminal

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
PIPED_WIDTH = 100_000  # columns of a piped console: wider than any row, so nothing wraps
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}

Cell = str | Text | int | float | None


def console_for(stream: TextIO | None = None) -> Console:
    """A console writing to ``stream`` (stdout by default): styled on an interactive
    terminal, plain and wide when piped. Markup, emoji codes and highlighting are off,
    so ``[new 新]`` or ``:x:`` in data print as they are."""
    stream = stream if stream is not None else sys.stdout
    if is_terminal(stream):
        return Console(file=stream, markup=False, emoji=False, highlight=False)
    return Console(file=stream, markup=False, emoji=False, highlight=False, width=PIPED_WIDTH,
                   color_system=None, force_terminal=False, force_interactive=False,
                   soft_wrap=True)


def emit(renderable: RenderableType, console: Console) -> None:
    """Print one renderable: as drawn on a terminal; piped, with each line's blanks cut."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    console.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    console.file.flush()


def print_table(headers: Sequence[str] | None, rows: Iterable[Sequence[Cell]], *,
                right: Collection[int] = (), indent: int = 2, file: TextIO | None = None,
                console: Console | None = None) -> None:
    """Rows in columns aligned by display width (a Chinese character takes two).

    ``headers`` None prints no header line (a block of label–value pairs). Columns whose
    index is in ``right`` are right-aligned and never wrapped (numbers, amounts). A cell
    may hold several lines, or a ``rich.text.Text`` for a style of its own."""
    console = console or console_for(file)
    styled = console.is_terminal
    table = Table(box=box.SIMPLE_HEAD if styled else None, show_header=headers is not None,
                  header_style="bold" if styled else "", show_edge=False, pad_edge=False,
                  padding=(0, 1))
    body = [[_cell(c) for c in row] for row in rows]
    heads = list(headers or [])
    for i in range(max([len(heads), *(len(r) for r in body)])):
        table.add_column(heads[i] if i < len(heads) else "", overflow="fold",
                         justify="right" if i in right else "left", no_wrap=i in right)
    for row in body:
        table.add_row(*row)
    emit(Padding(table, (0, 0, 0, indent), expand=False), console)


def print_pairs(pairs: Iterable[Sequence[Cell]], *, right: Collection[int] = (1,),
                indent: int = 2, file: TextIO | None = None) -> None:
    """Label–value lines (``stored 新存储事件   1,234``), values aligned: a headerless table."""
    print_table(None, pairs, right=right, indent=indent, file=file)


def say(text: str | Text, *, style: str = "", file: TextIO | None = None) -> None:
    """One line of prose, styled on a terminal only, never wrapped when piped."""
    console = console_for(file)
    emit(text if isinstance(text, Text) else Text(text, style=style), console)


def _cell(value: Cell) -> Text:
    if isinstance(value, Text):
        return value
    return Text(value if isinstance(value, str) else shown(value))


def label(text: str, width: int = 30) -> str:
    """Pad to a display width (``rich.cells.cell_len``) for one label ahead of free text;
    lines that belong together go through ``print_pairs`` instead."""
    return text + " " * max(1, width - cell_len(text))


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None, default=str))


def print_ingest_summary(s: IngestSummary, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    print(f"Ingest summary 导入汇总  ({', '.join(s.sources)})", file=out)
    rows: list[Sequence[Cell]] = [
        ("stored 新存储事件", f"{s.stored:,}"),
        ("duplicates 重复(已存在)", f"{s.duplicates:,}"),
        ("quarantined 隔离(格式错误)", f"{s.quarantined:,}",
         f"(+{s.quarantine_known:,} already in quarantine 已在隔离区)"
         if s.quarantine_known else ""),
    ]
    if s.conflicts:
        rows.append(("conflicting re-sends 编号重复内容不同", f"{s.conflicts:,}",
                     "(quarantined for review)"))
    if s.blank:
        rows.append(("blank lines 空行", f"{s.blank:,}"))
    rows += [("time 用时", f"{s.seconds:.2f}s", f"{s.events_per_s:,.0f} events/s"),
             ("chain head 链头", "", str(s.head))]
    print_pairs(rows, file=out)
    w = out.write
    if s.stored == 0 and s.duplicates and not s.quarantined and not s.quarantine_known \
            and not s.failed:
        w("  Nothing new: every event was already stored. 无新事件：全部已存储。\n")
    if s.quarantine_known:
        w(f"  {s.quarantine_known:,} line(s) of this input are still in quarantine, not stored "
          f"{s.quarantine_known:,} 行仍在隔离区、未存储\n")
    for source, line, reason, message in s.errors[:10]:
        w(f"  ! {source}:{line}: {reason}: {message}\n")
    if s.quarantined or s.quarantine_known:
        w("  See them with `skillaudit quarantine list`; fix the source and run "
          "`skillaudit quarantine retry`.\n  查看：skillaudit quarantine list；更正后重试："
          "skillaudit quarantine retry\n")
    for source, note in s.notes:
        w(f"  ! {source}: {note}\n")
    for _, message in s.failed:
        w(f"  ✗ file stopped 文件中断: {message}\n")


def print_findings_summary(records: list[dict[str, Any]], top: int = 10) -> None:
    from detectors.base import CATEGORY_ZH, SEVERITY_ZH
    from engine.money import to_fen, yuan_str

    if not records:
        print("No findings. 未发现问题。")
        return
    counts: dict[str, dict[str, int]] = {}
    at_risk: dict[str, int] = {}
    for r in records:
        row = counts.setdefault(r["category"], {})
        row[r["severity"]] = row.get(r["severity"], 0) + 1
        at_risk[r["category"]] = at_risk.get(r["category"], 0) + to_fen(r["amount_at_risk"])
    severities = ["critical", "high", "medium", "low"]
    print(f"Findings by category and severity 按类别与严重程度 ({len(records)} in all):")
    print_table(["category 类别", *(f"{s} {SEVERITY_ZH[s]}" for s in severities),
                 "at risk 涉及金额(元)"],
                [[f"{cat} {CATEGORY_ZH.get(cat, '')}",
                  *(Text(str(row.get(s, 0)), style=SEVERITY_STYLE[s] if row.get(s) else "")
                    for s in severities), yuan_str(at_risk[cat])]
                 for cat, row in sorted(counts.items())],
                right=range(1, len(severities) + 2))
    print(f"Top findings 重点问题 (of {len(records)}):")
    console = console_for()
    for r in records[:top]:
        line = Text("  ")
        line.append(f"[{r['severity']}]", style=SEVERITY_STYLE.get(r["severity"], ""))
        line.append(f" {r['code']} {r['subject_type']} {r['subject_id']}")
        if r.get("new"):
            line.append(" [new 新]", style="green")
        if r.get("guard"):
            line.append(" [rule doubted 规则存疑]", style="magenta")
        emit(line, console)
        print(f"      {r['explanation_zh']}")
        print(f"      {r['explanation_en']}")


def print_run_notes(guards: dict[str, dict[str, Any]],
                    not_checked: dict[str, list[dict[str, Any]]], file: Any = None) -> None:
    """Once per run: the rules the guard doubts, and what went unchecked with the key to set."""
    out = file or sys.stdout
    if guards:
        say("Warning 警告: rules that flagged too large a share of what they examined; "
            "their findings are marked (guard) 以下规则标记比例过高，其问题已标注：",
            style="bold yellow", file=out)
        print_table(None, [(f"! {code}", f"{g['en']}\n{g['zh']}") for code, g in guards.items()],
                    file=out)
    if not_checked:
        print("Not checked 未检查: no local standard in the rules file; set these keys in "
              "your own file (--rules) to check them 规则文件未设当地标准，设置以下键后方可检查：",
              file=out)
        print_table(None, [(code, f"{n['count']:,}", f"{n['en']} → set {n['key']}\n"
                                                     f"{n['zh']} → 请设置 {n['key']}")
                           for code, notes in not_checked.items() for n in notes],
                    right={1}, file=out)


def shown(value: Any) -> str:
    """A value as people read it: yes/no, a dash for nothing, not Python's True/None."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, bool):
        return "yes 是" if value else "no 否"
    return str(value)

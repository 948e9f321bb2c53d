"""``skillaudit import``: spreadsheets and CSV exports stored as events, per file accounted for.

The summary says, for each file (each sheet of a workbook), the rows read, the
events stored, the duplicates, the rows skipped and why (titles, blanks,
totals, repeated headers, notes) and the rows quarantined with their first
reasons. ``--preview`` shows the mapping chosen for each column and the first
rows as events, and stores nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from imports import KINDS
from imports.kinds import ITEM
from imports.layout import KEPT, NUMBERING
from imports.mapping import LEAVE_OUT
from imports.run import ImportProgress, ImportSummary, SheetPreview, SheetSummary
from services.imports import import_files, preview_files
from skillaudit.args import add_db, in_file, out_file, positive_int
from skillaudit.console import EXIT_FAIL, EXIT_OK, label, print_json
from skillaudit.progress import ProgressLine
from skillaudit.wiring import actor_of, workbench_of

SKIPPED_ZH = {"title": "标题行", "blank": "空行", "total": "合计行", "repeated header": "重复表头",
              "note": "备注行"}
KIND_ZH = {"persons": "人员", "institutions": "机构", "classes": "开班", "enrolments": "报名",
           "attendance": "考勤", "assessments": "评价", "certificates": "证书",
           "employment": "就业", "claims": "补贴申请", "reviews": "审核", "payments": "拨付",
           "budgets": "预算", "spotchecks": "抽查"}


def _short(path: str) -> str:
    """A file as the user named it: relative to here when below it."""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _title(info: Any) -> str:
    where = _short(info.file) + (f" [{info.sheet}]" if info.sheet else "")
    parts = [f"{info.kind} {KIND_ZH[info.kind]}"]
    if info.encoding:
        parts.append(info.encoding.upper())
    if info.header_row:
        parts.append(f"header row 表头行 {info.header_row}")
    return f"{where}  ({', '.join(parts)})"


def _skipped(counts: dict[str, int]) -> str:
    return ", ".join(f"{why} {SKIPPED_ZH.get(why, '')} {n:,}" for why, n in counts.items() if n)


def print_summary(s: ImportSummary, out: TextIO | None = None, stored: bool = True) -> None:
    w = (out or sys.stdout).write
    w("Import summary 表格导入汇总\n")
    for sheet in s.sheets:
        _print_sheet(sheet, w)
    w(f"  {label('in all 合计')}rows 行 {s.total('rows'):,} · stored 新存储 "
      f"{s.total('stored'):,} · duplicates 重复 {s.total('duplicates'):,} · quarantined 隔离 "
      f"{s.total('quarantined') + s.total('quarantine_known'):,} · {s.seconds:.2f}s\n")
    if stored:
        w(f"  {label('chain head 链头')}{s.head}\n")
    for file, message in s.failed:
        w(f"  ✗ {_short(file)}: not imported 未导入: {message}\n")
    if any(x.quarantined or x.quarantine_known for x in s.sheets):
        w("  Correct a row 更正: `skillaudit quarantine export --out fix.jsonl`, edit its \"row\", "
          "then `skillaudit quarantine retry --corrections fix.jsonl` (or fix the sheet and "
          "import it again: nothing is stored twice 重新导入不会重复存储)\n")


def _print_sheet(x: SheetSummary, w: Any) -> None:
    w(f"  {_title(x.info)}\n")
    if x.info.problem:
        w(f"    ✗ not imported 未导入: {x.info.problem}\n")
        return
    w(f"    {label('rows read 读取行数', 28)}{x.rows:>10,}\n")
    w(f"    {label('stored 新存储事件', 28)}{x.stored:>10,}\n")
    w(f"    {label('duplicates 重复(已存在)', 28)}{x.duplicates:>10,}\n")
    skipped = sum(x.skipped.values())
    w(f"    {label('skipped 跳过', 28)}{skipped:>10,}"
      f"{'  (' + _skipped(x.skipped) + ')' if skipped else ''}\n")
    known = f"  (+{x.quarantine_known:,} already in quarantine 已在隔离区)" \
        if x.quarantine_known else ""
    w(f"    {label('quarantined 隔离', 28)}{x.quarantined:>10,}{known}\n")
    if x.conflicts:
        w(f"    conflicting re-sends 编号重复内容不同 {x.conflicts:,} (quarantined for review)\n")
    if x.info.missing:
        w(f"    ! no column for 缺少列: {', '.join(x.info.missing)} (every row is refused; "
          "name the column or fix a value in --mapping)\n")
    for _, reason, message in x.errors[:5]:
        w(f"    ! {reason}: {message}\n")


def _placement(target: str, note: str) -> str:
    if target == KEPT:
        return "kept as data under its header 原样保留" + (f" — {note}" if note else "")
    if target == NUMBERING:
        return "row numbering, not kept 序号列，不保留"
    if target == LEAVE_OUT:
        return "left out by the mapping 按映射忽略"
    return target.replace(ITEM, "items[].")


def print_preview(previews: list[SheetPreview], out: TextIO | None = None) -> None:
    import json

    w = (out or sys.stdout).write
    for p in previews:
        w(f"{_title(p.info)}\n")
        if p.info.problem:
            w(f"  ✗ {p.info.problem}\n")
            continue
        w("  columns 列 → fields 字段:\n")
        for header, target, note in p.info.columns:
            w(f"    {label(header, 24)}→ {_placement(target, note)}\n")
        for name, value in p.info.fixed.items():
            w(f"    {label('(fixed 固定值)', 24)}→ {name} = {value!r}\n")
        unplaced = [h for h, t, _ in p.info.columns if t == KEPT]
        if unplaced:
            w(f"  could not place 未能识别 (kept in data under the header 按原列名保留): "
              f"{', '.join(unplaced)}\n")
        if p.info.missing:
            w(f"  ! no column or fixed value for 缺少: {', '.join(p.info.missing)}\n")
        if p.skipped:
            w(f"  skipped 跳过: {_skipped(p.skipped)}\n")
        w(f"  first rows as events 前几行转换结果 ({len(p.events)}):\n")
        for e in p.events:
            w(f"    {json.dumps(e, ensure_ascii=False)}\n")
        for _, message in p.refused:
            w(f"    ! {message}\n")
    w("Nothing was stored 未存储任何数据 (--preview).\n")


def _progress(bar: ProgressLine):
    def show(p: ImportProgress) -> None:
        bar.update(p.done, p.total, "rows", p.rows, p.elapsed,
                   f"{_short(p.label)} · {p.stored:,} stored 已存 · {p.quarantined:,} "
                   "quarantined 隔离")
    return show


def cmd_import(a: argparse.Namespace) -> int:
    if a.preview:
        previews = preview_files(actor_of(a), a.paths, kind=a.kind, mapping=a.mapping,
                                 sheet=a.sheet, rows=a.rows, unmask=a.unmask)
        if a.json:
            print_json([{"sheet": p.info.__dict__, "events": p.events,
                         "refused": [{"row": r, "message": m} for r, m in p.refused],
                         "skipped": dict(p.skipped)} for p in previews])
        else:
            print_preview(previews)
        return EXIT_FAIL if any(p.info.problem for p in previews) else EXIT_OK
    bar = ProgressLine("import 导入")
    try:
        summary = import_files(None if a.out else workbench_of(a), actor_of(a), a.paths,
                               kind=a.kind, mapping=a.mapping, sheet=a.sheet, out=a.out,
                               progress=None if a.json else _progress(bar))
    finally:
        bar.close()
    if a.json:
        print_json(summary.as_json())
    else:
        print_summary(summary, stored=not a.out)
        if a.out:
            print(f"  Events written, not stored 已写出、未存储 → {a.out}")
    return EXIT_FAIL if summary.problems else EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``import`` to the ``skillaudit`` parser."""
    s = sub.add_parser("import", help="store spreadsheet exports (xlsx, xls, ods, csv, txt) as "
                                      "events 导入表格")
    s.add_argument("paths", nargs="+", metavar="PATH",
                   help="files, or folders whose every spreadsheet is imported")
    s.add_argument("--kind", choices=list(KINDS), metavar="KIND",
                   help=f"what the files hold: {', '.join(KINDS)} (in a folder: the files no "
                        "mapping pattern names) 表格类型")
    s.add_argument("--mapping", type=in_file, metavar="FILE",
                   help="TOML of header names, fixed values and file-name patterns 映射文件")
    s.add_argument("--sheet", metavar="NAME", help="only this sheet of each workbook")
    add_db(s)
    s.add_argument("--out", type=out_file,
                   help="write the events as JSON Lines instead of storing them (rows refused "
                        "go to OUT.rejected.jsonl)")
    s.add_argument("--preview", action="store_true",
                   help="show the mapping of each column and the first rows as events; store "
                        "nothing 预览")
    s.add_argument("--rows", type=positive_int, default=5, help="rows shown by --preview")
    s.add_argument("--unmask", action="store_true",
                   help="--preview shows ID numbers, phones, accounts and names in full")
    s.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    s.set_defaults(func=cmd_import)

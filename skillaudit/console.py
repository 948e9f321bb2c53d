"""What the command line prints for people: labels aligned for Chinese text, summaries,
and JSON for machines. Shared by every command family (and the demo)."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

from engine.ingest import IngestSummary, Progress
from skillaudit.progress import ProgressLine

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def label(text: str, width: int = 30) -> str:
    """Pad to a display width: CJK characters take two columns on a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - shown)


def print_json(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None, default=str))


def ingest_progress(bar: ProgressLine) -> Callable[[Progress], None]:
    def show(p: Progress) -> None:
        bar.update(p.bytes_done, p.source.size, "lines", p.lines, p.elapsed,
                   f"{p.stored:,} stored 已存 · {p.quarantined:,} quarantined 隔离")
    return show


def print_ingest_summary(s: IngestSummary, out: Any = None) -> None:
    out = out or sys.stdout
    w = out.write
    w(f"Ingest summary 导入汇总  ({', '.join(s.sources)})\n")
    w(f"  {label('stored 新存储事件')}{s.stored:>12,}\n")
    w(f"  {label('duplicates 重复(已存在)')}{s.duplicates:>12,}\n")
    w(f"  {label('quarantined 隔离(格式错误)')}{s.quarantined:>12,}")
    if s.quarantine_known:
        w(f"   (+{s.quarantine_known:,} already in quarantine 已在隔离区)")
    w("\n")
    if s.conflicts:
        w(f"  conflicting re-sends 编号重复内容不同 {s.conflicts:,} (quarantined for review)\n")
    if s.blank:
        w(f"  {label('blank lines 空行')}{s.blank:>12,}\n")
    w(f"  {label('time 用时')}{s.seconds:>11.2f}s   {s.events_per_s:,.0f} events/s\n")
    w(f"  {label('chain head 链头')}{s.head}\n")
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

    if not records:
        print("No findings. 未发现问题。")
        return
    table: dict[str, dict[str, int]] = {}
    at_risk: dict[str, int] = {}
    from engine.money import to_fen, yuan_str

    for r in records:
        row = table.setdefault(r["category"], {})
        row[r["severity"]] = row.get(r["severity"], 0) + 1
        at_risk[r["category"]] = at_risk.get(r["category"], 0) + to_fen(r["amount_at_risk"])
    severities = ["critical", "high", "medium", "low"]
    print(f"Findings by category and severity 按类别与严重程度 ({len(records)} in all):")
    print("  " + label("category 类别", 34) + "".join(
        label(f"{s} {SEVERITY_ZH[s]}", 12) for s in severities) + "at risk 涉及金额(元)")
    for cat, row in sorted(table.items()):
        print("  " + label(f"{cat} {CATEGORY_ZH.get(cat, '')}", 34) + "".join(
            label(str(row.get(s, 0)), 12) for s in severities) + yuan_str(at_risk[cat]))
    print(f"Top findings 重点问题 (of {len(records)}):")
    for r in records[:top]:
        new = " [new 新]" if r.get("new") else ""
        doubted = " [rule doubted 规则存疑]" if r.get("guard") else ""
        print(f"  [{r['severity']}] {r['code']} {r['subject_type']} {r['subject_id']}{new}"
              f"{doubted}")
        print(f"      {r['explanation_zh']}")
        print(f"      {r['explanation_en']}")


def print_run_notes(guards: dict[str, dict[str, Any]],
                    not_checked: dict[str, list[dict[str, Any]]], file: Any = None) -> None:
    """Once per run: the rules the guard doubts, and what went unchecked with the key to set."""
    out = file or sys.stdout
    if guards:
        print("Warning 警告: rules that flagged too large a share of what they examined; "
              "their findings are marked (guard) 以下规则标记比例过高，其问题已标注：", file=out)
        for code, g in guards.items():
            print(f"  ! {code}: {g['en']}", file=out)
            print(f"    {g['zh']}", file=out)
    if not_checked:
        print("Not checked 未检查: no local standard in the rules file; set these keys in "
              "your own file (--rules) to check them 规则文件未设当地标准，设置以下键后方可检查：",
              file=out)
        for code, notes in not_checked.items():
            for n in notes:
                print(f"  {code}: {n['count']:,} {n['en']} → set {n['key']}", file=out)
                print(f"    {n['count']:,} 项：{n['zh']} → 请设置 {n['key']}", file=out)


def shown(value: Any) -> str:
    """A value as people read it: yes/no, a dash for nothing, not Python's True/None."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, bool):
        return "yes 是" if value else "no 否"
    return str(value)

"""CLI commands of the rules lab: ``detect --rules FILE --what-if`` and ``rules adopt|show``.

A what-if prints what a candidate rules file would change against the rules in
force, and records nothing; ``rules adopt`` makes a file the rules in force (an
event); ``rules show`` says which rules are in force, since when and by whom.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.errors import UsageError
from services import rules_lab
from skillaudit.args import add_as_of, add_db, in_file
from skillaudit.console import EXIT_FAIL, EXIT_OK, label, print_json, print_run_notes
from skillaudit.progress import ProgressLine
from skillaudit.wiring import actor_of, as_of_of, workbench_of

KIND_WORDS = {"new": "New 新增 (raised only under the candidate 仅候选规则发现)",
              "gone": "Gone 消失 (raised only under the rules in force 仅现行规则发现)",
              "changed": "Changed 变化 (same finding, other facts 同一问题、事实不同)"}


def check_detect_flags(a: argparse.Namespace) -> None:
    """Refuse, before any work, what-if flags without ``--what-if`` and the reverse."""
    if a.what_if:
        if not a.rules:
            raise UsageError("--what-if tries a rules file against the rules in force: add "
                             "--rules FILE 请用 --rules 指定候选规则文件")
        if a.format != "table" or a.out:
            raise UsageError("--what-if records nothing and writes no findings file: drop "
                             "--format/--out (use --json for one JSON document)")
        return
    for flag, given in (("--as-of", a.as_of), ("--as-of-position", a.as_of_position is not None),
                        ("--json", a.json), ("--top", a.top is not None)):
        if given:
            raise UsageError(f"{flag} goes with --what-if: a detection run that records "
                             "findings sees the whole log (for JSON Lines use --format jsonl)")


def cmd_what_if(a: argparse.Namespace) -> int:
    """``detect --rules FILE --what-if``: the difference, recorded nowhere."""
    wb = workbench_of(a, rules=False)  # --rules is the candidate, not the rules to run under
    wb.require_store()
    bar = ProgressLine("what-if 假设")
    try:
        got = rules_lab.what_if(
            wb, actor_of(a), Path(a.rules), as_of=as_of_of(a), categories=a.category,
            unmask=a.unmask, progress=None if a.json else lambda code, n, total: bar.update(
                n, total, "detectors", n, 1.0, code))
    finally:
        bar.close()
    if a.json:
        print_json(got.as_json())
    else:
        print_what_if(got, a.top if a.top is not None else 5)
    for code, error in got.errors.items():
        print(f"error 错误: detector {code} failed {error}; it is left out of the comparison "
              "检测器出错，未参与比较", file=sys.stderr)
    return EXIT_FAIL if got.errors else EXIT_OK


def _rules_line(r: rules_lab.RulesShown) -> str:
    if r.adopted:
        whence = (f"adopted 启用 by {r.adopted['by']} ({r.adopted['role'] or '-'}) at "
                  f"{r.adopted['adopted_at']}")
    elif r.source.endswith("rules.default.toml"):
        whence = "the defaults 默认规则"
    else:
        whence = f"from 来自 {r.source}"
    return f"{r.version} ({r.digest}, {whence})"


def print_what_if(w: rules_lab.WhatIf, top: int) -> None:
    print(f"What if 假设: rules 规则 {w.candidate.version} ({w.candidate.digest}) from "
          f"{w.candidate.source}")
    print(f"  against the rules in force 对比现行规则 {_rules_line(w.in_force)}")
    print(f"  as of 截至 {w.as_of} (log position 日志位置 {w.position:,}); "
          "nothing recorded 未记录任何内容")
    print_run_notes(w.guards, {})  # the candidate's doubts qualify what follows
    for code in sorted(set(w.in_force_guards) - set(w.guards)):
        print(f"  the candidate clears the guard's doubt on {code} "
              f"候选规则不再触发对 {code} 的存疑")
    heads = [("before", "in force 现行"), ("after", "candidate 候选"), ("new", "new 新增"),
             ("gone", "gone 消失"), ("changed", "changed 变化"), ("same", "same 相同")]
    def row(first: str, cells: list[str]) -> None:
        print(("  " + label(first, 34) + "".join(label(c, 16) for c in cells)).rstrip())

    row("rule 规则", [h for _, h in heads])
    quiet = 0
    for code, counts in w.by_rule.items():
        if not counts["before"] and not counts["after"]:
            quiet += 1
            continue
        row(code, [str(counts[k]) for k, _ in heads])
    row("total 合计", [str(w.totals[k]) for k, _ in heads])
    if quiet:
        print(f"  ({quiet} other rules found nothing under either 其余 {quiet} 条规则两者均无发现)")
    for kind, words in KIND_WORDS.items():
        shown = w.of_kind(kind)
        if not shown:
            continue
        more = f"; the first {top} 前 {top} 条" if len(shown) > top else ""
        print(f"{words}: {len(shown)}{more}")
        for d in shown[:top]:
            _print_difference(d)
    print_run_notes({}, w.not_checked)
    print(f"The log holds {w.findings_in_log:,} findings current as of this point (the last "
          f"detection runs' record) 日志中截至此时的现行问题 {w.findings_in_log:,} 条")
    if w.totals["new"] or w.totals["gone"] or w.totals["changed"]:
        print(f"To adopt 启用: skillaudit rules adopt {w.candidate.source} (admin 管理员)")


def _print_difference(d: dict[str, Any]) -> None:
    f = d["after"] or d["before"]
    money = f"at risk 涉及金额 {f['amount_at_risk']}"
    if d["kind"] == "changed":
        money = (f"at risk 涉及金额 {d['before']['amount_at_risk']} → "
                 f"{d['after']['amount_at_risk']}")
    print(f"  [{f['severity']}] {d['code']} {d['subject_type']} {d['subject_id']}  {money}")
    print(f"      {f['explanation_zh']}")
    print(f"      {f['explanation_en']}")


# -- rules adopt | show ------------------------------------------------------------------------

def cmd_adopt(a: argparse.Namespace) -> int:
    done = rules_lab.adopt(workbench_of(a, rules=False), actor_of(a), Path(a.file))
    if a.json:
        print_json({"stored": done.stored, "event_id": done.event_id, "position": done.position,
                    "rules": done.rules.__dict__, "previous": done.previous.__dict__})
        return EXIT_OK
    r = done.rules
    if not done.stored and done.event_id is None:
        print(f"Already in force 已是现行规则: {_rules_line(done.previous)}; nothing stored "
              "未记录")
        return EXIT_OK
    how = ("recorded 已记录" if done.stored
           else "recorded at the same time by another 已由他人同时记录")
    print(f"Adopted 已启用 rules 规则 {r.version} ({r.digest}) from {r.source}: {how} as "
          f"{done.event_id}")
    print(f"  replacing 取代 {_rules_line(done.previous)}")
    if r.digest != done.previous.digest:
        print("  the next `skillaudit detect` runs under them; findings are identified under "
              "the new digest, so it withdraws the old ones and raises them again 下次检测起生效")
    return EXIT_OK


def cmd_show(a: argparse.Namespace) -> int:
    wb = workbench_of(a, rules=False)
    wb.require_store()
    got = rules_lab.rules_in_force(wb, actor_of(a), as_of=as_of_of(a))
    if a.json:
        print_json(got.as_json())
        return EXIT_OK
    if a.text:
        if got.text is None:
            print("No rules adopted: the defaults are in force 未启用规则，使用默认规则 "
                  "(detectors/rules.default.toml)", file=sys.stderr)
        else:
            sys.stdout.write(got.text if got.text.endswith("\n") else got.text + "\n")
        return EXIT_OK
    r = got.rules
    print(f"Rules in force 现行规则 (as of 截至 {got.as_of}): {_rules_line(r)}")
    print(f"  {label('version 版本')}{r.version}")
    print(f"  {label('digest 摘要')}{r.digest}  (findings record it 问题记录此摘要)")
    print(f"  {label('canonical digest 全文摘要')}{r.canonical_digest}")
    print(f"  {label('source 来源')}{r.source}")
    if r.adopted and r.adopted["digest"] != r.digest:
        print(f"  note 注意: adopted as {r.adopted['digest']}; the defaults of this version add "
              "keys, which moved the digest. Adopt the file again to record it 请重新启用")
    if not got.history:
        print("No adoption recorded 无启用记录: `skillaudit rules adopt FILE` (admin 管理员)")
        return EXIT_OK
    print(f"Adoptions 启用记录 ({len(got.history)}):")
    for h in got.history:
        print(f"  #{h['position']:<8} {h['adopted_at']}  {h['by']} ({h['role'] or '-'})  "
              f"{h['version']} {h['digest']}  {h['source']}  (replaced 取代 "
              f"{h['previous_digest']})")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    p = sub.add_parser("rules", help="the rules in force; adopt a rules file 规则")
    rs = p.add_subparsers(dest="rules_command", required=True, metavar="ACTION")

    s = rs.add_parser("adopt", help="make a rules file the rules in force (admin) 启用规则")
    s.add_argument("file", type=in_file, metavar="FILE", help="TOML rules merged over the "
                   "defaults; try it first with `detect --rules FILE --what-if`")
    add_db(s)
    s.add_argument("--by", help="who adopts it (default: the login name) 启用人")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_adopt)

    s = rs.add_parser("show", help="the rules in force, who adopted them and when 现行规则")
    add_db(s)
    add_as_of(s)
    s.add_argument("--text", action="store_true",
                   help="print the adopted rules file itself, as it was given")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

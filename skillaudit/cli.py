"""``skillaudit``: the command line. Parses arguments, calls the engine, prints results.

Every command prints for people by default (Chinese and English labels) and
one JSON document with ``--json`` for machines. Errors say what to do and
exit non-zero; nothing here holds business rules.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from engine.errors import SkillauditError, UsageError
from services import detection, ingestion, reading
from services.actor import Role
from services.detection import CATEGORIES
from skillaudit.args import add_as_of, add_db, in_file, non_negative_int, out_file, positive_int
from skillaudit.console import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    print_findings_summary,
    print_ingest_summary,
    print_json,
    print_pairs,
    print_run_notes,
    print_table,
    shown,
)
from skillaudit.progress import ProgressLine, ingest_progress
from skillaudit.wiring import actor_of, as_of_of, db_url, workbench_of

UNMASK_HELP = ("show ID numbers, phones, bank accounts and names in full "
               "(masked by default 默认脱敏)")


# -- the log: ingest, stats, verify, quarantine ------------------------------------------------

def cmd_ingest(a: argparse.Namespace) -> int:
    bar = ProgressLine("ingest 导入")
    try:
        summary = ingestion.ingest_files(workbench_of(a), actor_of(a), a.files,
                                         batch_lines=a.batch_lines,
                                         progress=None if a.json else ingest_progress(bar))
    finally:
        bar.close()
    if a.json:
        print_json(summary.as_json())
    else:
        print_ingest_summary(summary)
    return EXIT_FAIL if summary.failed or summary.notes else EXIT_OK


def cmd_stats(a: argparse.Namespace) -> int:
    s = ingestion.store_stats(workbench_of(a), actor_of(a))
    if a.json:
        print_json(s)
        return EXIT_OK
    print(f"Store 存储 {db_url(a.db)}")
    print_pairs([("events 事件总数", f"{s['events']:,}"),
                 *((f"  {t}", f"{n:,}") for t, n in s["by_type"].items()),
                 ("quarantined 隔离中", f"{s['quarantined']:,}"),
                 ("chain head 链头", "", s["chain_head"])])
    return EXIT_OK


def cmd_verify(a: argparse.Namespace) -> int:
    bar = ProgressLine("verify 校验")
    try:
        result = ingestion.verify_chain(
            workbench_of(a), actor_of(a), expect_head=a.head,
            progress=None if a.json else (lambda n: bar.update(n, None, "events", n)))
    finally:
        bar.close()
    if a.json:
        print_json({"ok": result.ok, "checked": result.checked, "chain_head": str(result.head),
                     "problem": None if result.ok else result.problem.__dict__})
    elif result.ok:
        print(f"Chain verified 哈希链校验通过: {result.checked:,} events, head 链头 {result.head}")
    else:
        assert result.problem is not None
        print(f"CHAIN BROKEN 哈希链被破坏: {result.problem.message}")
        print(f"  first bad event 首个异常事件: {result.problem.event_id} "
              f"(position 位置 {result.problem.position}); {result.checked:,} events before it "
              "verified. Restore the store from a trusted copy and re-ingest the sources.")
    return EXIT_OK if result.ok else EXIT_FAIL


def cmd_quarantine(a: argparse.Namespace) -> int:
    wb, actor = workbench_of(a), actor_of(a)
    if a.qcmd == "list":
        return _quarantine_list(ingestion.quarantine_entries(wb, actor, include_resolved=a.all),
                                a.json)
    if a.qcmd == "export":
        n = ingestion.export_quarantine(wb, actor, a.out)
        print(f"Wrote {n} open entries to {a.out}; edit their \"raw\" (a spreadsheet row's "
              f"\"row\") and run "
              f"`skillaudit quarantine retry --corrections {a.out}`.")
        return EXIT_OK
    corrections = ingestion.read_corrections(a.corrections) if a.corrections else None
    summary = ingestion.retry(wb, actor, a.id, corrections)
    if a.json:
        print_json({"resolved": summary.resolved, "still_failing": summary.still_failing,
                     "details": [{"id": i, "outcome": o, "detail": d}
                                 for i, o, d in summary.details]})
    else:
        print(f"Retried 重试: {summary.resolved} resolved 已解决, "
              f"{summary.still_failing} still failing 仍失败")
        for i, outcome, detail in summary.details:
            print(f"  #{i} {outcome}: {detail}")
    return EXIT_OK if summary.still_failing == 0 else EXIT_FAIL


def _quarantine_list(entries: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        print_json([{k: v for k, v in e.items() if k != "reason_zh"} for e in entries])
        return EXIT_OK
    if not entries:
        print("Quarantine is empty. 隔离区为空。")
        return EXIT_OK
    print(f"{len(entries)} quarantined line(s) 条隔离记录:")
    rows = []
    for e in entries:
        raw = e["raw"] if len(e["raw"]) <= 100 else e["raw"][:97] + "..."
        rows.append((f"#{e['id']}", e["status"], f"{e['source']}:{e['line']}",
                     f"{e['reason']} {e['reason_zh']}", f"{e['message']}\n{raw}"))
    print_table(["id", "status 状态", "line 位置", "reason 原因", "message 说明 / line 原文"],
                rows, right={0})
    print("Correct them: `skillaudit quarantine export --out fix.jsonl`, edit each \"raw\" (each "
          "\"row\" of a spreadsheet), then `skillaudit quarantine retry --corrections fix.jsonl`.")
    return EXIT_OK


# -- projections and read commands ------------------------------------------------------------

def cmd_project(a: argparse.Namespace) -> int:
    bar = ProgressLine("project 投影")
    try:
        summary = reading.project(workbench_of(a), actor_of(a), rebuild=a.rebuild, jobs=a.jobs,
                                  progress=lambda done, total, pos: bar.update(
                                      done, total, "events", done))
    finally:
        bar.close()
    if a.json:
        print_json({"from_position": summary.from_position, "to_position": summary.to_position,
                     "applied": summary.applied, "rebuilt": summary.rebuilt,
                     "seconds": round(summary.seconds, 3)})
    else:
        what = "Rebuilt 重建" if summary.rebuilt else "Applied 增量应用"
        print(f"{what}: {summary.applied:,} events (positions {summary.from_position:,} → "
              f"{summary.to_position:,}) in {summary.seconds:.2f}s")
    return EXIT_OK


def cmd_timeline(a: argparse.Namespace) -> int:
    t = reading.timeline(workbench_of(a), actor_of(a), a.kind, a.id, as_of=as_of_of(a),
                         unmask=a.unmask)
    if a.json:
        print_json([e.as_json() for e in t.entries])
        return EXIT_OK
    print(f"Timeline 时间线 {a.kind} {t.shown_id} — {len(t.entries)} events, as of 截至 "
          f"{t.as_of.label}")
    rows = []
    for e in t.entries:
        late = "  (补录 recorded later)" if e.recorded_at[:10] > e.occurred_at[:10] else ""
        fields = ", ".join(f"{k}={v}" for k, v in e.data.items() if k != "items")
        if "items" in e.data:
            fields += f", items={len(e.data['items'])}"
        rows.append((f"#{e.position}", e.occurred_at, e.type, fields + late))
    print_table(["position 位置", "occurred 发生时间", "event 事件", "data 内容"], rows)
    return EXIT_OK


def cmd_ledger(a: argparse.Namespace) -> int:
    from engine.money import yuan_str
    from projections.ledger import MONEY

    frame = reading.ledger(workbench_of(a), actor_of(a), county=a.county, year=a.year,
                           as_of=as_of_of(a))
    records = [{"county": r.county, "program": r.program, "year": int(r.year),
                **{m: yuan_str(getattr(r, f"{m}_fen")) for m in MONEY},
                "late_payments": int(r.late_payments)} for r in frame.itertuples()]
    if a.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No ledger rows (no budgets, claims or payments visible). 无资金台账数据。")
        return EXIT_OK
    heads = ["county 县区", "program 项目", "year 年度", "allocated 下达", "claimed 申领",
             "approved 审核", "paid 拨付", "recovered 追回", "remaining 结余", "late 逾期"]
    print_table(heads, [(str(r["county"]), str(r["program"]), str(r["year"]), r["allocated"],
                         r["claimed"], r["approved"], r["paid"], r["recovered"], r["remaining"],
                         r["paid_late"]) for r in records], right=range(2, len(heads)), indent=0)
    return EXIT_OK


def cmd_plan(a: argparse.Namespace) -> int:
    from projections.plan import Targets, write_table

    targets = Targets.load(a.targets)
    result = reading.plan(workbench_of(a), actor_of(a), targets, as_of=as_of_of(a),
                          dispatch_on=a.on, for_dispatch=bool(a.dispatch))
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    frame = result.frame
    if a.dispatch:
        path = write_table(frame, a.dispatch)
        print(f"Wrote the biweekly dispatch table 双周调度表 → {path}", file=sys.stderr)
    if a.json:
        print_json(frame.astype(object).where(frame.notna(), None).to_dict(orient="records"))
        return EXIT_OK
    print(f"Plan completion {targets.year} 年度计划完成情况 (ranked 排名), "
          f"as of {result.as_of.label}")
    print_table(["rank 排名", "county 县区", "overall 综合", "trained 培训", "certificates 取证",
                 "high-skill 高技能"],
                [(f"{r.rank}.", str(r.county),
                  "-" if r.overall_rate is None else f"{r.overall_rate:.1%}",
                  f"{r.trainees}/{r.trainees_target}",
                  f"{r.certificates}/{r.certificates_target}",
                  f"{r.high_skill}/{r.high_skill_target}") for r in frame.itertuples()],
                right={0, 2, 3, 4, 5})
    return EXIT_OK


def cmd_person(a: argparse.Namespace) -> int:
    report = reading.person(workbench_of(a), actor_of(a), a.id, as_of=as_of_of(a),
                            unmask=a.unmask)
    print_json(report) if a.json else _print_report(report)
    return EXIT_OK


def cmd_institution(a: argparse.Namespace) -> int:
    report = reading.institution(workbench_of(a), actor_of(a), a.id, as_of=as_of_of(a))
    print_json(report) if a.json else _print_report(report)
    return EXIT_OK


def _print_report(report: dict[str, Any], indent: str = "") -> None:
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_report(value, indent + "  ")
        elif isinstance(value, list):
            print(f"{indent}{key}: ({len(value)})")
            for item in value:
                line = ", ".join(f"{k}={shown(v)}" for k, v in item.items()) if isinstance(
                    item, dict) else shown(item)
                print(f"{indent}  - {line}")
        elif key == "age" and report.get("date_of_death"):
            print(f"{indent}{key}: {shown(value)} (at death 去世时)")
        else:
            print(f"{indent}{key}: {shown(value)}")


# -- detection and findings --------------------------------------------------------------------

def _check_format(a: argparse.Namespace) -> None:
    """A spreadsheet cannot go to a terminal: refuse before any work is done."""
    if a.format == "xlsx" and not a.out:
        raise UsageError("--format xlsx writes a spreadsheet: add --out FILE.xlsx "
                         "(or use --format csv|jsonl for standard output)")


def cmd_detect(a: argparse.Namespace) -> int:
    from findings.listing import write_findings
    from skillaudit.cli_rules import check_detect_flags, cmd_what_if

    check_detect_flags(a)
    if a.what_if:
        return cmd_what_if(a)
    _check_format(a)
    wb = workbench_of(a)
    wb.rules  # noqa: B018 (a bad rules file fails before any work)
    bar = ProgressLine("detect 检测")
    try:
        done = detection.detect(wb, actor_of(a), categories=a.category, unmask=a.unmask,
                                progress=lambda code, n, total: bar.update(
                                    n, total, "detectors", n, None, code))
    finally:
        bar.close()
    report, records = done.report, done.records
    if a.format != "table" or a.out:
        text = write_findings(records, "jsonl" if a.format == "table" else a.format, a.out)
        if text:
            sys.stdout.write(text)
    if a.out or a.format == "table":
        print(f"Detection run 检测 {report.run_id}: {len(report.findings)} findings "
              f"({report.new} new 新增, {report.changed} changed 变化, {report.known} known 已知) "
              f"under rules 规则 {report.rules_version} ({report.rules_digest})",
              file=sys.stderr if a.format != "table" else sys.stdout)
    notes_to = sys.stderr if a.format != "table" else sys.stdout
    print_run_notes(report.guards, {}, notes_to)  # before any finding: it qualifies them
    if a.format == "table":
        print_findings_summary(records)
        if a.out:
            print(f"Written 已写入 → {a.out}")
    print_run_notes({}, report.not_checked, notes_to)
    for code, error in report.errors.items():
        print(f"error 错误: detector {code} failed and was skipped (its earlier findings are "
              f"kept as they were): {error}; the other detectors' findings are recorded. "
              "Please report this with the store's chain head 检测器出错", file=sys.stderr)
    return EXIT_FAIL if report.errors else EXIT_OK


def cmd_findings(a: argparse.Namespace) -> int:
    from findings.listing import write_findings

    _check_format(a)
    listed = detection.list_findings(workbench_of(a), actor_of(a), as_of=as_of_of(a),
                                     categories=a.category, only_new=a.new,
                                     include_dismissed=a.all, unmask=a.unmask)
    records, notes = listed.records, listed.notes
    notes_to = sys.stderr if a.json or a.format != "table" else sys.stdout
    print_run_notes(notes.guards, {}, notes_to)  # before any finding: it qualifies them
    if a.json:
        print_json(records)
    elif a.format != "table":
        text = write_findings(records, a.format, a.out)
        if text:
            sys.stdout.write(text)
    else:
        print_findings_summary(records, top=a.top)
    print_run_notes({}, notes.not_checked, notes_to)
    return EXIT_OK


# -- generate and demo -------------------------------------------------------------------------

def cmd_generate(a: argparse.Namespace) -> int:
    from synth import generate

    bar = ProgressLine("generate 生成")
    started = time.perf_counter()
    try:
        summary = generate(a.persons, a.seed, a.out, a.truth,
                           progress=lambda done, total: bar.update(
                               done, total, "persons", done, time.perf_counter() - started),
                           rules=a.rules_out)
    finally:
        bar.close()
    if a.json:
        print_json({"events": summary.events, "persons": summary.persons,
                     "by_type": summary.by_type, "injected": summary.injected,
                     "lookalikes": summary.lookalikes, "out": str(summary.out),
                     "truth": str(summary.truth), "rules": str(summary.rules),
                     "seconds": round(summary.seconds, 2)})
    else:
        print(f"Generated 已生成 {summary.events:,} events for {summary.persons:,} persons "
              f"in {summary.seconds:.1f}s → {summary.out}")
        print(f"  injected irregularities 注入违规 {summary.injected}, legitimate look-alikes "
              f"合规相似案例 {summary.lookalikes} → {summary.truth}")
        print(f"  the city's published policy as a rules file 本市政策规则文件 → {summary.rules} "
              f"(detect with --rules {summary.rules})")
    return EXIT_OK


def cmd_demo(a: argparse.Namespace) -> int:
    from skillaudit.demo import demo_url, run_demo

    done = run_demo(persons=a.persons, seed=a.seed, db=a.db, workdir=Path(a.dir),
                    actor=actor_of(a))
    if done != EXIT_OK or not a.serve:
        return done
    serve = build_parser().parse_args(
        ["serve", "--db", demo_url(a.db, Path(a.dir)), "--port", str(a.port),
         "--files", str(Path(a.dir) / "skillaudit-files")])
    return int(serve.func(serve))


# -- parser ------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="skillaudit",
        description="Event-sourced audit of subsidised skills training 职业技能培训补贴审计",
    )
    p.add_argument("--debug", action="store_true",
                   help="show the Python traceback of an error (for reporting defects)")
    p.add_argument("--role", choices=[r.value for r in Role if r is not Role.SYSTEM],
                   help="act in this role, as the workbench's accounts do: what it may not see "
                        "or do is refused (default $SKILLAUDIT_ROLE, else operator: the "
                        "database's own console, which may do everything) 角色")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND",
                           parser_class=Parser)

    s = sub.add_parser("ingest", help="store JSONL events (files, .gz, or - for stdin) 导入事件")
    s.add_argument("files", nargs="+", metavar="FILE")
    add_db(s)
    s.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    s.add_argument("--batch-lines", type=positive_int, default=20_000, help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("stats", help="events by type and the chain head 统计")
    add_db(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_stats)

    s = sub.add_parser("verify", help="recompute the hash chain 校验哈希链")
    add_db(s)
    s.add_argument("--json", action="store_true")
    s.add_argument("--head", help="also require this chain head (SEQ:HASH or HASH) noted earlier")
    s.set_defaults(func=cmd_verify)

    q = sub.add_parser("quarantine", help="list, export and retry malformed lines 隔离区")
    qsub = q.add_subparsers(dest="qcmd", required=True, metavar="ACTION")
    s = qsub.add_parser("list", help="list quarantined lines")
    add_db(s)
    s.add_argument("--json", action="store_true")
    s.add_argument("--all", action="store_true", help="include resolved entries")
    s = qsub.add_parser("export", help="write open entries as JSONL for correction")
    add_db(s)
    s.add_argument("--out", required=True, type=out_file)
    s = qsub.add_parser("retry", help="validate open entries again (corrected if given)")
    add_db(s)
    s.add_argument("--id", type=positive_int, action="append", help="only this entry (repeatable)")
    s.add_argument("--corrections", type=in_file,
                   help="JSONL of {\"id\", \"raw\"} from `quarantine export`")
    s.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_quarantine)

    s = sub.add_parser("project", help="bring the read models up to date 更新投影")
    add_db(s)
    s.add_argument("--rebuild", action="store_true", help="drop the read models, start from 0")
    s.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                   help="processes for a SQLite rebuild (default: one per core; 1 = no helpers)"
                        " 重建进程数")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_project)

    s = sub.add_parser("timeline", help="every event about a subject 时间线")
    s.add_argument("kind", choices=["person", "class", "institution", "claim", "agency",
                                    "employer", "payment", "voucher"])
    s.add_argument("id")
    add_db(s)
    add_as_of(s)
    s.add_argument("--unmask", action="store_true", help=UNMASK_HELP)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_timeline)

    s = sub.add_parser("ledger", help="fund ledger per county × programme × year 资金台账")
    add_db(s)
    add_as_of(s)
    s.add_argument("--county")
    s.add_argument("--year", type=int)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ledger)

    s = sub.add_parser("plan", help="plan completion and ranking per county 计划完成")
    add_db(s)
    add_as_of(s)
    s.add_argument("--targets", required=True, type=in_file, help="TOML targets per county")
    s.add_argument("--dispatch", metavar="OUT", type=out_file,
                   help="write the biweekly table (.csv or .xlsx)")
    s.add_argument("--on", help="the dispatch date (default: as-of date or today)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_plan)

    s = sub.add_parser("person", help="a person's trainings and subsidies 人员查询")
    s.add_argument("id")
    add_db(s)
    add_as_of(s)
    s.add_argument("--unmask", action="store_true", help=UNMASK_HELP)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_person)

    s = sub.add_parser("institution", help="an institution's classes, rates and money 机构查询")
    s.add_argument("id")
    add_db(s)
    add_as_of(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_institution)

    categories = list(CATEGORIES)
    s = sub.add_parser("detect", help="run every detector and record findings 运行检测")
    add_db(s)
    s.add_argument("--rules", type=in_file, help="TOML rules merged over the defaults "
                   "(default: the rules in force, see `skillaudit rules show`)")
    s.add_argument("--category", action="append", choices=categories)
    s.add_argument("--format", choices=["table", "jsonl", "csv", "xlsx"], default="table")
    s.add_argument("--out", type=out_file, help="write findings to this file")
    s.add_argument("--unmask", action="store_true", help=UNMASK_HELP)
    s.add_argument("--what-if", action="store_true",
                   help="record nothing: show what the --rules file would change against the "
                        "rules in force (new, gone, changed findings by rule) 假设分析")
    add_as_of(s)
    s.add_argument("--json", action="store_true", help="with --what-if: one JSON document")
    s.add_argument("--top", type=positive_int, metavar="N",
                   help="with --what-if: findings shown of each kind (default 5)")
    s.set_defaults(func=cmd_detect)

    s = sub.add_parser("findings", help="list recorded findings 查看问题")
    add_db(s)
    add_as_of(s)
    s.add_argument("--new", action="store_true", help="only those first raised by the last run")
    s.add_argument("--category", action="append", choices=categories)
    s.add_argument("--json", action="store_true")
    s.add_argument("--format", choices=["table", "jsonl", "csv", "xlsx"], default="table")
    s.add_argument("--out", type=out_file)
    s.add_argument("--top", type=positive_int, default=20)
    s.add_argument("--unmask", action="store_true", help=UNMASK_HELP)
    s.add_argument("--all", action="store_true", help="include dismissed findings 含已排除")
    s.set_defaults(func=cmd_findings)

    from skillaudit import (
        cli_casework,
        cli_credit,
        cli_evidence,
        cli_imports,
        cli_reports,
        cli_rules,
        cli_streams,
        cli_web,
    )

    for family in (cli_imports, cli_casework, cli_evidence, cli_credit, cli_reports, cli_rules,
                   cli_streams, cli_web):
        family.register(sub)

    s = sub.add_parser("generate", help="write a synthetic city as JSONL 生成模拟城市")
    s.add_argument("--persons", type=positive_int, default=20_000)
    s.add_argument("--seed", type=non_negative_int, default=1)
    s.add_argument("--out", required=True, type=out_file, help="JSONL file (.gz to compress)")
    s.add_argument("--truth", type=out_file, help="truth file (default: next to --out)")
    s.add_argument("--rules-out", type=out_file,
                   help="rules file of the city's published policy (default: next to --out)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_generate)

    s = sub.add_parser("demo", help="generate a small city, ingest it and report 演示")
    s.add_argument("--persons", type=positive_int, default=2_000)
    s.add_argument("--seed", type=non_negative_int, default=7)
    s.add_argument("--db", help="store URL (default sqlite:///skillaudit-demo.db)")
    s.add_argument("--dir", default=".", help="where to write the demo files")
    s.add_argument("--serve", action="store_true",
                   help="then start the web workbench on the demo store (Ctrl-C stops it) "
                        "演示后启动网页工作台")
    s.add_argument("--port", type=positive_int, default=8000,
                   help="the workbench's port with --serve (default 8000)")
    s.set_defaults(func=cmd_demo)
    return p


class Parser(argparse.ArgumentParser):
    """argparse with a wrong argument said in one line (and exit code 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error 错误: {self.prog}: {message} "
                              f"(see `{self.prog} --help` 查看帮助)\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = args.debug or bool(os.environ.get("SKILLAUDIT_DEBUG"))
    try:
        return int(args.func(args))
    except SkillauditError as exc:
        if debug:
            traceback.print_exc()
        print(f"error 错误: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("\ninterrupted 已中断: every committed batch is kept; rerun the same command to "
              "go on (nothing is stored twice).", file=sys.stderr)
        return 130
    except Exception as exc:  # a defect: one line for the user, the traceback on request
        if debug:
            raise
        print(f"internal error 内部错误: {type(exc).__name__}: {exc}. Nothing half-done is "
              "kept: stored events stand, a rerun goes on. Rerun with --debug and report "
              "the traceback 请加 --debug 重试并报告.", file=sys.stderr)
        return EXIT_FAIL

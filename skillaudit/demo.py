"""``skillaudit demo``: a synthetic city from generation to a verified store, in one command."""

from __future__ import annotations

import time
from pathlib import Path

from engine.store.factory import normalise_url
from services import detection, ingestion
from services.actor import Actor
from services.workbench import Workbench
from skillaudit.console import (
    print_findings_summary,
    print_ingest_summary,
    print_pairs,
    print_run_notes,
    print_table,
)
from skillaudit.progress import ProgressLine, ingest_progress

DEMO_DB = "sqlite:///skillaudit-demo.db"


def demo_url(db: str | None, workdir: Path) -> str:
    """The demo's store: ``--db`` when given, else a SQLite file in the demo's folder."""
    return normalise_url(db) if db else f"sqlite:///{workdir / 'skillaudit-demo.db'}"


def run_demo(persons: int, seed: int, db: str | None, workdir: Path, actor: Actor) -> int:
    """Generate, ingest with progress, verify, and print what was stored."""
    from synth import generate

    workdir.mkdir(parents=True, exist_ok=True)
    url = demo_url(db, workdir)
    events_file = workdir / "skillaudit-demo.jsonl.gz"
    print(f"1/5 Generating a synthetic city of {persons:,} persons (seed {seed}) "
          f"生成模拟城市 → {events_file}")
    bar = ProgressLine("generate 生成")
    started = time.perf_counter()
    try:
        city = generate(persons, seed, events_file, None,
                        progress=lambda done, total: bar.update(
                            done, total, "persons", done, time.perf_counter() - started))
    finally:
        bar.close()
    print(f"    {city.events:,} events, {city.injected} injected irregularities, "
          f"{city.lookalikes} legitimate look-alikes ({city.seconds:.1f}s); truth: {city.truth}")

    print(f"2/5 Ingesting into {url} 导入事件库")
    wb = Workbench(url, str(city.rules))
    bar = ProgressLine("ingest 导入")
    try:
        summary = ingestion.ingest_files(wb, actor, [str(events_file)],
                                         progress=ingest_progress(bar))
    finally:
        bar.close()
    print_ingest_summary(summary)
    print("3/5 Verifying the hash chain 校验哈希链")
    result = ingestion.verify_chain(wb, actor)
    stats = ingestion.store_stats(wb, actor)
    status = "OK 通过" if result.ok else f"BROKEN 被破坏: {result.problem}"
    print(f"    chain {status}: {result.checked:,} events, head {result.head}")
    print("What is stored 已存储内容:")
    print_pairs([*((t, f"{n:,}") for t, n in sorted(stats["by_type"].items(),
                                                     key=lambda kv: -kv[1])),
                 ("total 合计", f"{stats['events']:,}")], indent=4)
    if not result.ok:
        return 1

    print(f"4/5 Projecting and detecting under the city's published policy 按本市政策规则检测 "
          f"({city.rules})")
    bar = ProgressLine("detect 检测")
    try:
        done = detection.detect(wb, actor, progress=lambda code, n, total: bar.update(
            n, total, "detectors", n, None, code))
    finally:
        bar.close()
    report, records = done.report, done.records
    print(f"    {len(report.findings):,} findings ({report.new} new) under rules "
          f"{report.rules_version} ({report.rules_digest}), "
          f"{sum(report.seconds.values()):.1f}s over {len(report.seconds)} detectors")
    print_run_notes(report.guards, {})  # before any finding: it qualifies them
    print_findings_summary(records, top=8)
    print_run_notes({}, report.not_checked)
    out = workdir / "skillaudit-demo-findings.csv"
    from findings.listing import write_findings

    write_findings(records, "csv", out)
    print(f"5/5 Report 报告 → {out} (ID numbers, phones, accounts and names masked 个人信息已脱敏)")
    print(f"Next 下一步: skillaudit findings --db {url} · skillaudit timeline person ID --db {url}"
          f" · skillaudit ledger --db {url}")
    print_web(wb, actor, url)
    return 0


DEMO_ACCOUNTS = (("demo-investigator", "investigator", "调查员"),
                 ("demo-finance", "finance", "财务"), ("demo-inspector", "inspector", "督查"),
                 ("demo-admin", "admin", "管理员"))
WEB_ADDRESS = "http://127.0.0.1:8000/"


def print_web(wb: Workbench, actor: Actor, url: str) -> None:
    """One demo account per role (a fresh password each run), and how to open the workbench."""
    from services import accounts

    print(f"Web workbench 网页工作台: skillaudit serve --db {url}  →  {WEB_ADDRESS} "
          f"(API {WEB_ADDRESS}api/docs); `skillaudit demo --serve` starts it right after the "
          f"demo 演示后直接启动")
    print("Demo accounts 演示账号 (passwords shown once 密码仅显示一次):")
    rows = []
    for name, role, zh in DEMO_ACCOUNTS:
        if accounts.find_account(wb, name) is None:
            _, password = accounts.add_account(wb, actor, name, role)
        else:
            _, password = accounts.reset_password(wb, actor, name)
        rows.append([f"{role} {zh}", name, password])
    print_table(["role 角色", "account 账号", "password 密码"], rows, indent=4)

"""CLI commands for fund-safety reports: ``skillaudit report funds --out FILE.xlsx|html``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from skillaudit.args import out_file

FORMATS = (".xlsx", ".html", ".htm")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    from skillaudit.args import add_as_of, add_db

    r = sub.add_parser("report", help="reports for finance departments 财务报告")
    rsub = r.add_subparsers(dest="rcmd", required=True, metavar="REPORT")
    s = rsub.add_parser("funds", help="fund safety per county × programme × year 资金安全报告")
    s.add_argument("--out", required=True, metavar="FILE", type=out_file,
                   help="FILE.xlsx (one sheet per table, charts as images) or FILE.html "
                        "(self-contained, opens with no network)")
    add_db(s)
    add_as_of(s)
    s.add_argument("--county", help="only this county 仅此县区")
    s.add_argument("--year", type=int, help="only this year 仅此年度")
    s.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    s.set_defaults(func=cmd_report_funds)


def cmd_report_funds(a: argparse.Namespace) -> int:
    from engine.money import yuan_str
    from reports.charts import fund_charts
    from reports.funds import fund_report
    from reports.html import render_html
    from reports.xlsx import write_xlsx
    from skillaudit.console import EXIT_OK, EXIT_USAGE, label, print_json
    from skillaudit.wiring import views_of

    out = Path(a.out)
    if out.suffix.lower() not in FORMATS:
        print(f"error 错误: --out {a.out!r} must end in .xlsx or .html "
              "(e.g. --out funds.xlsx) 请以 .xlsx 或 .html 结尾", file=sys.stderr)
        return EXIT_USAGE
    if not out.parent.exists():
        print(f"error 错误: the folder {out.parent} does not exist; create it first "
              "目录不存在，请先创建", file=sys.stderr)
        return EXIT_USAGE
    views = views_of(a)
    report = fund_report(views, a.county, a.year)
    charts = fund_charts(report)
    generated_at = datetime.now().astimezone().isoformat(timespec="seconds")
    if out.suffix.lower() == ".xlsx":
        write_xlsx(report, charts, out, generated_at)
    else:
        out.write_text(render_html(report, charts, generated_at), encoding="utf-8")
    summary = [{"item": r.item,
                "amount": None if r.amount_fen is None or r.amount_fen != r.amount_fen
                else yuan_str(int(r.amount_fen)),
                "count": None if r.count is None or r.count != r.count else int(r.count)}
               for r in report.summary.astype(object).where(report.summary.notna(), None)
               .itertuples()]
    if a.json:
        print_json({"out": str(out), "as_of": report.as_of, "county": a.county,
                     "year": a.year, "rows": len(report.ledger),
                     "at_risk": yuan_str(report.findings_total_fen), "summary": summary})
        return EXIT_OK
    print(f"Fund safety report 资金安全报告 → {out}  (as of 截至 {report.as_of})")
    for s in summary:
        amount = s["amount"] if s["amount"] is not None else ""
        count = f"{s['count']:>6}" if s["count"] is not None else ""
        print(f"  {label(s['item'], 58)}{amount:>16} {count}")
    return EXIT_OK

"""CLI commands for fund-safety reports: ``skillaudit report funds --out FILE.xlsx|html``."""

from __future__ import annotations

import argparse
from pathlib import Path

from skillaudit.args import out_file


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
    from services.reports import fund_safety
    from skillaudit.console import EXIT_OK, print_json, print_pairs
    from skillaudit.wiring import actor_of, as_of_of, workbench_of

    out = Path(a.out)
    report, summary = fund_safety(workbench_of(a), actor_of(a), out, county=a.county,
                                  year=a.year, as_of=as_of_of(a))
    if a.json:
        print_json({"out": str(out), "as_of": report.as_of, "county": a.county,
                     "year": a.year, "rows": len(report.ledger),
                     "at_risk": yuan_str(report.findings_total_fen), "summary": summary})
        return EXIT_OK
    print(f"Fund safety report 资金安全报告 → {out}  (as of 截至 {report.as_of})")
    print_pairs([(s["item"], "" if s["amount"] is None else str(s["amount"]),
                  "" if s["count"] is None else str(s["count"])) for s in summary],
                right={1, 2})
    return EXIT_OK

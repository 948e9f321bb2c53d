"""Use cases of reports for finance departments: the fund-safety report."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from engine.errors import UsageError
from engine.money import yuan_str
from projections.asof import NOW, AsOf
from reports.charts import fund_charts
from reports.funds import FundReport, fund_report
from reports.html import render_html
from reports.xlsx import write_xlsx
from services.actor import Actor, Permission
from services.workbench import Workbench

FORMATS = (".xlsx", ".html", ".htm")


def check_report_path(out: str | Path) -> Path:
    """Refuse, before any work, a file the report cannot be written as."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise UsageError(f"--out {str(out)!r} must end in .xlsx or .html "
                         "(e.g. --out funds.xlsx) 请以 .xlsx 或 .html 结尾")
    if not out.parent.exists():
        raise UsageError(f"the folder {out.parent} does not exist; create it first "
                         "目录不存在，请先创建")
    return out


def fund_safety(wb: Workbench, actor: Actor, out: str | Path, *, county: str | None = None,
                year: int | None = None, as_of: AsOf = NOW) -> tuple[FundReport, list[dict]]:
    """Write the fund-safety report (xlsx or self-contained html); its summary rows."""
    actor.require(Permission.READ)
    out = check_report_path(out)
    report = fund_report(wb.views(as_of), county, year)
    charts = fund_charts(report)
    generated_at = datetime.now().astimezone().isoformat(timespec="seconds")
    if out.suffix.lower() == ".xlsx":
        write_xlsx(report, charts, out, generated_at)
    else:
        out.write_text(render_html(report, charts, generated_at), encoding="utf-8")
    summary: list[dict[str, Any]] = [
        {"item": r.item,
         "amount": None if r.amount_fen is None or r.amount_fen != r.amount_fen
         else yuan_str(int(r.amount_fen)),
         "count": None if r.count is None or r.count != r.count else int(r.count)}
        for r in report.summary.astype(object).where(report.summary.notna(), None)
        .itertuples()]
    return report, summary

"""The fund report as an XLSX workbook: one sheet per table, the charts as images.

Money cells hold exact yuan (``Decimal``, written digit for digit) with a
``#,##0.00`` format, so Excel sums them as numbers; headings are bilingual and
frozen; the charts sheet holds the PNGs with their titles and label keys.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.charts import Chart
from reports.funds import FundReport, display

SHEETS = {"summary": "summary 汇总", "warnings": "warnings 规则警示",
          "not_checked": "not checked 未检查", "ledger": "ledger 台账",
          "at_risk": "at risk 风险资金",
          "late_payments": "late 逾期支付", "vouchers": "vouchers 未核销券",
          "findings": "findings 问题", "charts": "charts 图表"}
MONEY_FORMAT = "#,##0.00"
CHART_ROWS = 22  # rows an image of 7.5 × 3.8 inches at 100 dpi covers, plus a gap
HEAD_FILL = PatternFill("solid", fgColor="EEF2F6")


def write_xlsx(report: FundReport, charts: list[Chart], path: str | Path,
               generated_at: str) -> Path:
    """Write the workbook to ``path`` and return it."""
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    for name, (title, frame) in report.tables().items():
        ws = wb.create_sheet(SHEETS[name])
        ws["A1"] = title
        ws["A1"].font = Font(bold=True, size=13)
        ws["A2"] = f"as of 截至 {report.as_of} · generated 生成于 {generated_at} · yuan 元"
        shown = display(frame)
        for col, heading in enumerate(shown.columns, 1):
            cell = ws.cell(row=4, column=col, value=str(heading))
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(col)].width = max(12, min(
                28, len(str(heading)) + 2))
        for r, row in enumerate(shown.itertuples(index=False), 5):
            for col, value in enumerate(row, 1):
                cell = ws.cell(row=r, column=col, value=_value(value))
                if isinstance(value, Decimal):
                    cell.number_format = MONEY_FORMAT
        ws.freeze_panes = "A5"
    ws = wb.create_sheet(SHEETS["charts"])
    row = 1
    for chart in charts:
        ws.cell(row=row, column=1, value=chart.title).font = Font(bold=True, size=12)
        if chart.key:
            ws.cell(row=row + 1, column=1, value="Key 图例: " + "; ".join(
                f"{k} = {v}" for k, v in chart.key.items()))
        image = Image(io.BytesIO(chart.png))
        ws.add_image(image, f"A{row + 2}")
        row += CHART_ROWS + 2
    out = Path(path)
    wb.save(out)
    return out


def _value(value: object) -> object:
    """A cell value openpyxl writes exactly (numpy scalars become Python ones)."""
    if value is None or isinstance(value, str | Decimal | bool):
        return value
    item = getattr(value, "item", None)
    return item() if callable(item) else value

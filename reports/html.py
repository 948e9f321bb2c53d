"""The fund report as one self-contained HTML document: it opens in a browser with no network.

Everything is inside the file: CSS inline in a ``<style>`` element, charts as
``data:image/png;base64`` URIs, no script, no font, no link to anything. Money
is printed as exact yuan with two decimals, right-aligned; headings are
bilingual.
"""

from __future__ import annotations

import base64
import numbers
from decimal import Decimal
from html import escape

import pandas as pd

from reports.charts import Chart
from reports.funds import FundReport, display

CSS = """
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; border-bottom: 2px solid #2f6690; padding-bottom: .3em; }
h2 { font-size: 1.15em; margin-top: 2em; color: #2f6690; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1em; }
th, td { border: 1px solid #ccd; padding: .25em .5em; vertical-align: top; }
th { background: #eef2f6; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f7f7f7; }
.meta { color: #555; font-size: .9em; }
figure { margin: 1em 0; } figcaption { font-weight: bold; margin-bottom: .3em; }
img { max-width: 100%; height: auto; }
.empty { color: #777; font-style: italic; }
.warn { border-left: 4px solid #c0392b; background: #fdf2f0; padding: .5em 1em; }
"""


def render_html(report: FundReport, charts: list[Chart], generated_at: str) -> str:
    """The whole document as text (UTF-8 when written)."""
    scope = ", ".join(x for x in (report.county and f"county 县区 {report.county}",
                                  report.year and f"year 年度 {report.year}") if x)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Fund safety report 资金安全报告</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<h1>Fund safety report 职业技能培训补贴资金安全报告</h1>",
        f'<p class="meta">As of 截至: {escape(report.as_of)} · generated 生成于 '
        f"{escape(generated_at)}{' · ' + escape(scope) if scope else ''} · money in yuan "
        "金额单位：元</p>",
        '<p class="meta">Findings are attributed to a county × programme × year through the '
        "claims or payments they name (split equally when they name several); findings naming "
        "neither are counted as unattributed. 问题金额按其涉及的申请或付款归属到县区、项目和年度；"
        "均未涉及的单列为“无法归属”。</p>",
    ]
    for _, w in report.warnings.iterrows():  # before any money: it qualifies the money
        parts.append(f'<p class="warn">Warning 警告 <a href="#warnings">{escape(w["code"])}'
                     f"</a>: {escape(w['warning'])}</p>")
    for name, (title, frame) in report.tables().items():
        parts.append(f'<h2 id="{name}">{escape(title)}</h2>')
        parts.append(_table(frame, total=name in ("ledger", "at_risk", "late_payments")))
        if name == "summary":
            parts.append('<h2 id="charts">Charts 图表</h2>')
            parts.extend(_figure(c) for c in charts)
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _figure(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    out = [f'<figure id="chart-{chart.name}">',
           f"<figcaption>{escape(chart.title)}</figcaption>",
           f'<img alt="{escape(chart.title)}" src="data:image/png;base64,{data}">']
    if chart.key:
        out.append("<p class=\"meta\">Key 图例: " + "; ".join(
            f"{escape(k)} = {escape(v)}" for k, v in chart.key.items()) + "</p>")
    out.append("</figure>")
    return "\n".join(out)


def _table(frame: pd.DataFrame, *, total: bool) -> str:
    if frame.empty:
        return '<p class="empty">None. 无。</p>'
    shown = display(frame)
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown.columns)
    rows = [f"<tr>{''.join(_cell(v) for v in r)}</tr>" for r in shown.itertuples(index=False)]
    if total:
        rows.append(_total_row(frame, shown))
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + \
        "\n</tbody>\n</table>"


def _total_row(frame: pd.DataFrame, shown: pd.DataFrame) -> str:
    """Σ of every money and count column (keys blank), so a reader can reconcile."""
    cells = []
    for i, col in enumerate(frame.columns):
        summable = col.endswith("_fen") or col in ("findings", "late_payments", "vouchers_open")
        if i == 0:
            cells.append("<td>total 合计</td>")
        elif summable:
            value = display(frame[[col]].sum().to_frame().T).iloc[0, 0]
            cells.append(_cell(value))
        else:
            cells.append("<td></td>")
    return f'<tr class="total">{"".join(cells)}</tr>'


def _cell(value: object) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, Decimal):
        return f'<td class="num">{value:,.2f}</td>'
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(str(value))}</td>"

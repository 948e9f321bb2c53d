"""The fund report's charts: matplotlib figures rendered here, with Agg, to PNG bytes.

Figures are built with the object API (``Figure`` + ``FigureCanvasAgg``), never
``pyplot``, so rendering touches no global state and needs no display. PNG
metadata is fixed, so the same report gives the same bytes.

County names are Chinese. When no CJK font is installed (a bare server), a
label the font cannot draw is replaced by a short code (``K1``, ``K2``…) and
the chart carries the key, which the HTML and XLSX print as text beside it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import StrMethodFormatter

from reports.funds import CATEGORIES, UNATTRIBUTED, FundReport

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
             "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback")

YUAN = "{x:,.0f}"  # 1,500,000 rather than 1.5 with a "1e6" offset


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its name, bilingual title, PNG bytes and label key (code → text)."""

    name: str
    title: str
    png: bytes
    key: dict[str, str] = field(default_factory=dict)


@cache
def cjk_font() -> str | None:
    """The first installed font that draws Chinese, or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def fund_charts(report: FundReport) -> list[Chart]:
    """Paid vs allocated per county, at risk by category, late payments by year."""
    return [_paid_vs_allocated(report), _at_risk_by_category(report),
            _late_by_year(report)]


# -- the three charts -----------------------------------------------------------------------

def _paid_vs_allocated(report: FundReport) -> Chart:
    t = report.ledger[report.ledger["county"] != UNATTRIBUTED]
    per = t.groupby("county", sort=True)[["allocated_fen", "paid_fen", "at_risk_fen"]].sum()
    labels, key = _labels([str(c) for c in per.index])
    fig, ax = _figure()
    x = range(len(labels))
    w = 0.27
    ax.bar([i - w for i in x], _yuan(per["allocated_fen"]), w, label="allocated", color="#9db4c0")
    ax.bar(list(x), _yuan(per["paid_fen"]), w, label="paid", color="#2f6690")
    ax.bar([i + w for i in x], _yuan(per["at_risk_fen"]), w, label="at risk", color="#c0392b")
    ax.set_xticks(list(x), labels, rotation=30 if len(labels) > 6 else 0, ha="right"
                  if len(labels) > 6 else "center")
    ax.set_ylabel("yuan")
    ax.yaxis.set_major_formatter(StrMethodFormatter(YUAN))
    ax.set_title("Allocated, paid and at risk per county")
    _finish(ax, empty=per.empty)
    return Chart("paid_vs_allocated", "Allocated, paid and at risk per county "
                 "各县区下达、拨付与风险资金", _png(fig), key)


def _at_risk_by_category(report: FundReport) -> Chart:
    a = report.at_risk.groupby("category")["at_risk_fen"].sum()
    cats = [c for c in CATEGORIES if c in a.index] + sorted(set(a.index) - set(CATEGORIES))
    values = [a.get(c, 0) for c in cats]
    fig, ax = _figure()
    ax.barh(cats, _yuan(pd.Series(values, dtype="int64")), color="#c0392b")
    ax.invert_yaxis()
    ax.set_xlabel("yuan")
    ax.xaxis.set_major_formatter(StrMethodFormatter(YUAN))
    ax.set_title("Money at risk by finding category")
    _finish(ax, empty=not cats)
    return Chart("at_risk_by_category", "Money at risk by finding category 按问题类别的风险资金",
                 _png(fig))


def _late_by_year(report: FundReport) -> Chart:
    late = report.late_payments.groupby("year").agg(n=("payment_id", "size"),
                                                     amount=("amount_fen", "sum"))
    fig, ax = _figure()
    years = [str(y) for y in late.index]
    bars = ax.bar(years, _yuan(late["amount"]), width=0.5, color="#e67e22")
    for bar, n in zip(bars, late["n"], strict=True):
        ax.annotate(f"{n} payment{'s' if n != 1 else ''}", (bar.get_x() + bar.get_width() / 2,
                    bar.get_height()), ha="center", va="bottom", fontsize=8)
    ax.set_xlabel("year of the claim")
    ax.set_ylabel("yuan paid late")
    ax.yaxis.set_major_formatter(StrMethodFormatter(YUAN))
    ax.set_title("Payments past the 31 March deadline, by year")
    _finish(ax, empty=late.empty)
    return Chart("late_by_year", "Payments past the 31 March deadline, by year "
                 "按年度的逾期支付", _png(fig))


# -- helpers --------------------------------------------------------------------------------

def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(7.5, 3.8), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def _labels(texts: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Labels as given when they can be drawn, else codes with a key."""
    if cjk_font() or all(t.isascii() for t in texts):
        return list(texts), {}
    key = {f"K{i}": t for i, t in enumerate(texts, 1)}
    return list(key), key


def _yuan(fen: pd.Series) -> list[float]:
    """Yuan as floats: for bar heights only, never for a number a reader sees."""
    return [int(v) / 100 for v in fen]


def _finish(ax: Axes, *, empty: bool) -> None:
    if empty:
        ax.text(0.5, 0.5, "nothing to show", ha="center", va="center",
                transform=ax.transAxes, color="#777777")
    elif ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)
    ax.grid(alpha=0.25)


def _png(fig: Figure) -> bytes:
    font = cjk_font()
    if font:
        for text in fig.findobj(Text):
            text.set_fontfamily([font, "DejaVu Sans"])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()

"""The rendered report: self-contained HTML that parses, an XLSX with its sheets and images."""

from __future__ import annotations

import base64
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from reports.charts import Chart, cjk_font, fund_charts
from reports.funds import FundReport, fund_report
from reports.html import render_html
from reports.xlsx import SHEETS, write_xlsx
from tests.detectors import test_comp_voucher_not_written_off as voucher_case
from tests.projections import scenario
from tests.reports.helpers import load, views_of

PNG = b"\x89PNG\r\n\x1a\n"
NOW = "2024-06-01T10:00:00+08:00"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> FundReport:
    events = scenario.events() + voucher_case.city()[0].events  # two cities' worth of money
    return fund_report(views_of(load(events, tmp_path_factory.mktemp("render"))))


@pytest.fixture(scope="module")
def charts(report: FundReport) -> list[Chart]:
    return fund_charts(report)


class Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "img", "br", "link", "input"):
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_charts_are_pngs_rendered_the_same_every_time(report: FundReport,
                                                       charts: list[Chart]) -> None:
    assert [c.name for c in charts] == ["paid_vs_allocated", "at_risk_by_category",
                                        "late_by_year"]
    assert all(c.png.startswith(PNG) and len(c.png) > 5000 for c in charts)
    assert [c.png for c in fund_charts(report)] == [c.png for c in charts]
    key = charts[0].key
    if cjk_font() is None:  # counties drawn as codes, named in the key
        assert set(key.values()) == {"平遥县", "离石区"}
    else:
        assert key == {}


def test_html_is_self_contained_and_parses(report: FundReport, charts: list[Chart]) -> None:
    text = render_html(report, charts, NOW)
    parser = Collect()
    parser.feed(text)
    parser.close()
    assert parser.open == []  # every element closed, in order
    tags = [t for t, _ in parser.tags]
    assert tags.count("img") == 3 and "script" not in tags and "link" not in tags
    for tag, attrs in parser.tags:
        for name in ("src", "href", "data", "poster", "srcset", "action"):
            value = attrs.get(name)
            assert value is None or value.startswith(("data:", "#")), (tag, name, value)
    for _, attrs in parser.tags:
        if "src" in attrs:
            src = attrs["src"] or ""
            assert src.startswith("data:image/png;base64,")
            assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    no_images = re.sub(r'src="data:[^"]*"', "", text)
    assert "http://" not in no_images and "https://" not in no_images
    assert "//" not in no_images and "@import" not in no_images and "url(" not in no_images
    body = " ".join(parser.text)
    for heading in ("Summary 汇总", "Payments past the 31 March deadline 逾期支付",
                    "Vouchers never written off 未核销培训券", "Charts 图表",
                    "Money at risk by finding category 风险资金(按问题类别)"):
        assert heading in body
    assert "199.90" in body and "50.05" in body and "50,000.00" in body
    assert "total 合计" in body
    assert all(pid not in text for pid in (scenario.P1, scenario.P2, scenario.P3))


def test_xlsx_has_its_sheets_headings_and_images(report: FundReport, charts: list[Chart],
                                                 tmp_path: Path) -> None:
    path = write_xlsx(report, charts, tmp_path / "funds.xlsx", NOW)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(SHEETS.values())
    ledger = wb[SHEETS["ledger"]]
    heads = [c.value for c in ledger[4]]
    assert heads[:4] == ["county 县区", "programme 项目", "year 年度", "allocated 下达预算"]
    rows = [dict(zip(heads, (c.value for c in r), strict=True))
            for r in ledger.iter_rows(min_row=5)]
    pingyao = next(r for r in rows if r["county 县区"] == "平遥县" and r["year 年度"] == 2023)
    assert Decimal(str(pingyao["recovered 已追回"])) == Decimal("50.05")
    assert Decimal(str(pingyao["paid late 逾期支付金额"])) == Decimal("199.90")
    assert ledger.cell(row=5, column=4).number_format == "#,##0.00"
    paid = sum(Decimal(str(r["paid 已拨付"])) for r in rows)
    assert paid == Decimal("500.00") + Decimal("3000.00")
    at_risk = sum(Decimal(str(r["at risk 风险资金"])) for r in rows)
    assert at_risk * 100 == report.findings_total_fen
    late = wb[SHEETS["late_payments"]]
    assert [c.value for c in late[5]][:2] == ["PAY2", "CL1"]
    images = wb[SHEETS["charts"]]._images
    assert len(images) == 3
    assert all(img._data().startswith(PNG) for img in images)

"""The fund report's tables: they reconcile with the ledger and with the findings, to the fen."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from engine.money import to_fen
from findings.listing import current_findings
from projections.asof import AsOf
from projections.ledger import ledger
from reports.funds import UNATTRIBUTED, display, fund_report
from tests.detectors import test_comp_voucher_not_written_off as voucher_case
from tests.detectors.city import TinyCity, ts
from tests.projections import scenario
from tests.reports.helpers import load, views_of

MONEY = ["allocated_fen", "claimed_fen", "approved_fen", "paid_fen", "recovered_fen",
         "remaining_fen", "paid_late_fen"]


@pytest.fixture(scope="module")
def scenario_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return load(scenario.events(), tmp_path_factory.mktemp("scenario"))


def test_scenario_reconciles_with_the_ledger_and_the_findings(scenario_url: str) -> None:
    views = views_of(scenario_url)
    report = fund_report(views)
    book = ledger(views)
    for col in MONEY:
        assert int(report.ledger[col].sum()) == int(book[col].sum()), col
    findings = current_findings(views)
    assert len(findings) > 0  # the late payment, at least
    total = int(findings["amount_at_risk_fen"].sum())
    assert report.findings_total_fen == total
    assert int(report.ledger["at_risk_fen"].sum()) == total
    assert int(report.at_risk["at_risk_fen"].sum()) == total
    per_category = findings.groupby("category")["amount_at_risk_fen"].sum()
    for category, amount in per_category.items():
        assert int(report.ledger[f"at_risk_{category}_fen"].sum()) == int(amount)
    summary = report.summary.set_index("item")
    assert summary.loc["at risk (all findings) 风险资金合计", "amount_fen"] == total
    assert summary.loc["at risk (all findings) 风险资金合计", "count"] == len(findings)
    assert summary.loc["paid 已拨付", "amount_fen"] == to_fen("500.00")
    # PAY2 settles the 2023 claim on 2024-04-15: 15 days past 31 March 2024
    late = report.late_payments
    assert list(late["payment_id"]) == ["PAY2"]
    assert late.iloc[0]["days_late"] == 15 and late.iloc[0]["amount_fen"] == to_fen("199.90")
    assert late.iloc[0]["recovered_fen"] == to_fen("50.05")
    row = report.ledger[report.ledger["year"] == 2023].iloc[0]
    assert row["late_payments"] == 1 and row["paid_late_fen"] == to_fen("199.90")
    assert row["remaining_fen"] == to_fen("50000.00") - to_fen("500.00") + to_fen("50.05")
    assert report.vouchers.empty  # V1 was written off
    shown = display(report.ledger)
    assert shown.loc[0, "paid 已拨付"] == Decimal("500.00")
    assert shown.loc[0, "recovered 已追回"] == Decimal("50.05")


def test_as_of_a_position_before_the_money(scenario_url: str) -> None:
    report = fund_report(views_of(scenario_url, AsOf.parse(position=10)))
    assert int(report.ledger["paid_fen"].sum()) == 0
    assert report.late_payments.empty and report.findings_total_fen == 0
    assert report.as_of == "position ≤ 10"


def finding(c: TinyCity, fid: str, category: str, amount: str, *, claims: tuple[str, ...] = (),
            payments: tuple[str, ...] = (), on: str = "2024-05-01") -> None:
    data: dict[str, Any] = {
        "finding_id": fid, "code": f"TEST_{category.upper()}", "category": category,
        "severity": "high", "title": "t", "explanation_zh": "测", "explanation_en": "t",
        "subject_type": "claim", "subject_id": fid, "amount_at_risk": amount,
        "rules_version": "1", "rules_digest": "d", "facts_digest": f"{fid}-{amount}",
        "claim_ids": list(claims), "payment_ids": list(payments)}
    c.add("FindingRaised", ts(on), data)


def attribution_city() -> TinyCity:
    c = TinyCity()
    c.institution()
    p = c.person()
    c.budget("离石区", year=2023, amount="1000.00")
    c.budget("汾阳市", year=2023, amount="2000.00")
    c.claim("CL1", [(p, "300.00", None)], county="离石区")
    c.claim("CL2", [(p, "400.00", None)], county="汾阳市")
    c.claim("CL3", [(p, "500.00", None)], on="2024-03-01")
    c.review("CL3", "500.00", on="2024-03-05")
    c.pay("PAY3", "CL3", "500.00", on="2024-03-10", county="中阳县")  # booked elsewhere
    finding(c, "F1", "subsidy_fraud", "100.01", claims=("CL1", "CL2"))
    finding(c, "F2", "subsidy_fraud", "10.00", claims=("CL1",), on="2024-05-01")
    finding(c, "F2", "subsidy_fraud", "20.00", claims=("CL1",), on="2024-05-02")  # latest
    finding(c, "F3", "compliance", "30.00", payments=("PAY3",))
    finding(c, "F4", "duplicate_training", "7.00")
    finding(c, "F5", "ineffective_training", "1.00", claims=("CL-UNKNOWN",))
    return c


def test_findings_are_attributed_split_and_the_remainder_kept(tmp_path: Path) -> None:
    url = load(attribution_city().events, tmp_path, detect=False)
    report = fund_report(views_of(url))
    assert report.findings_total_fen == to_fen("158.01")  # 100.01 + 20 (latest) + 30 + 7 + 1
    t = report.ledger.set_index(["county", "year"])
    # F1 names claims of two counties: split to the fen, the odd fen to the first key
    assert t.loc[("汾阳市", 2023), "at_risk_subsidy_fraud_fen"] == 5001
    assert t.loc[("离石区", 2023), "at_risk_subsidy_fraud_fen"] == 5000 + 2000
    assert t.loc[("离石区", 2023), "findings"] == 2
    # F3 names only a payment: the county the treasury booked it under, its claim's year
    assert t.loc[("中阳县", 2024), "at_risk_compliance_fen"] == 3000
    assert t.loc[("中阳县", 2024), "paid_fen"] == 50000
    last = report.ledger.iloc[-1]
    assert last["county"] == UNATTRIBUTED and last["at_risk_fen"] == 800
    assert last["findings"] == 2 and last["at_risk_duplicate_training_fen"] == 700
    assert int(report.ledger["at_risk_fen"].sum()) == report.findings_total_fen
    assert int(report.at_risk["at_risk_fen"].sum()) == report.findings_total_fen
    assert int(report.attribution["at_risk_fen"].sum()) == report.findings_total_fen
    assert sorted(report.attribution["finding_id"].unique()) == ["F1", "F2", "F3", "F4", "F5"]
    gone = report.summary.set_index("item").loc[f"at risk, {UNATTRIBUTED}"]
    assert gone["amount_fen"] == 800 and gone["count"] == 2


def test_filters_keep_only_their_county_and_year(tmp_path: Path) -> None:
    url = load(attribution_city().events, tmp_path, detect=False)
    report = fund_report(views_of(url), county="离石区", year=2023)
    assert list(report.ledger["county"]) == ["离石区"]
    assert report.findings_total_fen == 7000  # its share of F1 and F2; nothing unattributed
    assert int(report.ledger["allocated_fen"].sum()) == to_fen("1000.00")
    assert set(report.attribution["finding_id"]) == {"F1", "F2"}


def test_vouchers_never_written_off(tmp_path: Path) -> None:
    c, _ = voucher_case.city()
    url = load(c.events, tmp_path, codes=["COMP_VOUCHER_NOT_WRITTEN_OFF"])
    views = views_of(url)
    report = fund_report(views)
    v = report.vouchers.set_index("voucher_id")
    assert sorted(v.index) == ["V1", "V3", "V4"]  # V2 was written off
    assert pd.notna(v.loc["V1", "finding_id"]) and pd.isna(v.loc["V3", "finding_id"])
    assert v.loc["V4", "stage"].startswith("expired") and v.loc["V4", "redeemed_fen"] == 0
    assert v.loc["V1", "county"] == "离石区" and v.loc["V1", "year"] == 2023
    people = views.persons.index
    assert not set(v["person_id"]) & set(people)  # masked
    row = report.ledger.iloc[0]
    assert row["vouchers_open"] == 2 and row["vouchers_open_fen"] == to_fen("2000.00")
    s = report.summary.set_index("item")
    assert s.loc["redeemed vouchers not written off 兑现未核销培训券", "count"] == 2
    flagged = s.loc["of which flagged 其中已立问题 (COMP_VOUCHER_NOT_WRITTEN_OFF)"]
    assert flagged["count"] == 1 and flagged["amount_fen"] == to_fen("1000.00")
    assert report.findings_total_fen == to_fen("1000.00")

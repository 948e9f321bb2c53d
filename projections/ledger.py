"""The fund ledger per county × programme × year: allocated → claimed → approved → paid.

Claims count in the year they were made (in Beijing time, ``projections.chinatime``);
payments and recoveries count in the year of the claim they settle, because
"subsidies for a year are paid by 31 March of the next year" (the Jinzhong 2023 work plan), and
a payment after that date is ``paid_late``. Payments and recoveries are
grouped by the county and programme the treasury booked them under.
All sums are integer fen, so totals reconcile exactly with the events.
"""

from __future__ import annotations

import pandas as pd

from projections.views import Views

KEYS = ["county", "program", "year"]
MONEY = ["allocated", "claimed", "approved", "paid", "recovered", "remaining", "paid_late"]


def ledger(views: Views, county: str | None = None, year: int | None = None) -> pd.DataFrame:
    """One row per county × programme × year with the money columns in fen (``*_fen``)."""
    budgets = views.budgets.groupby(KEYS)["amount_fen"].sum().rename("allocated_fen")
    claims = views.claims.reset_index()
    claimed = claims.groupby(KEYS)["amount_fen"].sum().rename("claimed_fen")
    approved = claims.groupby(KEYS)["approved_fen"].sum().rename("approved_fen")
    pay = views.payments
    paid = pay.groupby(KEYS)["amount_fen"].sum().rename("paid_fen")
    recovered = pay.groupby(KEYS)["recovered_fen"].sum().rename("recovered_fen")
    late = pay[pay["late"]].groupby(KEYS)["amount_fen"].sum().rename("paid_late_fen")
    late_n = pay[pay["late"]].groupby(KEYS).size().rename("late_payments")
    frame = pd.concat([budgets, claimed, approved, paid, recovered, late, late_n], axis=1)
    frame = frame.fillna(0).astype("int64")  # Int64 sums: exact, never through float
    frame["remaining_fen"] = frame["allocated_fen"] - frame["paid_fen"] + frame["recovered_fen"]
    frame = frame.reset_index().sort_values(KEYS, kind="stable")
    if county is not None:
        frame = frame[frame["county"] == county]
    if year is not None:
        frame = frame[frame["year"] == year]
    cols = KEYS + [f"{m}_fen" for m in MONEY] + ["late_payments"]
    return frame[cols].reset_index(drop=True)

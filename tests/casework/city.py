"""A small city whose detection raises real findings for cases to work on.

Claim CL2 was approved for 3000.00 but paid 3500.00 in two payments (P2a, P2b):
FRAUD_PAY_OVER_APPROVED, 500.00 at risk, subject the claim. A trainee dead
before the class was claimed for: FRAUD_GHOST_DECEASED, subject the person,
whose ID number must appear masked.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.detectors.city import TinyCity, ts

OVERPAID = "FRAUD_PAY_OVER_APPROVED"
GHOST = "FRAUD_GHOST_DECEASED"


def city() -> tuple[TinyCity, str]:
    c = TinyCity()
    c.institution()
    ghost, alive = c.person(), c.person(born="1982-08-08")
    c.add("PersonDeceased", ts("2023-01-20", 12), {"person_id": ghost,
                                                    "date_of_death": "2023-01-20"})
    c.klass("C1")
    c.train("C1", [ghost, alive])
    c.claim("CL1", [(ghost, "1000.00", 10), (alive, "1000.00", 10)], cid="C1")
    c.review("CL1", "2000.00")
    c.pay("P1", "CL1", "2000.00")
    c.claim("CL2", [(alive, "4000.00", None)])
    c.review("CL2", "3000.00", decision="partial")
    c.pay("P2a", "CL2", "2000.00")
    c.pay("P2b", "CL2", "1500.00", on="2023-05-15")
    return c, ghost


def write_jsonl(events: list[dict], path: Path) -> Path:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events),
                    encoding="utf-8")
    return path


def recovery(event_id: str, payment_id: str, amount: str, on: str = "2023-06-01") -> dict:
    """A ``PaymentRecovered`` line as the finance system would send it."""
    return {"event_id": event_id, "type": "PaymentRecovered", "occurred_at": ts(on, 10),
            "source": "finance", "data": {"payment_id": payment_id, "amount": amount,
                                          "reason": "overpaid"}}

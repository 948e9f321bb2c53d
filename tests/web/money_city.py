"""Money and credit added to the web city: a person who claims for themselves, and an
institution whose only finding lies long past the clean period, so it may be repaired.

The web city's findings are raised when its tests start, so none of its institutions
has had the clean days a repair needs; ``I7`` has a critical finding raised on
2023-05-01 (written as ``detect`` would store it) and is graded B.
"""

from __future__ import annotations

from pathlib import Path

from services import ingestion
from services.actor import Actor, Role
from services.workbench import Workbench
from tests.casework.city import write_jsonl
from tests.credit.cities import add_finding
from tests.detectors.city import TinyCity

REPAIRABLE = "I7"
REPAIRABLE_NAME = "I7 培训学校"
PERSON_CELL = {"county": "离石区", "program": "living_allowance", "year": 2023}
OPERATOR = Actor("console", Role.OPERATOR)


def money_city(claimant: str) -> TinyCity:
    c = TinyCity()
    c.institution(REPAIRABLE)
    add_finding(c, "F-I7", institution=REPAIRABLE, severity="critical", subject_type="institution",
                subject_id=REPAIRABLE, class_ids=(), facts="i7")
    c.claim("CLP", [(claimant, "800.00", None)], claimant=claimant, claimant_type="person",
            kind="living", on="2023-07-01", program="living_allowance")
    for e in c.events:  # ids of their own, beside the web city's
        if e["event_id"].startswith("t-"):
            e["event_id"] = "money-" + e["event_id"]
    return c


def add_money(url: str, folder: Path, claimant: str) -> None:
    """Store the events above in the store at ``url`` (as an import would)."""
    wb = Workbench(url)
    try:
        path = write_jsonl(money_city(claimant).events, folder / "money.jsonl")
        ingestion.ingest_files(wb, OPERATOR, [str(path)])
    finally:
        wb.close(release=True)

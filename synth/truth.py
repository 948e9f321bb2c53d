"""The truth file: every injected case and every look-alike, with the ids a finding names.

Cases are numbered in injection order after the budget cases are added, so the file
is deterministic; id lists keep their insertion order without duplicates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATEGORIES = {
    "DUP": "duplicate_training",
    "INEFF": "ineffective_training",
    "FRAUD": "subsidy_fraud",
    "COMP": "compliance",
}
ID_FIELDS = ("person_ids", "class_ids", "institution_ids", "claim_ids", "payment_ids",
             "agency_ids", "employer_ids", "voucher_ids", "certificate_ids", "counties",
             "event_ids")


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


@dataclass
class Ids:
    """The subjects of a case, grouped as in a finding."""

    person_ids: list[str] = field(default_factory=list)
    class_ids: list[str] = field(default_factory=list)
    institution_ids: list[str] = field(default_factory=list)
    claim_ids: list[str] = field(default_factory=list)
    payment_ids: list[str] = field(default_factory=list)
    agency_ids: list[str] = field(default_factory=list)
    employer_ids: list[str] = field(default_factory=list)
    voucher_ids: list[str] = field(default_factory=list)
    certificate_ids: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[str]]:
        """Id lists without duplicates, in the order they were added."""
        return {name: _unique(getattr(self, name)) for name in ID_FIELDS}


@dataclass
class Case:
    """One injected irregularity."""

    pattern: str
    description: str
    ids: Ids
    also: list[str] = field(default_factory=list)
    case_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The case as written to the truth file."""
        return {"case_id": self.case_id, "pattern": self.pattern,
                "category": CATEGORIES[self.pattern.split("_", 1)[0]],
                "description": self.description, "also": list(self.also), **self.ids.as_dict()}


@dataclass
class Lookalike:
    """A legitimate situation that resembles a pattern and must not be flagged as it."""

    kind: str
    must_not: list[str]
    description: str
    ids: Ids
    case_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The look-alike as written to the truth file."""
        return {"case_id": self.case_id, "kind": self.kind, "must_not": list(self.must_not),
                "description": self.description, **self.ids.as_dict()}


def number(cases: list[Case], looks: list[Lookalike]) -> None:
    """Give cases ids case-0001.. and look-alikes look-0001.. in list order."""
    for n, case in enumerate(cases, 1):
        case.case_id = f"case-{n:04d}"
    for n, look in enumerate(looks, 1):
        look.case_id = f"look-{n:04d}"


def write(path: Path, *, seed: int, persons: int, events: int, cases: list[Case],
          looks: list[Lookalike], policy: dict[str, Any]) -> None:
    """Write the truth file, pretty-printed, UTF-8, with the city's whole drawn policy."""
    doc = {"seed": seed, "persons": persons, "events": events, "policy": policy,
           "cases": [c.as_dict() for c in cases], "lookalikes": [lk.as_dict() for lk in looks]}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

"""The credit model's weights and bands, read from the rules file's ``[credit]`` table.

Kept apart from ``detectors.rules`` (which loads and merges the file) so the
model takes a small frozen value; ``digest`` names exactly the table a rating
used, so a change of detector thresholds does not look like a change of the
credit model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

GRADES = ("A", "B", "C", "D")
GRADE_ZH = {"A": "守信", "B": "基本守信", "C": "失信", "D": "严重失信"}
GRADE_EN = {"A": "trustworthy", "B": "basically trustworthy", "C": "untrustworthy",
            "D": "seriously untrustworthy"}
SEVERITIES = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Capped:
    """A factor that takes ``points`` per occurrence, at most ``cap`` in all."""

    points: int
    cap: int


@dataclass(frozen=True)
class Outcomes:
    min_trainees: int
    min_peers: int
    min_shortfall: Decimal
    points_per_point: Decimal
    cap: int


@dataclass(frozen=True)
class SpotChecks:
    max_observed_ratio: Decimal
    min_gap: int
    points: int
    cap: int


@dataclass(frozen=True)
class CreditParams:
    start: int
    bands: dict[str, int]
    severity_points: dict[str, int]
    findings_cap: int
    state_factor: dict[str, Decimal]
    outcomes: Outcomes
    spot_checks: SpotChecks
    complaints: Capped
    repair_clean_days: int
    repair_bands: int
    version: str
    digest: str

    def grade(self, score: int) -> str:
        """The grade of a score: the first band whose floor it reaches, else D."""
        for g in GRADES[:-1]:
            if score >= self.bands[g]:
                return g
        return GRADES[-1]


def credit_params(table: dict[str, Any], version: str = "") -> CreditParams:
    """Build the params from a merged ``[credit]`` table; a missing key raises KeyError."""
    canonical = json.dumps(table, sort_keys=True, ensure_ascii=False, default=str)
    f, o, s, c = table["findings"], table["outcomes"], table["spot_checks"], table["complaints"]
    return CreditParams(
        start=int(table["start"]),
        bands={g: int(table["bands"][g]) for g in GRADES[:-1]},
        severity_points={k: int(f[k]) for k in SEVERITIES},
        findings_cap=int(f["cap"]),
        state_factor={k: Decimal(str(v)) for k, v in table["state_factor"].items()},
        outcomes=Outcomes(int(o["min_trainees"]), int(o["min_peers"]),
                          Decimal(str(o["min_shortfall"])), Decimal(str(o["points_per_point"])),
                          int(o["cap"])),
        spot_checks=SpotChecks(Decimal(str(s["max_observed_ratio"])), int(s["min_gap"]),
                               int(s["points"]), int(s["cap"])),
        complaints=Capped(int(c["points"]), int(c["cap"])),
        repair_clean_days=int(table["repair_clean_days"]),
        repair_bands=int(table["repair_bands"]),
        version=version,
        digest=hashlib.sha256(canonical.encode()).hexdigest()[:16],
    )

"""What a stream's detection cycle may see: rows every partition has already passed.

A keyed topic keeps each key's order, not the order across partitions. When one
partition runs ahead, a rule can see a certificate before its assessment (kept in
another partition) and conclude the assessment is missing, only to withdraw the
finding a cycle later. The consumers record how far each partition has got in
recording time (``streams.progress``); the lowest of those is the low watermark. A
cycle then sees only rows recorded at or before it, plus rows stored long enough
ago (``settled_upto``) that waiting for them longer would only hide an odd clock.
Batch runs, and a stream's last cycle, see everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# read models skillaudit writes itself (findings, cases, credit): never held back
OWN_TABLES = frozenset({"rm_findings", "rm_findings_withdrawn", "rm_detection_runs",
                        "rm_case_events", "rm_credit_ratings", "rm_credit_repairs",
                        "rm_subjects", "rm_tracking", "rm_access"})
# what deciding a row's visibility needs; RowCache keeps them with every table, so a
# cycle with a horizon and one without share the same kept rows
COLUMNS = ("position", "recorded_us")


@dataclass(frozen=True)
class Horizon:
    recorded_upto_us: int  # the low watermark: every active partition has passed it
    settled_upto: int = 0  # log positions stored long ago enough to show whatever their time

    def applies_to(self, table: str) -> bool:
        return table not in OWN_TABLES

    def hidden(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows recorded after the watermark that were stored only recently."""
        recorded = frame["recorded_us"].to_numpy(dtype=np.int64, na_value=0)
        position = frame["position"].to_numpy(dtype=np.int64, na_value=0)
        return (recorded > self.recorded_upto_us) & (position > self.settled_upto)

    def visible(self, frame: pd.DataFrame) -> pd.DataFrame:
        hide = self.hidden(frame)
        return frame[~hide].reset_index(drop=True) if hide.any() else frame

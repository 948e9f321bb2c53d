"""Read-model table of the access log (conventions: projections.sources).

Admins page and export it by account, subject and time, so those are indexed.
"""

from __future__ import annotations

from projections.columns import ArrayTable, FactTable, b, s

FACT_TABLES: tuple[FactTable, ...] = (
    FactTable("rm_access", ("AccessRecorded",),
              (s("event_id", "event_id"), s("by"), s("role"), s("action"), s("outcome"),
               s("subject_type"), s("subject_id"), b("unmasked"), s("detail")),
              ("by", "subject_id")),
)
ARRAY_TABLES: tuple[ArrayTable, ...] = ()

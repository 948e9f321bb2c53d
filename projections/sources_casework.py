"""Read-model tables of the casework events (conventions: projections.sources).

One table holds every case step, one row per event, so a case's history is
one ordered query and its state a fold over it (``casework.status``).
"""

from __future__ import annotations

from projections.columns import ArrayTable, FactTable, j, m, s

CASE_EVENT_TYPES = ("CaseOpened", "CaseAssigned", "CaseConfirmed", "CaseDismissed",
                    "CaseNoteAdded", "CaseRecoveryLinked", "CaseClosed")

FACT_TABLES: tuple[FactTable, ...] = (
    FactTable("rm_case_events", CASE_EVENT_TYPES,
              (s("event_id", "event_id"), s("event_type", "type"), s("case_id"),
               s("finding_id"), s("actor", "data.by"), s("role"), s("reason"), s("assignee"),
               s("text"),
               s("facts_digest"), s("payment_id"), s("recovery_event_id"), m("amount"),
               j("attachments")),
              ("case_id", "finding_id", "recovery_event_id")),
)
ARRAY_TABLES: tuple[ArrayTable, ...] = ()

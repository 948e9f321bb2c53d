"""Read-model tables of the credit events (conventions: projections.sources)."""

from __future__ import annotations

from projections.columns import ArrayTable, FactTable, d, i, j, s

FACT_TABLES: tuple[FactTable, ...] = (
    FactTable("rm_credit_ratings", ("CreditRated",),
              (s("event_id", "event_id"), s("subject_type"), s("subject_id"), i("score"),
               s("grade"), j("reasons"), s("rules_version"), s("rules_digest"),
               s("facts_digest"), i("as_of_position"), s("previous_rating")),
              ("subject_id",)),
    FactTable("rm_credit_repairs", ("CreditRepaired",),
              (s("event_id", "event_id"), s("subject_type"), s("subject_id"), s("by"),
               s("note"), s("from_grade"), s("to_grade"), d("clean_since"), i("clean_days")),
              ("subject_id",)),
)
ARRAY_TABLES: tuple[ArrayTable, ...] = ()

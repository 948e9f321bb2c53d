"""Read-model tables of the credit events (see projections.sources for the conventions)."""

from __future__ import annotations

from projections.sources import ArrayTable, FactTable

FACT_TABLES: tuple[FactTable, ...] = ()
ARRAY_TABLES: tuple[ArrayTable, ...] = ()

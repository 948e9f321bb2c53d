"""Spreadsheet imports: the exports auditors receive, turned into events of the spec.

``import_paths(store, paths, kind=..., mapping=..., sheet=..., progress=...)`` reads
Excel (``.xlsx``, ``.xls``), OpenDocument (``.ods``) and text (``.csv``, ``.txt``)
exports — GBK or UTF-8, Chinese headers, title and total rows, local dates and
money — and stores them with the same chain, idempotency and quarantine as
``ingest``; ``preview`` shows what it would do. Importing this package lets the
quarantine read its rows again (``quarantine retry``).
"""

from engine.rowformats import register_format
from imports.kinds import KINDS
from imports.quarantined import FORMAT, SheetRows
from imports.run import ImportSummary, import_paths, preview

register_format(FORMAT, SheetRows())

__all__ = ["KINDS", "ImportSummary", "import_paths", "preview"]

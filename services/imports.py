"""Use cases of spreadsheet imports: preview what a folder of exports would become, import it.

Importing stores events (an ingest task); a preview stores nothing and shows the
first rows as events, masked unless the actor may see personal data and asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from imports import import_paths, preview
from imports.kinds import KINDS  # noqa: F401 (the kinds a sheet may hold: the adapters' choices)
from imports.outfile import JsonlOut
from imports.readers import SUFFIXES  # noqa: F401 (the file types a sheet import reads)
from imports.run import ImportProgress, ImportSummary, SheetPreview
from services.actor import Actor, Permission
from services.workbench import Workbench


def preview_files(actor: Actor, paths: Iterable[str], *, kind: str | None = None,
                  mapping: str | None = None, sheet: str | None = None, rows: int = 5,
                  unmask: bool = False) -> list[SheetPreview]:
    """The mapping chosen for each column and the first rows as events; nothing stored."""
    actor.require(Permission.READ)
    return preview(list(paths), kind=kind, mapping=mapping, sheet=sheet, rows=rows,
                   unmask=actor.unmasked(unmask))


def import_files(wb: Workbench | None, actor: Actor, paths: Iterable[str], *,
                 kind: str | None = None, mapping: str | None = None, sheet: str | None = None,
                 out: str | None = None,
                 progress: Callable[[ImportProgress], None] | None = None) -> ImportSummary:
    """Store the rows of every sheet as events (or write them to ``out``), rows that do not
    convert quarantined with file, sheet, row, column and reason."""
    actor.require(Permission.INGEST)
    if out:
        target = JsonlOut(out)
        try:
            return import_paths(target, list(paths), kind=kind, mapping=mapping, sheet=sheet,
                                progress=progress)
        finally:
            target.close()
    assert wb is not None, "a store to import into, or a file to write"
    with wb.store() as store:
        return import_paths(store, list(paths), kind=kind, mapping=mapping, sheet=sheet,
                            progress=progress)

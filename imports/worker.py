"""Converting in a helper process while this one stores (``engine.processes.helper_items``).

Reading and converting a spreadsheet is Python work; storing is the database's.
Events cross the pipe as columns (a tuple per field), which pickle several times
faster than a list of tuples. The helper collects garbage less often than Python's
default: a batch holds tens of thousands of rows, events and dicts, and scanning
them again every 700 allocations costs a fifth of the conversion.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

from engine.errors import SkillauditError
from engine.parse import NewEvent
from engine.processes import helper_items
from imports.sheets import SheetBatch

GC_THRESHOLD = 100_000


class HelperStopped(SkillauditError):
    """The converting process stopped; what was stored stands, a rerun goes on."""


def _packed(item: Any) -> Any:
    if isinstance(item, SheetBatch) and item.events:
        item.events = tuple(zip(*item.events, strict=True))  # type: ignore[assignment]
    return item


def _unpacked(item: Any) -> Any:
    if isinstance(item, SheetBatch) and isinstance(item.events, tuple):
        item.events = [NewEvent(*e) for e in zip(*item.events, strict=True)]
    return item


def _tuned(produce: Callable[..., Iterator[Any]], *args: Any) -> Iterator[Any]:
    gc.set_threshold(GC_THRESHOLD, 20, 20)  # this runs in the helper only
    yield from produce(*args)


def _stopped(message: str | None) -> HelperStopped:
    return HelperStopped(message or "the converting process stopped unexpectedly; rerun the "
                         "same import: stored events are kept and nothing is stored twice")


def in_worker(produce: Callable[..., Iterator[Any]], *args: Any) -> Iterator[Any]:
    """The items ``produce(*args)`` yields, produced in a helper process."""
    return helper_items(_tuned, (produce, *args), name="skillaudit-import", failed=_stopped,
                        pack=_packed, unpack=_unpacked)

"""Run a generator in a helper process and read its items here, so both cores work.

Reading and converting a spreadsheet is Python work; storing is the database's.
The helper converts while this process stores. Events cross the pipe as columns
(a tuple per field), which pickle several times faster than a list of tuples.
Ctrl-C is left to this process (``engine.processes``); a helper that dies is
reported as an error that says a rerun stores nothing twice.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from engine.errors import SkillauditError
from engine.parse import NewEvent
from engine.processes import sigint_ignored
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


def _run(produce: Callable[..., Iterator[Any]], args: tuple[Any, ...], conn: Connection) -> None:
    # a batch holds tens of thousands of rows, events and dicts: collecting the youngest
    # generation every 700 allocations, Python's default, would scan them again and again
    gc.set_threshold(GC_THRESHOLD, 20, 20)
    try:
        for item in produce(*args):
            conn.send_bytes(pickle.dumps(_packed(item), protocol=pickle.HIGHEST_PROTOCOL))
        conn.send_bytes(pickle.dumps(("done",)))
    except BrokenPipeError:
        return
    except Exception as exc:  # reported by the parent, which owns the user's terminal
        conn.send_bytes(pickle.dumps(("error", f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


def in_worker(produce: Callable[..., Iterator[Any]], *args: Any) -> Iterator[Any]:
    """The items ``produce(*args)`` yields, produced in a helper process."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    helper = ctx.Process(target=_run, args=(produce, args, sender), name="skillaudit-import",
                         daemon=True)
    with sigint_ignored():
        helper.start()
    sender.close()
    try:
        while True:
            try:
                item = pickle.loads(receiver.recv_bytes())
            except EOFError:
                raise HelperStopped("the converting process stopped unexpectedly; rerun the "
                                    "same import: stored events are kept and nothing is "
                                    "stored twice") from None
            if isinstance(item, tuple) and item and item[0] == "done":
                return
            if isinstance(item, tuple) and item and item[0] == "error":
                raise HelperStopped(item[1])
            yield _unpacked(item)
    finally:
        receiver.close()
        helper.join(timeout=5)
        if helper.is_alive():
            helper.kill()

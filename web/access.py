"""Access events of the web workbench, gathered and stored in batches.

A request notes what it showed or did (``Seen``); the notes wait in memory and
a background thread stores them every ``access_flush_seconds`` in one append
(``services.access.record_access``), so a busy queue page costs no write of its
own. They are stored at shutdown too, and before the access log is read. A
failed write keeps them for the next try and says so in the server's log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request

from services.access import Access, record_access
from services.actor import Actor
from services.workbench import Workbench

log = logging.getLogger("skillaudit.web")
MAX_KEPT = 100_000  # notes kept while the store cannot be written, before the oldest go


class AccessRecorder:
    """Notes of accesses, stored in batches by one background thread."""

    def __init__(self, wb: Workbench, every: float = 0.5) -> None:
        self.wb = wb
        self.every = every
        self._pending: list[Access] = []
        self._lock = threading.Lock()
        self._write = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, accesses: Iterable[Access]) -> None:
        with self._lock:
            self._pending.extend(accesses)
            if len(self._pending) > MAX_KEPT:
                del self._pending[: len(self._pending) - MAX_KEPT]
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="access-log",
                                                daemon=True)
                self._thread.start()

    def flush(self) -> int:
        """Store every note taken so far; how many were stored."""
        with self._write:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                return record_access(self.wb, batch)
            except Exception:
                log.exception("the access log could not be written; %d notes kept", len(batch))
                with self._lock:
                    self._pending[:0] = batch
                return 0

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.flush()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.flush()


class Seen:
    """What one request showed or did, noted for the access log."""

    def __init__(self, recorder: AccessRecorder, actor: Actor, request: Request) -> None:
        self.recorder, self.actor = recorder, actor
        self.where = f"{request.method} {request.url.path}"

    def note(self, action: str, subject_type: str | None = None,
             subject_ids: Iterable[str | None] = (None,), *, unmasked: bool = False,
             detail: str | None = None) -> None:
        self.recorder.add(Access.of(self.actor, action, subject_type=subject_type,
                                    subject_id=s, unmasked=unmasked,
                                    detail=detail or self.where)
                          for s in subject_ids)

    def view(self, subject_type: str, subject_ids: Iterable[str], *, unmasked: bool) -> None:
        """Personal data shown in full is noted, one access per subject (masked views not)."""
        ids = list(subject_ids)
        if unmasked and ids:
            self.note(f"view.{subject_type}", subject_type, ids, unmasked=True)


def refused(request: Request, message: str) -> None:
    """A refusal (403) of a logged-in account, noted with what it asked for."""
    actor = getattr(request.state, "actor", None)
    recorder: AccessRecorder | None = getattr(request.app.state, "access", None)
    if actor is None or recorder is None:
        return
    recorder.add([Access.of(actor, "refused", outcome="refused",
                            detail=f"{request.method} {request.url.path}: {message}")])


async def seen(request: Request) -> Seen:
    from web.auth import actor_of

    return Seen(request.app.state.access, actor_of(request), request)


SeenDep = Annotated[Seen, Depends(seen)]

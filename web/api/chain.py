"""The log's state: events by type, the chain head, and the last verification of the chain.

Recomputing the chain reads every event, so it runs when asked (POST) and its
outcome is kept and shown with the head it reached until the next run.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from services import ingestion
from services.actor import Actor
from web.auth import Reader
from web.json import FastRoute

router = APIRouter(prefix="/api/chain", route_class=FastRoute, tags=["chain 哈希链"])
_running = threading.Lock()


@router.get("", summary="events, chain head, last verification 哈希链状态")
def status(request: Request, actor: Reader) -> dict[str, Any]:
    stats = ingestion.store_stats(request.app.state.wb, actor)
    return {**stats, "last_verification": getattr(request.app.state, "verification", None)}


def run_verification(request: Request, actor: Actor) -> dict[str, Any]:
    """Recompute the chain and keep the outcome, with how long it took, for the status.
    One run at a time: who asks while one runs waits for it and gets its outcome, which
    covers the events stored when that run began."""
    asked = getattr(request.app.state, "verification", None)
    with _running:
        last = getattr(request.app.state, "verification", None)
        if last is not None and last is not asked:  # finished while this one waited
            return last
        started = time.perf_counter()
        result = ingestion.verify_chain(request.app.state.wb, actor)
        outcome = {"ok": result.ok, "checked": result.checked,
                   "chain_head": str(result.head),
                   "problem": None if result.ok else result.problem.__dict__,
                   "verified_at": datetime.now(UTC).isoformat(timespec="seconds"),
                   "seconds": round(time.perf_counter() - started, 3),
                   "by": actor.name}
        request.app.state.verification = outcome
        return outcome


@router.post("/verify", summary="recompute every link of the chain 校验哈希链")
async def verify(request: Request, actor: Reader) -> dict[str, Any]:
    """One verification at a time; a second asker waits for it and gets its outcome."""
    return await run_in_threadpool(run_verification, request, actor)

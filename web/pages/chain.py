"""The chain page: the log's events by type, the chain head, the last verification, and
"verify now" (every link recomputed; the outcome is kept for the next visitor)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from services import ingestion
from web.api.chain import run_verification
from web.auth import Reader
from web.pages.render import back_to, me_of, render, translator

router = APIRouter(include_in_schema=False)


@router.get("/chain", response_class=HTMLResponse)
async def chain_page(request: Request, actor: Reader) -> HTMLResponse:
    stats = await run_in_threadpool(ingestion.store_stats, request.app.state.wb, actor)
    seq, _, digest = stats["chain_head"].partition(":")
    return await render(request, "chain.html", {
        "stats": stats, "head_seq": seq, "head_hash": digest,
        "by_type": sorted(stats["by_type"].items(), key=lambda kv: (-kv[1], kv[0])),
        "last": getattr(request.app.state, "verification", None)})


@router.post("/chain/verify")
async def verify_now(request: Request, actor: Reader) -> RedirectResponse:
    outcome = await run_in_threadpool(run_verification, request, actor)
    me = await me_of(request)
    tr = translator(me.lang if me else "zh")
    took = f"{outcome['seconds']:.2f}"
    if outcome["ok"]:
        return back_to("/chain", done=tr(
            f"哈希链完好:已校验 {outcome['checked']} 个事件,用时 {took} 秒。",
            f"The chain is intact: {outcome['checked']} events checked in {took} s."))
    return back_to("/chain", failed=tr(
        f"哈希链有误(用时 {took} 秒):{outcome['problem']['message']}",
        f"The chain is broken (checked in {took} s): {outcome['problem']['message']}"))

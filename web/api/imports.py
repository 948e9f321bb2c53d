"""Imports: upload a file of a kind, preview it (nothing stored), import it.

The kind ``events`` is JSON Lines in the interchange format (as ``skillaudit
ingest`` reads). Spreadsheet kinds (persons, classes, claims …) join the same
two routes once the spreadsheet import is a use case of ``services``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from engine.errors import UsageError
from services import ingestion
from services.actor import Actor
from web.access import SeenDep
from web.auth import Ingester
from web.json import FastRoute

router = APIRouter(prefix="/api/imports", route_class=FastRoute, tags=["imports 导入"])

Kind = Literal["events"]
MAX_UPLOAD = 512 * 1024 * 1024
CHUNK = 1024 * 1024


async def _save(request: Request, upload: UploadFile) -> FilePath:
    """The upload in a file of its own under the workbench's files folder (bounded size)."""
    folder = FilePath(tempfile.mkdtemp(prefix="import-",
                                       dir=request.app.state.settings.files_dir))
    name = FilePath(upload.filename or "upload").name or "upload"
    path = folder / (name if name.endswith((".jsonl", ".gz")) else name + ".jsonl")
    size = 0
    with path.open("wb") as f:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD:
                shutil.rmtree(folder, ignore_errors=True)
                raise UsageError("the file is larger than 512 MB 文件过大: use "
                                 "`skillaudit ingest` on the server")
            f.write(chunk)
    return path


Upload = Annotated[UploadFile, File(description="the file to import 导入文件")]
KindField = Annotated[Kind, Form(description="what the file holds 文件类型")]


@router.post("/preview", summary="check a file without storing it 预览")
async def preview(request: Request, actor: Ingester, file: Upload, kind: KindField = "events"
                  ) -> dict[str, Any]:
    path = await _save(request, file)
    try:
        got = await run_in_threadpool(ingestion.preview_lines, actor, path)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return {"kind": kind, "file": file.filename, **got}


@router.post("", summary="import a file 导入")
async def run_import(request: Request, actor: Ingester, seen: SeenDep, file: Upload,
                     kind: KindField = "events") -> dict[str, Any]:
    path = await _save(request, file)

    def ingest(actor: Actor) -> dict[str, Any]:
        return ingestion.ingest_files(request.app.state.wb, actor, [str(path)]).as_json()

    try:
        summary = await run_in_threadpool(ingest, actor)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    seen.note("import", "file", [FilePath(file.filename or "upload").name[:200]],
              detail=f"{kind}: {summary['stored']} stored, {summary['quarantined']} quarantined")
    summary["sources"] = [FilePath(str(s)).name for s in summary.get("sources", [])]
    return {"kind": kind, "file": file.filename, **summary}

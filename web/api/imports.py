"""Imports: upload a file of a kind, preview it (nothing stored), import it.

The kind ``events`` is JSON Lines in the interchange format (as ``skillaudit
ingest`` reads, gzipped or not). The other kinds are spreadsheets as ``skillaudit
import --kind`` takes them (xlsx, xls, ods, csv, txt), with an optional sheet and
an optional mapping file (``services.imports``). A file is kept under its own
name in a folder of its own while it is read, so a quarantined row names it.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from engine.errors import UsageError
from services import imports as sheet_imports
from services import ingestion
from services.actor import Actor
from services.imports import SUFFIXES, ImportSummary, SheetPreview
from web.access import Seen, SeenDep
from web.auth import Ingester
from web.json import FastRoute
from web.params import Unmask

router = APIRouter(prefix="/api/imports", route_class=FastRoute, tags=["imports 导入"])

Kind = Literal["events", "persons", "institutions", "classes", "enrolments", "attendance",
               "assessments", "certificates", "employment", "claims", "reviews", "payments",
               "budgets", "spotchecks"]
MAX_UPLOAD = 512 * 1024 * 1024
MAX_MAPPING = 1024 * 1024
CHUNK = 1024 * 1024
UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Received:
    """An uploaded file on disk: its path (its own name in a folder of its own) and hash."""

    path: FilePath
    sha256: str
    name: str

    def forget(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def file_name(upload: UploadFile, kind: str) -> str:
    """The upload's name, made safe for a path; a spreadsheet must say its format."""
    name = UNSAFE.sub("_", FilePath(upload.filename or "upload").name).strip("._") or "upload"
    if kind == "events":
        return name if name.endswith((".jsonl", ".gz")) else name + ".jsonl"
    if FilePath(name).suffix.lower() not in SUFFIXES:
        raise UsageError(f"{name}: not a spreadsheet ({', '.join(sorted(SUFFIXES))}) "
                         "不是表格文件")
    return name[-120:]


async def receive(upload: UploadFile, folder: FilePath, name: str,
                  limit: int = MAX_UPLOAD) -> Received:
    """``upload`` written to ``folder/name`` (bounded), hashed on the way."""
    folder.mkdir(parents=True, exist_ok=True)
    path, digest, size = folder / name, hashlib.sha256(), 0
    with path.open("wb") as f:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                shutil.rmtree(folder, ignore_errors=True)
                raise UsageError(f"the file is larger than {limit // 2**20} MB 文件过大: use "
                                 "`skillaudit import` or `skillaudit ingest` on the server")
            digest.update(chunk)
            f.write(chunk)
    return Received(path, digest.hexdigest(), name)


async def _save(request: Request, upload: UploadFile, kind: str) -> Received:
    folder = FilePath(tempfile.mkdtemp(prefix="import-",
                                       dir=request.app.state.settings.files_dir))
    return await receive(upload, folder, file_name(upload, kind))


def preview_json(previews: list[SheetPreview], name: str) -> list[dict[str, Any]]:
    """Each sheet's mapping and first rows as events, the file named as it was uploaded."""
    return [{"file": name, "sheet": p.info.sheet, "kind": p.info.kind,
             "header_row": p.info.header_row, "encoding": p.info.encoding,
             "columns": [{"header": h, "field": t, "note": n} for h, t, n in p.info.columns],
             "fixed": p.info.fixed, "missing": p.info.missing, "problem": p.info.problem,
             "events": p.events, "refused": [{"row": r, "message": m} for r, m in p.refused],
             "skipped": dict(p.skipped)} for p in previews]


def summary_json(summary: ImportSummary, name: str) -> dict[str, Any]:
    got = summary.as_json()
    for s in got["sheets"]:
        s["file"] = name
    for f in got["failed_files"]:
        f["file"] = name
    return got


def preview_file(actor: Actor, kind: str, got: Received, mapping: Received | None,
                 sheet: str | None, unmask: bool) -> dict[str, Any]:
    """What a file of ``kind`` would become; nothing stored."""
    if kind == "events":
        return ingestion.preview_lines(actor, got.path)
    previews = sheet_imports.preview_files(actor, [str(got.path)], kind=kind,
                                           mapping=str(mapping.path) if mapping else None,
                                           sheet=sheet, rows=10, unmask=unmask)
    return {"sheets": preview_json(previews, got.name)}


def import_file(request: Request, actor: Actor, kind: str, got: Received,
                mapping: Received | None, sheet: str | None) -> dict[str, Any]:
    """Store a file of ``kind``: stored, duplicates, quarantined (with reasons)."""
    wb = request.app.state.wb
    if kind == "events":
        summary = ingestion.ingest_files(wb, actor, [str(got.path)]).as_json()
        summary["sources"] = [got.name for _ in summary.get("sources", [])]
        return summary
    done = sheet_imports.import_files(wb, actor, [str(got.path)], kind=kind,
                                      mapping=str(mapping.path) if mapping else None,
                                      sheet=sheet)
    return summary_json(done, got.name)


def note_import(seen: Seen, kind: str, name: str, summary: dict[str, Any]) -> None:
    seen.note("import", "file", [name[:200]],
              detail=f"{kind}: {summary['stored']} stored, {summary['quarantined']} quarantined")


Upload = Annotated[UploadFile, File(description="the file to import 导入文件")]
MappingUpload = Annotated[UploadFile | None, File(
    description="a mapping file (TOML), as `skillaudit import --mapping` takes 映射文件")]
KindField = Annotated[Kind, Form(description="what the file holds: events (JSON Lines) or a "
                                             "kind of spreadsheet 文件类型")]
SheetField = Annotated[str | None, Form(max_length=100,
                                        description="only this sheet of a workbook 工作表")]


async def _mapping(request: Request, upload: UploadFile | None) -> Received | None:
    if upload is None or not (upload.filename or upload.size):
        return None
    folder = FilePath(tempfile.mkdtemp(prefix="mapping-",
                                       dir=request.app.state.settings.files_dir))
    return await receive(upload, folder, "mapping.toml", MAX_MAPPING)


@router.post("/preview", summary="check a file without storing it 预览")
async def preview(request: Request, actor: Ingester, seen: SeenDep, file: Upload,
                  kind: KindField = "events", sheet: SheetField = None,
                  mapping: MappingUpload = None, unmask: Unmask = False) -> dict[str, Any]:
    got = await _save(request, file, kind)
    rules = await _mapping(request, mapping)
    try:
        shown = await run_in_threadpool(preview_file, actor, kind, got, rules, sheet or None,
                                        unmask)
    finally:
        got.forget()
        if rules:
            rules.forget()
    if unmask and kind != "events":
        seen.note("view.import_preview", "file", [got.name], unmasked=actor.unmasked(unmask))
    return {"kind": kind, "file": file.filename, **shown}


@router.post("", summary="import a file 导入")
async def run_import(request: Request, actor: Ingester, seen: SeenDep, file: Upload,
                     kind: KindField = "events", sheet: SheetField = None,
                     mapping: MappingUpload = None) -> dict[str, Any]:
    got = await _save(request, file, kind)
    rules = await _mapping(request, mapping)
    try:
        summary = await run_in_threadpool(import_file, request, actor, kind, got, rules,
                                          sheet or None)
    finally:
        got.forget()
        if rules:
            rules.forget()
    note_import(seen, kind, got.name, summary)
    return {"kind": kind, "file": file.filename, **summary}

"""The imports page, for admins: upload a file with its kind, preview it, import it.

The preview and the import are two requests: between them the upload waits in
``files_dir/uploads/<sha256>/<its name>`` (a day at most), and the import form
carries only the hash. The import reads the file again and checks its hash
before storing anything; a hash with no such file (gone, or never uploaded) is
refused.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from engine.errors import UsageError
from services.imports import KINDS
from web.access import SeenDep
from web.api.imports import (
    MAX_MAPPING,
    MAX_UPLOAD,
    Kind,
    Received,
    file_name,
    import_file,
    note_import,
    preview_file,
    receive,
)
from web.auth import Ingester
from web.pages.render import render

router = APIRouter(include_in_schema=False)
UPLOADS = "uploads"
KEEP_SECONDS = 24 * 3600
Hash = Annotated[str, Form(pattern=r"^[0-9a-f]{64}$")]
NoHash = Annotated[str, Form(pattern=r"^([0-9a-f]{64})?$")]
SheetField = Annotated[str, Form(max_length=100)]
KindField = Annotated[Kind, Form()]
OptionalFile = Annotated[UploadFile | None, File()]
KIND_WORDS = {"events": ("事件(JSON Lines)", "Events (JSON Lines)"),
              "persons": ("人员花名册", "Persons"), "institutions": ("培训机构", "Institutions"),
              "classes": ("开班", "Classes"), "enrolments": ("报名", "Enrolments"),
              "attendance": ("考勤", "Attendance"), "assessments": ("鉴定", "Assessments"),
              "certificates": ("证书", "Certificates"), "employment": ("就业", "Employment"),
              "claims": ("补贴申领", "Claims"), "reviews": ("审核", "Reviews"),
              "payments": ("拨付", "Payments"), "budgets": ("预算", "Budgets"),
              "spotchecks": ("抽查", "Spot checks")}
assert set(KIND_WORDS) == {"events", *KINDS}


def uploads(request: Request) -> Path:
    return Path(request.app.state.settings.files_dir) / UPLOADS


def prune(root: Path) -> None:
    """Uploads previewed more than a day ago and never imported are let go."""
    old = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < old:
            shutil.rmtree(folder, ignore_errors=True)


async def keep(request: Request, upload: UploadFile, name: str, limit: int = MAX_UPLOAD
               ) -> Received:
    """The upload kept in ``uploads/<sha256>/<name>`` until it is imported."""
    root = uploads(request)
    root.mkdir(parents=True, exist_ok=True)
    await run_in_threadpool(prune, root)
    folder = Path(tempfile.mkdtemp(prefix=".in-", dir=root))
    got = await receive(upload, folder, name, limit)
    target = root / got.sha256
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)  # the same bytes again: this name wins
    folder.rename(target)
    return Received(target / name, got.sha256, name)


def kept(request: Request, sha256: str) -> Received:
    """The upload a hash names, its bytes checked against the hash."""
    folder = uploads(request) / sha256
    files = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    if len(files) != 1:
        raise UsageError("the uploaded file is no longer here; upload it again "
                         "上传的文件已不在,请重新上传")
    digest = hashlib.sha256()
    with files[0].open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != sha256:
        raise UsageError("the uploaded file has changed since its preview; upload it again "
                         "上传的文件已改变,请重新上传")
    return Received(files[0], sha256, files[0].name)


@router.get("/imports", response_class=HTMLResponse)
async def imports_page(request: Request, actor: Ingester) -> HTMLResponse:
    return await render(request, "imports.html", {"kinds": KIND_WORDS, "kind": "persons",
                                                  "sheet": ""})


@router.post("/imports/preview", response_class=HTMLResponse)
async def imports_preview(request: Request, actor: Ingester, file: Annotated[UploadFile, File()],
                          kind: KindField, sheet: SheetField = "",
                          mapping: OptionalFile = None) -> HTMLResponse:
    got = await keep(request, file, file_name(file, kind))
    rules = None
    if kind != "events" and mapping is not None and (mapping.filename or mapping.size):
        rules = await keep(request, mapping, "mapping.toml", MAX_MAPPING)
    shown = await run_in_threadpool(preview_file, actor, kind, got, rules, sheet or None, False)
    return await render(request, "imports.html", {
        "kinds": KIND_WORDS, "kind": kind, "sheet": sheet, "got": got, "rules": rules,
        "preview": shown})


@router.post("/imports/run", response_class=HTMLResponse)
async def imports_run(request: Request, actor: Ingester, seen: SeenDep, sha256: Hash,
                      kind: KindField, sheet: SheetField = "", mapping_sha256: NoHash = ""
                      ) -> HTMLResponse:
    got = await run_in_threadpool(kept, request, sha256)
    rules = await run_in_threadpool(kept, request, mapping_sha256) if mapping_sha256 else None
    summary: dict[str, Any] = await run_in_threadpool(import_file, request, actor, kind, got,
                                                      rules, sheet or None)
    note_import(seen, kind, got.name, summary)
    got.forget()
    if rules:
        rules.forget()
    return await render(request, "imports.html", {
        "kinds": KIND_WORDS, "kind": kind, "sheet": sheet, "done": summary, "got": got})

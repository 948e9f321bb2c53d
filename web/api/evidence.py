"""Evidence packs: build one for a finding, download it as a zip, verify it.

Packs are kept under the workbench's files folder by a random id, beside a
note of who built it, when, and whether it holds personal data in full. Only
roles that build packs download them; any reader may verify a pack uploaded.
"""

from __future__ import annotations

import io
import json
import secrets
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from engine.errors import NotFound, UsageError
from services import evidence
from services.actor import Actor, Permission
from services.workbench import Workbench
from web.access import SeenDep
from web.auth import EvidenceMaker, Reader
from web.downloads import attachment
from web.json import FastRoute
from web.params import Body

router = APIRouter(prefix="/api/evidence", route_class=FastRoute, tags=["evidence 证据包"])

PackId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="the id a build returned")]
MAX_UPLOAD = 200 * 1024 * 1024  # bytes of an uploaded pack, unpacked
MAX_MEMBERS = 100_000


class Build(Body):
    finding_id: Annotated[str, Field(min_length=1, max_length=200)]
    unmask: bool = False


def _packs(request: Request) -> FilePath:
    folder = FilePath(request.app.state.settings.files_dir) / "packs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def build_kept(request: Request, actor: Actor, body: Build) -> dict[str, Any]:
    """Build a pack into the files folder, beside the note of who built it and when."""
    settings = request.app.state.settings
    pack_id = secrets.token_hex(16)
    out = _packs(request) / pack_id
    wb = Workbench(settings.url, settings.rules_path)  # its own: a build closes its engine
    try:
        report = evidence.build_evidence(wb, actor, body.finding_id, out, unmask=body.unmask)
    finally:
        wb.close(release=True)
    meta = {"pack_id": pack_id, "finding_id": report.finding_id, "events": report.events,
            "chain_head": str(report.head), "merkle_root": report.root.hex(),
            "unmasked": body.unmask, "built_by": actor.name, "role": actor.role.value,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    (out.parent / f"{pack_id}.json").write_text(json.dumps(meta, ensure_ascii=False),
                                               encoding="utf-8")
    return meta


@router.post("", summary="build a finding's evidence pack 制作证据包")
async def build(request: Request, body: Build, actor: EvidenceMaker, seen: SeenDep
                ) -> dict[str, Any]:
    meta = await run_in_threadpool(build_kept, request, actor, body)
    seen.note("evidence.build", "finding", [meta["finding_id"]], unmasked=body.unmask,
              detail=f"pack {meta['pack_id']}")
    return meta


def pack_meta(request: Request, pack_id: str, actor: Actor) -> dict[str, Any]:
    path = _packs(request) / f"{pack_id}.json"
    if not path.is_file():
        raise NotFound(f"no evidence pack {pack_id} 证据包不存在")
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta["unmasked"]:
        actor.require(Permission.SEE_PERSONAL_DATA)
    return meta


@router.get("/{pack_id}", summary="download a pack as a zip 下载证据包")
def download(request: Request, pack_id: PackId, actor: EvidenceMaker, seen: SeenDep
             ) -> Response:
    meta = pack_meta(request, pack_id, actor)
    folder = _packs(request) / pack_id
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                z.write(f, f"{pack_id}/{f.relative_to(folder)}")
    seen.note("download.evidence", "finding", [meta["finding_id"]],
              unmasked=meta["unmasked"], detail=f"pack {pack_id}")
    return attachment(buf.getvalue(), f"evidence-{pack_id}.zip")


@router.get("/{pack_id}/verify", summary="verify a built pack against the store 校验证据包")
def verify_built(request: Request, pack_id: PackId, actor: EvidenceMaker) -> dict[str, Any]:
    pack_meta(request, pack_id, actor)
    check = evidence.verify_evidence(actor, _packs(request) / pack_id,
                                     against=request.app.state.wb)
    return {**check.as_json(), "path": None, "pack_id": pack_id}


@router.post("/verify", summary="verify an uploaded pack (zip) 校验上传的证据包")
async def verify_upload(request: Request, actor: Reader,
                        pack: Annotated[UploadFile, File(description="the pack as a zip")]
                        ) -> dict[str, Any]:
    data = await pack.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise UsageError("the pack is larger than 200 MB 证据包过大")
    return await run_in_threadpool(_verify_zip, request, actor, data)


def _verify_zip(request: Request, actor: Actor, data: bytes) -> dict[str, Any]:
    tmp = FilePath(tempfile.mkdtemp(prefix="pack-", dir=request.app.state.settings.files_dir))
    try:
        root = _unzip(data, tmp)
        check = evidence.verify_evidence(actor, root, against=request.app.state.wb)
        return {**check.as_json(), "path": None}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _unzip(data: bytes, into: FilePath) -> FilePath:
    """Unpack safely (no member outside ``into``, bounded size); the pack's own folder."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        members = z.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise UsageError("the upload is not a zip file 上传的不是zip文件") from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UPLOAD:
        raise UsageError("the pack unpacks too large 证据包解压后过大")
    base = into.resolve()
    for m in members:
        target = (into / m.filename).resolve()
        if not target.is_relative_to(base) or m.filename.startswith(("/", "\\")):
            raise UsageError(f"the zip names a file outside itself: {m.filename!r} 非法路径")
    try:
        z.extractall(into)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UsageError(f"the zip cannot be unpacked 无法解压: {exc}") from None
    found = [p.parent for p in into.rglob("manifest.json")]
    return min(found, key=lambda p: len(p.parts)) if found else into

"""Files attached to cases: kept by their SHA-256 in a folder, named in the note's event.

The note (``CaseNoteAdded.attachments``) records each file's hash, name and
size in the hash-chained log, so whoever holds the file can prove it is the one
attached, and a file changed on disk is refused when it is read. Attaching is a
case step (investigators); a file is read back only through a case that names
it, and only by a role that sees personal data in full, since a bank statement
or a roster cannot be masked.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from engine.errors import NotFound, SkillauditError, UsageError
from services.actor import Actor, Permission
from services.cases import show_case
from services.workbench import Workbench

MAX_BYTES = 50 * 1024 * 1024


def _name(name: str) -> str:
    """A file name to show: its last part, printable, at most 200 characters."""
    base = Path(name.replace("\\", "/")).name
    base = "".join(c for c in unicodedata.normalize("NFC", base) if c.isprintable()).strip()
    return (base or "attachment")[:200]


def keep_file(actor: Actor, folder: Path, data: bytes, name: str,
              media_type: str | None = None) -> dict[str, Any]:
    """Store the bytes under their SHA-256 (once); what a note's attachment names."""
    actor.require(Permission.CASE_STEP)
    if len(data) > MAX_BYTES:
        raise UsageError("an attachment is at most 50 MB 附件不得超过50MB")
    digest = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / digest
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    return {"sha256": digest, "name": _name(name), "size": len(data),
            "media_type": (media_type or "application/octet-stream")[:200]}


def check_kept(folder: Path, attachments: list[dict[str, Any]]) -> None:
    """Each attachment a note names must be kept already, with its size."""
    for a in attachments:
        path = folder / str(a.get("sha256", ""))
        if not path.is_file() or path.stat().st_size != a.get("size"):
            raise UsageError(f"attachment {a.get('name')!r} ({a.get('sha256')}) was not "
                             "uploaded, or its size differs: upload it first 请先上传附件")


def read_attachment(wb: Workbench, actor: Actor, folder: Path, case_id: str, sha256: str
                    ) -> tuple[bytes, dict[str, Any]]:
    """The bytes of a file a step of this case attached, checked against its hash."""
    actor.require(Permission.READ)
    actor.require(Permission.SEE_PERSONAL_DATA)
    case = show_case(wb, actor, case_id, unmask=True)
    named = [a for step in case["history"] for a in step.get("attachments", [])
             if a.get("sha256") == sha256]
    if not named:
        raise NotFound(f"case {case['case_id']} has no attachment {sha256} 案件无此附件")
    path = folder / sha256
    if not path.is_file():
        raise NotFound(f"the file {sha256} attached to case {case['case_id']} is not kept "
                       "here 附件文件缺失: restore the attachments folder")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise SkillauditError(f"the file kept as {sha256} no longer matches its hash: it was "
                              "changed after it was attached 附件已被篡改")
    return data, named[0]

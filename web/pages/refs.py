"""Links to a person that hold no ID number: ``p~`` and a keyed hash of it.

A page address stays in the browser's history, the server's log and the
screenshot someone sends: a role that sees ID numbers masked must not find them
there. So pages link to a person by ``p~`` + HMAC-SHA256(key, ID number)
(96 bits, in base32); the page looks it up among the persons the read models
know. The key is made once per files folder, so every server process of one
workbench makes and reads the same links, and they cannot be reversed or made
by guessing without it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from fastapi import Request

from projections.tables import metadata
from services.workbench import Workbench

PREFIX = "p~"
KEY_FILE = "page-links.key"
RELOAD_SECONDS = 5.0


class PersonLinks:
    """Makes and resolves the links of one workbench."""

    def __init__(self, folder: Path) -> None:
        self._key = _key(folder)
        self._known: dict[str, str] = {}
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")

    def ref(self, person_id: str) -> str:
        digest = hmac.new(self._key, person_id.encode(), hashlib.sha256).digest()[:12]
        token = PREFIX + base64.b32encode(digest).decode().rstrip("=").lower()
        self._known.setdefault(token, person_id)
        return token

    def resolve(self, wb: Workbench, token: str) -> str | None:
        """The ID number a link stands for; None when no known person has it."""
        if not token.startswith(PREFIX):
            return None
        if token in self._known:
            return self._known[token]
        with self._lock:  # a link this process has not made: hash every person once more,
            if time.monotonic() - self._loaded_at > RELOAD_SECONDS:  # at most so often
                t = metadata.tables["rm_person_versions"]
                q = sa.select(t.c.person_id).distinct()
                with wb.views().engine.connect() as conn:
                    for (pid,) in conn.execute(q):
                        self.ref(pid)
                self._loaded_at = time.monotonic()
        return self._known.get(token)


def _key(folder: Path) -> bytes:
    path = folder / KEY_FILE
    folder.mkdir(parents=True, exist_ok=True)
    # the first process makes it; another process of this workbench (or an earlier run)
    # finds it made and reads it below
    with contextlib.suppress(FileExistsError), path.open("xb") as f:
        f.write(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def links(request: Request) -> PersonLinks:
    app = request.app.state
    if getattr(app, "person_links", None) is None:
        app.person_links = PersonLinks(Path(app.settings.files_dir))
    return app.person_links


def person_href(request: Request, person_id: str) -> str:
    return f"/persons/{links(request).ref(person_id)}"


def person_id_of(request: Request, ref: str) -> str:
    """The ID number of a page's person: a ``p~`` link resolved, else the id as typed."""
    if ref.startswith(PREFIX):
        found = links(request).resolve(request.app.state.wb, ref)
        return found if found is not None else ref
    return ref

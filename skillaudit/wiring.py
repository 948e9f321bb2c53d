"""The one place that turns arguments and environment variables into objects."""

from __future__ import annotations

import os

from engine.store.base import EventStore
from engine.store.factory import DEFAULT_URL, normalise_url, open_store

DB_ENV = "SKILLAUDIT_DB"


def db_url(arg: str | None) -> str:
    """``--db`` if given, else ``$SKILLAUDIT_DB``, else ``./skillaudit.db``."""
    return normalise_url(arg or os.environ.get(DB_ENV) or DEFAULT_URL)


def store_for(arg: str | None, *, create: bool = True) -> EventStore:
    return open_store(db_url(arg), create=create)

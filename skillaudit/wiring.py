"""The one place that turns arguments and environment variables into objects."""

from __future__ import annotations

import os
from typing import Any

from engine.errors import UsageError
from engine.store.base import EventStore
from engine.store.factory import DEFAULT_URL, normalise_url, open_store

DB_ENV = "SKILLAUDIT_DB"


def db_url(arg: str | None) -> str:
    """``--db`` if given, else ``$SKILLAUDIT_DB``, else ``./skillaudit.db``."""
    return normalise_url(arg or os.environ.get(DB_ENV) or DEFAULT_URL)


def store_for(arg: str | None, *, create: bool = True) -> EventStore:
    return open_store(db_url(arg), create=create)


def engine_for_db(arg: str | None):
    """A SQLAlchemy engine on the store's database (read models live beside the events)."""
    from projections.projector import engine_for

    store_for(arg).close()  # make sure the event tables exist
    return engine_for(db_url(arg))


def views_for(arg: str | None, as_of=None, *, update: bool = True):
    """Read-side views, after applying any new events to the read models."""
    from projections.asof import NOW
    from projections.projector import Projector
    from projections.views import Views

    engine = engine_for_db(arg)
    if update:
        Projector(engine).run()
    return Views(engine, as_of or NOW)


def views_of(a: Any):
    """Read-side views for a read command's ``--db`` and ``--as-of``/``--as-of-position``."""
    from projections.asof import AsOf

    try:
        as_of = AsOf.parse(getattr(a, "as_of", None), getattr(a, "as_of_position", None))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return views_for(a.db, as_of)

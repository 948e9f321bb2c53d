"""Choose the store from a URL: ``sqlite:///path`` (default) or ``postgresql://…``.

Data chooses the backend, as in eventsourcing's ``InfrastructureFactory``: the
URL scheme names the module, whose ``Factory`` builds the chained recorder.
"""

from __future__ import annotations

from pathlib import Path

from engine.store.base import EventStore, StoreError

DEFAULT_URL = "sqlite:///skillaudit.db"


def sqlite_path(url: str) -> str:
    """The file path of a ``sqlite:///`` URL (relative paths stay relative)."""
    return url[len("sqlite:///"):]


def normalise_url(url: str) -> str:
    """Accept a bare file path as SQLite; keep other URLs as they are."""
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


def open_store(url: str = DEFAULT_URL, *, create: bool = True) -> EventStore:
    """Open (and create the tables of) the store at ``url``."""
    url = normalise_url(url)
    if url.startswith("sqlite:///"):
        from engine.store.sqlite import SQLiteStoreFactory

        path = sqlite_path(url)
        if not create and not Path(path).exists():
            raise StoreError(f"no store at {path}: run `skillaudit ingest FILE --db {url}` first")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        factory = SQLiteStoreFactory({
            "SQLITE_DBNAME": path, "ORIGINATOR_ID_TYPE": "text",
            # a concurrent writer may hold the lock for a whole batch on a busy machine
            "SQLITE_LOCK_TIMEOUT": "120",
            "CREATE_TABLE": "y" if create else "n",
        })
    elif url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from engine.store.postgres import PostgresStoreFactory

        factory = PostgresStoreFactory.from_url(url, create=create)
    else:
        raise StoreError(
            f"unsupported store URL {url!r}: use sqlite:///PATH or postgresql://USER@HOST/DB"
        )
    store = factory.application_recorder()
    assert isinstance(store, EventStore)
    if not create and not getattr(store, "tables_exist", lambda: True)():
        store.close()
        raise StoreError(f"no skillaudit store in {url}: run `skillaudit ingest FILE --db {url}` "
                         "first")
    return store

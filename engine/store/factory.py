"""Choose the store from a URL: ``sqlite:///path`` (default) or ``postgresql://…``.

Data chooses the backend, as in eventsourcing's ``InfrastructureFactory``: the
URL scheme names the module, whose ``Factory`` builds the chained recorder.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import UsageError
from engine.store.base import EventStore, StoreError
from engine.store.connect import CONNECT_TIMEOUT_ENV, connect_timeout

DEFAULT_URL = "sqlite:///skillaudit.db"


def sqlite_path(url: str) -> str:
    """The file path of a ``sqlite:///`` URL (relative paths stay relative)."""
    path = url[len("sqlite:///"):]
    if not path:
        raise UsageError(f"--db {url!r} names no file: use sqlite:///PATH/TO/store.db")
    return path


def _check_sqlite_path(path: str, url: str) -> None:
    """Refuse a store in a folder that does not exist, or a folder given as the store."""
    if path == ":memory:":
        return
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"--db {url}: {path} is a folder; name a file in it, e.g. "
                         f"sqlite:///{p / 'skillaudit.db'}")
    parent = p.parent
    if not parent.is_dir():
        raise UsageError(f"--db {url}: the folder {parent} does not exist; create it first "
                         "or choose another --db")


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
        _check_sqlite_path(path, url)
        if not create and not Path(path).exists():
            raise StoreError(f"no store at {path}: run `skillaudit ingest FILE --db {url}` first")
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
    store = _recorder(factory, url)
    assert isinstance(store, EventStore)
    if not create and not getattr(store, "tables_exist", lambda: True)():
        store.close()
        raise StoreError(f"no skillaudit store in {url}: run `skillaudit ingest FILE --db {url}` "
                         "first")
    return store


def _recorder(factory: object, url: str) -> EventStore:
    """The factory's recorder, with a server that cannot be reached said in one line."""
    from eventsourcing.persistence import OperationalError

    try:
        return factory.application_recorder()  # type: ignore[attr-defined,no-any-return]
    except OperationalError as exc:
        raise StoreError(unreachable(url, exc)) from None


def unreachable(url: str, exc: BaseException) -> str:
    """One line naming the server that did not answer and how to point elsewhere."""
    from engine.store.postgres import describe_server

    return (f"cannot reach the database server {describe_server(url)} ({str(exc).strip()}); "
            "start it, or point --db (or $SKILLAUDIT_DB) at a reachable "
            f"postgresql://USER@HOST:PORT/DB or a sqlite:///FILE; waited "
            f"{connect_timeout()} s (${CONNECT_TIMEOUT_ENV})")

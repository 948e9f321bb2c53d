"""Property: whatever bytes a file holds, ingest stores each line once or quarantines it once.

Hypothesis writes files of random bytes, random JSON and random mutations of
valid events (bytes flipped, cut, repeated; fields dropped, retyped, replaced
by odd values), ingests them into one SQLite file and one PostgreSQL database,
and checks after every file: no exception escaped; every non-blank line was
stored, recognised as stored, or quarantined; the store grew by exactly what
the summary says; the chain verifies; a second ingest of the same file stores
and quarantines nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.ingest import ingest
from engine.store.base import EventStore
from engine.store.factory import open_store
from tests import pg
from tests.conftest import new_pg_database
from tests.lines import TYPES, dumps, valid_event

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
    st.sampled_from(["１０００", "1e3", " 1000 ", "-0.00", "2023-02-30", "9999-12-31T23:59:59Z",
                     "2023-03-01T09:00:00", "\ufeff", "\x00", "Ａ" * 3, "1" * 400]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                        max_size=2),
)


@st.composite
def mutated_event(draw: st.DrawFn) -> bytes:
    """A valid event with one or two fields removed, retyped or given an odd value."""
    i = draw(st.integers(0, 10_000))
    ev: dict[str, Any] = valid_event(i, draw(st.sampled_from(["fz", "fy"])),
                                     draw(st.sampled_from(TYPES)))
    for _ in range(draw(st.integers(1, 2))):
        target = draw(st.sampled_from(["envelope", "data"]))
        obj = ev if target == "envelope" or not isinstance(ev.get("data"), dict) else ev["data"]
        key = draw(st.sampled_from(sorted(obj))) if obj else "x"
        if draw(st.booleans()):
            obj.pop(key, None)
        else:
            obj[key] = draw(ODD_VALUES)
    return json.dumps(ev, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """A valid line with bytes flipped, cut or re-encoded."""
    line = dumps(valid_event(draw(st.integers(0, 10_000)), "fb"))
    how = draw(st.sampled_from(["flip", "cut", "gbk", "bom", "double", "deep"]))
    if how == "flip":
        at = draw(st.integers(0, len(line) - 1))
        return line[:at] + bytes([draw(st.integers(0, 255))]) + line[at + 1:]
    if how == "cut":
        return line[: draw(st.integers(0, len(line)))]
    if how == "gbk":
        return line.decode().encode("gb18030")
    if how == "bom":
        return b"\xef\xbb\xbf" + line
    if how == "deep":
        depth = draw(st.sampled_from([1_000, 100_000]))
        return line[:-1] + b',"x":' + b"[" * depth + b"]" * depth + b"}"
    return line + line


LINE = st.one_of(
    st.binary(max_size=120).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b"")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                 lambda kids: st.lists(kids, max_size=3)
                 | st.dictionaries(st.text(max_size=8), kids, max_size=3),
                 max_leaves=8).map(lambda v: json.dumps(v).encode()),
    mutated_event(),
    mutated_bytes(),
    st.builds(lambda i: dumps(valid_event(i, "fv")), st.integers(0, 200)),
)


def _check_file(store: EventStore, path: Path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")
    events_before = sum(store.count_by_type().values())
    quarantined_before = store.quarantine_count()

    first = ingest(store, [str(path)], batch_lines=7)

    non_blank = sum(1 for line in lines if line.strip())
    assert first.lines == len(lines)
    assert first.stored + first.duplicates + first.quarantined + first.quarantine_known \
        == non_blank, first
    assert sum(store.count_by_type().values()) - events_before == first.stored
    assert store.quarantine_count() - quarantined_before == first.quarantined
    assert not first.failed
    assert store.verify().ok

    again = ingest(store, [str(path)], batch_lines=7)
    assert again.stored == 0 and again.quarantined == 0
    assert again.duplicates + again.quarantine_known == non_blank


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventStore]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    yield store
    store.close()


@pytest.fixture(scope="module")
def postgres_store() -> Iterator[EventStore]:
    name = new_pg_database()
    store = open_store(pg.url_of(name))
    yield store
    store.close()
    pg.drop_database(name)


FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(lines=st.lists(LINE, min_size=1, max_size=12))
def test_any_bytes_on_sqlite(sqlite_store: EventStore, tmp_path: Path,
                             lines: list[bytes]) -> None:
    _check_file(sqlite_store, tmp_path / "fuzz.jsonl", lines)


@pytest.mark.postgres
@FUZZ
@given(lines=st.lists(LINE, min_size=1, max_size=12))
def test_any_bytes_on_postgres(postgres_store: EventStore, tmp_path: Path,
                               lines: list[bytes]) -> None:
    _check_file(postgres_store, tmp_path / "fuzz.jsonl", lines)

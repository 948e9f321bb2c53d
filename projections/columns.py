"""The vocabulary of read-model declarations: a column read from a JSON path, and the
two kinds of table (one row per event, one row per element of an event's list)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Col:
    """One column taken from the event's JSON ``path`` (dotted, under the envelope)."""

    name: str
    path: str
    kind: str = "str"  # str | int | num | money | date | bool | json

    @property
    def nullable(self) -> bool:
        return True


def s(name: str, path: str | None = None) -> Col:
    return Col(name, f"data.{name}" if path is None else path, "str")


def i(name: str, path: str | None = None) -> Col:
    return Col(name, f"data.{name}" if path is None else path, "int")


def n(name: str, path: str | None = None) -> Col:
    return Col(name, f"data.{name}" if path is None else path, "num")


def m(name: str, path: str | None = None) -> Col:
    """Money: stored as integer fen, exact."""
    return Col(name + "_fen", f"data.{name}" if path is None else path, "money")


def d(name: str, path: str | None = None) -> Col:
    return Col(name, f"data.{name}" if path is None else path, "date")


def b(name: str, path: str | None = None) -> Col:
    return Col(name, f"data.{name}" if path is None else path, "bool")


def j(name: str, path: str | None = None) -> Col:
    """A JSON value kept as text (lists such as licensed occupations)."""
    return Col(name, f"data.{name}" if path is None else path, "json")


@dataclass(frozen=True)
class FactTable:
    """A table with one row per event of ``topics``."""

    name: str
    topics: tuple[str, ...]
    columns: tuple[Col, ...]
    keys: tuple[str, ...] = ()  # columns worth an index (lookups by id)


@dataclass(frozen=True)
class ArrayTable:
    """A table with one row per element of a JSON array in each event of ``topics``."""

    name: str
    topics: tuple[str, ...]
    array: str  # dotted path of the array
    parent: tuple[Col, ...]  # columns from the event
    element: tuple[Col, ...]  # columns from each element (path relative to the element; "" = it)
    keys: tuple[str, ...] = ()

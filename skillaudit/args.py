"""Argument types that refuse a wrong value before any work starts (exit code 2, one line)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{value} must be {least} or more")
    return value


def positive_int(text: str) -> int:
    """A whole number of 1 or more (persons, processes, batch sizes)."""
    return _whole(text, 1)


def non_negative_int(text: str) -> int:
    """A whole number of 0 or more (seeds, positions)."""
    return _whole(text, 0)


def positive_float(text: str) -> float:
    """A number of seconds greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text} must be a number greater than 0")
    return value


def out_file(text: str) -> str:
    """A file to write: its folder must exist, and it must not itself be a folder."""
    p = Path(text)
    if not text or p.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder: name a file in it")
    if not p.parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"the folder {p.parent} does not exist: create it first or write elsewhere")
    return text


def in_file(text: str) -> str:
    """A file to read: it must exist and be a file."""
    p = Path(text)
    if p.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    if not p.is_file():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return text
def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help="store URL: sqlite:///PATH (default ./skillaudit.db, or "
                                "$SKILLAUDIT_DB) or postgresql://USER@HOST:PORT/DB")


def add_as_of(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", metavar="TIME",
                   help="state as recorded by TIME, e.g. 2023-06-30T00:00+08:00")
    p.add_argument("--as-of-position", type=non_negative_int, metavar="N",
                   help="state after the first N events of the log")

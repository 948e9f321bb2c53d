"""Where source code names the event log's table or its columns, read with ``ast``.

A name counts where it can reach the database: in a string literal (an f-string's
text, and strings joined with ``+``, read as one), or as the recorder's
``events_table_name`` attribute. Docstrings and comments are prose and do not count.

* The table and the PostgreSQL position column (``LOG_NAMES``) count in any string:
  no event, record or message carries them as data.
* The chain columns and SQLite's position column (``LOG_COLUMNS``) count in SQL only:
  an evidence record carries ``chain_hash`` and ``prev_hash`` as JSON keys, and that is
  data about an event, not a read of the log. A string is SQL when it reads as a
  statement (``SELECT … FROM``, ``INSERT INTO``, ``UPDATE … SET``, ``DELETE FROM``,
  ``ORDER BY``, ``GROUP BY``, in any case) or is handed to a call that takes SQL
  (``text``, ``execute``, ``column``, psycopg's ``SQL`` …).

What it cannot see: a column name kept in a variable of its own and spliced into SQL
elsewhere (``col = "chain_hash"``, then ``f"SELECT {col} …"``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

LOG_NAMES = ("stored_events", "notification_id")
LOG_COLUMNS = ("chain_hash", "chain_seq", "prev_hash", "rowid")
LOG_ATTRIBUTES = ("events_table_name",)

_SQL = re.compile(r"\bSELECT\b[^;]*?\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\b[^;]*?\bSET\b|"
                  r"\bDELETE\s+FROM\b|\bORDER\s+BY\b|\bGROUP\s+BY\b", re.IGNORECASE | re.DOTALL)
_SQL_CALLS = {"text", "execute", "executemany", "exec_driver_sql", "column", "literal_column",
              "table", "Table", "Column", "SQL", "Identifier"}
_ANYWHERE = re.compile(rf"\b({'|'.join(LOG_NAMES)})\b")
_IN_SQL = re.compile(rf"\b({'|'.join(LOG_COLUMNS)})\b")
_HOLE = "{}"  # what an f-string's or a joined expression's value reads as


@dataclass(frozen=True)
class Naming:
    """One place that names the log: its line, the name, and the text it stands in."""

    line: int
    name: str
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.name!r} in {self.text[:80]!r}"


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the nodes that are docstrings (a module's, a class's, a function's)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                out.add(id(body[0].value))
    return out


def _text(node: ast.AST) -> str | None:
    """The text of a string literal, an f-string or a ``+`` of them; None for other nodes."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str)
                       else _HOLE for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else _HOLE) + (right if right is not None else _HOLE)
    return None


def _called(node: ast.Call) -> str:
    f = node.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def namings(source: str, filename: str = "<source>") -> Iterator[Naming]:
    """Each place in ``source`` that names the event log's table or columns."""
    tree = ast.parse(source, filename)
    skip = _docstrings(tree)
    sql_args = {id(a) for node in ast.walk(tree) if isinstance(node, ast.Call)
                and _called(node) in _SQL_CALLS for a in node.args}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in LOG_ATTRIBUTES:
            yield Naming(node.lineno, node.attr, ast.unparse(node))
            continue
        if id(node) in skip:
            continue
        text = _text(node)
        if text is None:
            continue
        skip.update(id(child) for child in ast.walk(node))  # a joined text is read once, whole
        for m in _ANYWHERE.finditer(text):
            yield Naming(node.lineno, m.group(1), text)
        if id(node) in sql_args or _SQL.search(text):
            for m in _IN_SQL.finditer(text):
                yield Naming(node.lineno, m.group(1), text)

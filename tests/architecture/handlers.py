"""Broad exception handlers that hide a failure, found with ``ast``.

A handler is broad when it catches ``Exception``, ``BaseException``, an import
failure (``ImportError``, ``ModuleNotFoundError``) or everything (a bare
``except:``), alone or in a tuple. A broad handler hides nothing when its body,
nested functions aside:

* raises (the same exception, or one that says more);
* logs: calls ``debug``, ``info``, ``warning``, ``error``, ``exception``,
  ``critical`` or ``log`` on a logger (a receiver named like ``log``, ``logger``,
  ``logging``, ``self.log``); or
* hands the exception on: names the exception it bound (``except Exception as exc``)
  to report it, send it to a parent process or keep it in a result.

``contextlib.suppress`` of a broad exception has no body to log in: always reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

BROAD = {"Exception", "BaseException", "ImportError", "ModuleNotFoundError"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log"}


@dataclass(frozen=True)
class Hidden:
    """A broad handler (or suppression) that neither raises, logs nor hands on."""

    line: int
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}"


def _names(node: ast.expr | None) -> set[str]:
    """The class names an ``except`` clause or a ``suppress`` call lists."""
    if node is None:
        return {"everything"}
    if isinstance(node, ast.Tuple):
        return {n for elt in node.elts for n in _names(elt)}
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Attribute):
        return {node.attr}
    return set()


def _body_nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of ``body``, not descending into functions, lambdas or classes."""
    nested = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
    todo: list[ast.AST] = [s for s in body if not isinstance(s, nested)]
    while todo:
        node = todo.pop()
        yield node
        todo.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, nested))


def _receiver(node: ast.expr) -> str:
    """The name a call is made on: ``log`` in ``log.warning``, ``getLogger`` in
    ``logging.getLogger(__name__).debug``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _receiver(node.func)
    return ""


def _accounted_for(handler: ast.ExceptHandler) -> bool:
    for node in _body_nodes(handler.body):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in LOG_METHODS and "log" in _receiver(node.func.value).lower():
            return True
        if handler.name and isinstance(node, ast.Name) and node.id == handler.name \
                and isinstance(node.ctx, ast.Load):
            return True
    return False


def hidden(source: str, filename: str = "<source>") -> Iterator[Hidden]:
    """Each broad handler in ``source`` that hides what it caught."""
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.ExceptHandler):
            caught = _names(node.type) & (BROAD | {"everything"})
            if caught and not _accounted_for(node):
                yield Hidden(node.lineno, f"except {', '.join(sorted(caught))} that neither "
                                          "raises, logs nor hands the exception on")
        elif isinstance(node, ast.Call) and _receiver(node.func) == "suppress":
            caught = {n for arg in node.args for n in _names(arg)} & BROAD
            if caught:
                yield Hidden(node.lineno, f"suppress({', '.join(sorted(caught))}) hides "
                                          "every failure of its block")

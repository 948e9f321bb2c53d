"""What a value of the rules file may be, declared once as a type, and the one check of it.

A rule's ``Params`` field is typed with one of the kinds below (``Share``, ``Yuan``,
``Whole`` …): a msgspec ``Meta`` on the type says the range, and its description what
a user may write. ``check`` converts what TOML read to the field's type and refuses,
naming the file and the key, a value of the wrong type or outside its range, so a rules
file is judged when it is read (``detectors.rules.load_rules``), not when a rule runs.

msgspec checks types, integer ranges, patterns and choices itself; it does not check
the range of a ``Decimal``, so ``check`` compares those with the same ``Meta``'s bounds.
"""

from __future__ import annotations

import operator
import types
import typing
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from engine.errors import UsageError


class RulesFileError(UsageError, ValueError):
    """A rules file that cannot be used; the message names the file and the key."""


Severity = Literal["low", "medium", "high", "critical"]
Level = Literal["5", "4", "3", "2", "1"]  # 五级/初级工 … 一级/高级技师: a level table's keys

Share = Annotated[Decimal, Meta(
    ge=0, le=1, description='a share or probability between 0 and 1, e.g. "0.80"')]
Yuan = Annotated[Decimal, Meta(ge=0, description='an amount in yuan, 0 or more, e.g. "300.00"')]
Number = Annotated[Decimal, Meta(ge=0, description='a number, 0 or more, e.g. "2.5"')]
Whole = Annotated[int, Meta(ge=0, description="a whole number, 0 or more, e.g. 3")]
MonthDay = Annotated[str, Meta(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
                               description='a month and day as "MM-DD", e.g. "03-31"')]

_UNSET = ("", None)  # a local standard left unset: the rule checks nothing for it
_BOUNDS = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt}


def check(raw: Any, hint: Any, key: str, source: str) -> Any:
    """``raw`` as TOML read it, converted to ``hint``; or ``RulesFileError`` naming the file
    (``source``), the key and what it may be."""
    inner = _optional(hint)
    if inner is not None and raw in _UNSET:
        return None
    return _convert(raw, hint if inner is None else inner, key, source, allowed(hint))


def _convert(raw: Any, hint: Any, key: str, source: str, says: str) -> Any:
    if typing.get_origin(hint) is dict:  # entry by entry, so a message names the entry
        if not isinstance(raw, dict):
            raise RulesFileError(f"{source}: {key} = {raw!r}: expected {says}")
        of_key, of_value = typing.get_args(hint)
        if typing.get_origin(of_key) is Literal:
            wrong = sorted(str(k) for k in raw if k not in typing.get_args(of_key))
            if wrong:
                raise RulesFileError(f"{source}: {key} has key(s) {', '.join(wrong)}; "
                                     f"expected some of {', '.join(typing.get_args(of_key))}")
        return {str(k): check(v, of_value, f"{key}.{k}", source) for k, v in raw.items()}
    try:
        value = msgspec.convert(raw, _for_msgspec(hint), strict=True)
    except msgspec.ValidationError as exc:
        number = "not a number; " if "decimal" in str(exc) and isinstance(raw, str) else ""
        raise RulesFileError(f"{source}: {key} = {raw!r}: {number}expected {says}") from None
    if isinstance(value, Decimal) and not _in_range(value, hint):
        raise RulesFileError(f"{source}: {key} = {raw!r}: expected {says}")
    return value


def allowed(hint: Any) -> str:
    """What a user may write for ``hint``, in words."""
    inner = _optional(hint)
    if inner is not None:
        return f'{allowed(inner)}, or "" to leave it unset'
    meta = _meta(hint)
    if meta is not None and meta.description:
        return meta.description
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in args)
    if origin is dict:
        return 'a table, e.g. { "5" = "300.00" }'
    if origin in (tuple, list):
        return 'a list, e.g. ["training"]'
    return {bool: "true or false", int: "a whole number", str: "a string in quotes",
            Decimal: 'a number, e.g. "0.80"'}.get(hint, str(hint))


def _optional(hint: Any) -> Any:
    """``X`` for ``X | None``; None for any other type."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0]
    return None


def _meta(hint: Any) -> Meta | None:
    if typing.get_origin(hint) is Annotated:
        return next((m for m in hint.__metadata__ if isinstance(m, Meta)), None)
    return None


def _base(hint: Any) -> Any:
    return typing.get_args(hint)[0] if typing.get_origin(hint) is Annotated else hint


def _for_msgspec(hint: Any) -> Any:
    """The type msgspec converts to: a ``Decimal``'s bounds, which msgspec refuses on that
    type, are left to ``_in_range``."""
    return Decimal if _base(hint) is Decimal else hint


def _in_range(value: Decimal, hint: Any) -> bool:
    meta = _meta(hint)
    return value.is_finite() and (meta is None or all(
        holds(value, Decimal(str(getattr(meta, name)))) for name, holds in _BOUNDS.items()
        if getattr(meta, name) is not None))

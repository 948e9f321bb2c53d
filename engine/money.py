"""Money in one place: yuan as ``Decimal`` at the edges, integer fen inside tables and frames.

Integer fen add and compare exactly in SQL and in pandas (int64), so sums over
millions of rows never drift; conversion to and from yuan happens only here.
``parse_money`` is the one gate every amount passes on its way in: it accepts
a plain decimal with at most two places and nothing else, so what the read
models cast to fen in SQL is always a number both databases read exactly.
"""

from __future__ import annotations

import re
from decimal import Decimal

FEN_PER_YUAN = 100
_CENT = Decimal("0.01")
MAX_YUAN = Decimal("1000000000000")  # 1 trillion yuan: anything larger is a typo

# a JSON number or a JSON string holding one: ASCII digits, one optional point, no sign,
# exponent, spaces, separators or units (a spreadsheet importer normalises those first)
_PLAIN = re.compile(rb'(-?)[0-9]+(?:\.([0-9]+))?')


class MoneyError(ValueError):
    """An amount that is not a plain decimal of yuan with at most two places."""


def parse_money(raw: bytes | str) -> Decimal:
    """The exact amount of one JSON money value (``1000``, ``"1000.5"``), or ``MoneyError``.

    ``raw`` is the value as it stands in the JSON text, quotes included for a
    string. Full-width digits, ``1e3``, padded or signed text, thousands
    separators and units are refused with a reason rather than guessed.
    """
    text = raw.encode() if isinstance(raw, str) else bytes(raw)
    quoted = len(text) >= 2 and text[:1] == b'"' and text[-1:] == b'"'
    body = text[1:-1] if quoted else text
    m = _PLAIN.fullmatch(body)
    if m is None:
        shown = body.decode("utf-8", "replace")
        if not quoted and body in (b"null", b"true", b"false"):
            raise MoneyError(f"{shown} is not an amount")
        raise MoneyError(f"{shown!r} is not a plain decimal amount (digits 0-9 with at most "
                         "two decimals, e.g. \"1000.00\"; no exponent, spaces, separators, "
                         "units or full-width digits)")
    sign, frac = m.groups()
    if sign:
        raise MoneyError(f"{body.decode()} is negative")
    if frac is not None and len(frac) > 2:
        raise MoneyError(f"{body.decode()} has more than two decimals")
    value = Decimal(body.decode())
    if value > MAX_YUAN:
        raise MoneyError(f"{body.decode()} is implausibly large (over {MAX_YUAN} yuan)")
    return value


def to_fen(yuan: Decimal | str | int) -> int:
    """Exact fen of an amount with at most two decimals (raises if it has more)."""
    value = parse_money(yuan) if isinstance(yuan, str) else Decimal(yuan)
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise MoneyError(f"{yuan} has more than two decimals")
    return int(fen)


def to_yuan(fen: int) -> Decimal:
    """Yuan with exactly two decimals."""
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(_CENT)


def yuan_str(fen: int) -> str:
    """The spec's money form: a decimal string with two decimals, e.g. ``"1000.00"``."""
    return str(to_yuan(fen))

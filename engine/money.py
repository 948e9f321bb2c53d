"""Money in one place: yuan as ``Decimal`` at the edges, integer fen inside tables and frames.

Integer fen add and compare exactly in SQL and in pandas (int64), so sums over
millions of rows never drift; conversion to and from yuan happens only here.
"""

from __future__ import annotations

from decimal import Decimal

FEN_PER_YUAN = 100
_CENT = Decimal("0.01")


def to_fen(yuan: Decimal | str | int) -> int:
    """Exact fen of an amount with at most two decimals (raises if it has more)."""
    value = Decimal(yuan)
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"{yuan} has more than two decimals")
    return int(fen)


def to_yuan(fen: int) -> Decimal:
    """Yuan with exactly two decimals."""
    return (Decimal(int(fen)) / FEN_PER_YUAN).quantize(_CENT)


def yuan_str(fen: int) -> str:
    """The spec's money form: a decimal string with two decimals, e.g. ``"1000.00"``."""
    return str(to_yuan(fen))

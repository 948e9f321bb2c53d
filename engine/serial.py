"""Canonical bytes of an event: the form that is stored and hashed.

The event is kept exactly as the source sent it, fields the spec does not know
included (nothing is lost), but re-encoded with sorted keys and no spaces so
the same event always gives the same bytes. Numbers are decoded as ``Decimal``
and written back digit for digit: money never passes through a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_encoder = msgspec.json.Encoder(order="sorted", decimal_format="number")


def canonical(line: bytes | str) -> bytes:
    """Canonical bytes of one JSON value (raises ``msgspec.DecodeError`` if not JSON)."""
    return _encoder.encode(_decoder.decode(line))


def canonical_obj(obj: Any) -> bytes:
    """Canonical bytes of an already decoded value."""
    return _encoder.encode(obj)


def load(state: bytes | str) -> Any:
    """Decode stored canonical bytes into plain Python values (numbers as ``Decimal``)."""
    return _decoder.decode(state)

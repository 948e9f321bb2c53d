"""The engine's own events (findings, runs, cases, credit), built from their structs.

Callers hand over the typed ``data`` struct of ``engine.events``: a misspelt or
missing field is a ``TypeError`` where the event is built, not a quarantined
line later. msgspec checks a struct's declared constraints (lengths, ranges,
money) only when it decodes, so the encoded event then goes through the same
``parse_line`` as any input: one validation, one canonical form, one digest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from engine.events import EVENT_TYPES, EventData
from engine.parse import NewEvent, parse_line


def _plain(value: Any) -> Any:
    """What msgspec cannot encode by itself (numpy scalars, paths): a number or its text."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)


_encoder = msgspec.json.Encoder(enc_hook=_plain)


class _Own(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The spec's envelope as the engine writes it (``engine.events.Envelope`` reads it)."""

    event_id: str
    type: str
    occurred_at: datetime
    source: str
    data: msgspec.Raw


def type_name(data: EventData) -> str:
    """The spec's ``type`` of a data struct; an unregistered struct is a defect."""
    name = type(data).__name__
    if EVENT_TYPES.get(name) is not type(data):
        raise TypeError(f"{name} is not a registered event type")
    return name


def own_event(data: EventData, *, event_id: str, occurred_at: datetime, source: str,
              line_no: int = 0) -> NewEvent:
    """One event the engine records about its own work, validated like any input.

    ``occurred_at`` must carry its offset (the spec's rule for every time);
    ``None`` fields are left out, as a source would leave them out.
    """
    if occurred_at.tzinfo is None:
        raise ValueError(f"occurred_at {occurred_at} has no UTC offset")
    body = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
    line = _encoder.encode(_Own(
        event_id=event_id, type=type_name(data),
        occurred_at=occurred_at.replace(microsecond=0), source=source,
        data=msgspec.Raw(_encoder.encode(body))))
    return parse_line(line, source, line_no)

"""Turn one input line into a storable event, or say exactly why it is malformed.

The hot path of every ingest: one typed msgspec decode of the envelope, one of
the ``data`` for its type (both validate in C), one canonical re-encoding.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import msgspec

from engine.chain import content_digest
from engine.events import EVENT_TYPES, Envelope
from engine.events.keys import key_fields, stream_prefix
from engine.quarantine import Malformed, Reason
from engine.serial import canonical

_envelope = msgspec.json.Decoder(Envelope)
_types: dict[str, tuple[msgspec.json.Decoder, tuple[tuple[str, str], ...]]] = {}


class NewEvent(NamedTuple):
    """A validated event ready to append: identity, subject, recording time, canonical bytes.

    A plain tuple so batches cross a process boundary cheaply (see ``engine.ingest``).
    """

    event_id: str
    type: str
    stream: str
    recorded_at_us: int
    state: bytes
    digest: bytes  # engine.chain.content_digest of the fields above
    source: str = ""
    line_no: int = 0


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _epoch_us(t: datetime) -> int:
    return (t - _EPOCH) // _US


def _classify(exc: msgspec.ValidationError, where: str) -> Malformed:
    text = str(exc)
    if where:
        prefix = f"`$.{where}"
        text = text.replace("`$", prefix, 1) if "`$" in text else f"{text} - in {prefix}`"
    head = text.split(" - ")[0]
    if "missing required field" in head:
        reason = Reason.MISSING_FIELD
    elif "not a plain decimal amount" in head:
        reason = Reason.BAD_MONEY
    elif "RFC3339" in head or "timezone" in head:
        reason = Reason.BAD_DATE
    elif head.startswith("Expected `") and not any(op in head for op in ("<", ">", "length")):
        reason = Reason.WRONG_TYPE
    else:
        reason = Reason.IMPOSSIBLE_VALUE
    return Malformed(reason, text)


def _type_info(type_name: str) -> tuple[msgspec.json.Decoder, tuple[tuple[str, str], ...]]:
    info = _types.get(type_name)
    if info is None:
        cls = EVENT_TYPES.get(type_name)
        if cls is None:
            known = ", ".join(sorted(EVENT_TYPES))
            raise Malformed(Reason.UNKNOWN_TYPE, f"unknown type {type_name!r}; known: {known}")
        keys = tuple((f, stream_prefix(f)) for f in key_fields(cls))
        info = _types[type_name] = (msgspec.json.Decoder(cls), keys)
    return info


_BOM = b"\xef\xbb\xbf"


def _not_utf8(line: bytes) -> Malformed | None:
    """Why a line is not UTF-8 (a GBK export, a stray byte), or None when it is."""
    if line.isascii():
        return None
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Malformed(Reason.NOT_UTF8,
                         f"byte {exc.start + 1} (0x{line[exc.start]:02x}) is not UTF-8: the line "
                         "is in another encoding (GBK?); convert the file to UTF-8")
    return None


def parse_line(line: bytes, source: str = "", line_no: int = 0) -> NewEvent:
    """Validate one JSON line against the spec; raise ``Malformed`` with the reason.

    Whatever the bytes, the answer is an event or ``Malformed``: a leading
    byte-order mark is dropped, anything not UTF-8 or nested beyond the
    decoder's depth is a reason of its own, never an exception that escapes.
    """
    if line.startswith(_BOM):
        line = line[len(_BOM):]
    bad = _not_utf8(line)
    if bad is not None:
        raise bad
    try:
        return _parse(line, source, line_no)
    except msgspec.DecodeError as exc:
        raise Malformed(Reason.NOT_JSON, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise Malformed(Reason.NOT_JSON, "JSON nested too deeply to be an event") from None
    except (ValueError, OverflowError) as exc:  # e.g. a time beyond the calendar's range
        raise Malformed(Reason.IMPOSSIBLE_VALUE, str(exc)) from None


def parse_canonical(state: bytes, source: str = "", line_no: int = 0) -> NewEvent:
    """``parse_line`` for an event its producer wrote in canonical form itself.

    A converter that builds events from other input (a spreadsheet row) encodes
    each with ``engine.serial.canonical_obj`` (numbers as ``int`` or ``Decimal``);
    the checks are the same, only re-encoding a line that is canonical already is
    skipped, about a third of the work. Anything not canonical is a defect of the
    producer: its bytes would be stored as given."""
    try:
        return _parse(state, source, line_no, state)
    except msgspec.DecodeError as exc:
        raise Malformed(Reason.NOT_JSON, f"not valid JSON: {exc}") from None
    except (ValueError, OverflowError) as exc:
        raise Malformed(Reason.IMPOSSIBLE_VALUE, str(exc)) from None


def _parse(line: bytes, source: str, line_no: int, state: bytes | None = None) -> NewEvent:
    try:
        env = _envelope.decode(line)
    except msgspec.ValidationError as exc:
        if str(exc).startswith("Expected `object`"):
            raise Malformed(Reason.NOT_OBJECT, "the line is JSON but not an object") from None
        raise _classify(exc, "") from None
    decoder, keys = _type_info(env.type)
    try:
        data = decoder.decode(env.data)
    except msgspec.ValidationError as exc:
        raise _classify(exc, "data") from None
    stream = ""
    for name, prefix in keys:
        value = getattr(data, name)
        if value:
            stream = prefix + value
            break
    else:
        stream = "event:" + env.event_id
    recorded = _epoch_us(env.recorded_at or env.occurred_at)
    state = canonical(line) if state is None else state
    return NewEvent(env.event_id, env.type, stream, recorded, state,
                    content_digest(stream, env.type, env.event_id, recorded, state),
                    source, line_no)

"""Event lines for tests: valid spec JSON of several types, malformed variants, JSONL files.

Everything here is built from the spec (shared/spec/events.md), not from the engine,
so tests compare the engine against an independent description of its input.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

CST = timezone(timedelta(hours=8))
BASE_TIME = datetime(2023, 3, 1, 9, 0, tzinfo=CST)

# Valid-looking resident id numbers (the engine does not reject bad checksums at ingest).
PERSONS = [f"1423011990010{n:05d}" for n in range(1, 41)]
CLASSES = [f"C{n:03d}" for n in range(1, 9)]

TYPES = ("ClassOpened", "TraineeEnrolled", "AttendanceRecorded", "SubsidyPaid",
         "PersonRegistered", "SubsidyClaimed")


def iso(t: datetime) -> str:
    return t.isoformat()


def event(type_: str, event_id: str, data: Mapping[str, Any], *,
          occurred_at: datetime | str | None = None,
          recorded_at: datetime | str | None = None,
          source: str | None = "test") -> dict[str, Any]:
    """One envelope as a dict (``recorded_at`` omitted unless given)."""
    occurred = occurred_at if occurred_at is not None else BASE_TIME
    env: dict[str, Any] = {
        "event_id": event_id,
        "type": type_,
        "occurred_at": occurred if isinstance(occurred, str) else iso(occurred),
        "data": dict(data),
    }
    if recorded_at is not None:
        env["recorded_at"] = recorded_at if isinstance(recorded_at, str) else iso(recorded_at)
    if source is not None:
        env["source"] = source
    return env


def data_for(type_: str, i: int) -> dict[str, Any]:
    """Valid ``data`` of a type, varied by ``i``."""
    person = PERSONS[i % len(PERSONS)]
    cls = CLASSES[i % len(CLASSES)]
    if type_ == "ClassOpened":
        return {"class_id": cls, "institution_id": f"I{i % 3}", "occupation": "4-10-01-05",
                "occupation_name": "养老护理员", "level": 5 - i % 5, "mode": "inclusive",
                "county": "平遥县", "venue": "教室 1", "capacity": 40,
                "start_date": "2023-03-01", "end_date": "2023-03-20", "planned_days": 15,
                "planned_hours": 120, "program": "就业技能培训"}
    if type_ == "TraineeEnrolled":
        return {"class_id": cls, "person_id": person}
    if type_ == "AttendanceRecorded":
        return {"class_id": cls, "person_id": person, "direction": "in" if i % 2 else "out",
                "method": "face", "face_score": 0.93}
    if type_ == "SubsidyPaid":
        return {"payment_id": f"PAY{i:07d}", "claim_id": f"CL{i % 11:04d}",
                "amount": f"{1000 + i % 97}.{i % 100:02d}", "bank_account": "6222020200000000",
                "county": "平遥县", "program": "就业技能培训"}
    if type_ == "PersonRegistered":
        return {"person_id": person, "name": "张三", "gender": "M", "birth_date": "1990-01-01",
                "county": "平遥县", "hukou": "rural", "category": "rural_transfer"}
    if type_ == "SubsidyClaimed":
        return {"claim_id": f"CL{i % 11:04d}", "claimant_type": "institution",
                "claimant_id": f"I{i % 3}", "kind": "training", "class_id": cls,
                "items": [{"person_id": person, "amount": "800.50", "days": 15}],
                "amount": "800.50", "program": "就业技能培训", "county": "平遥县"}
    raise ValueError(f"no test data for {type_}")


def expected_stream(type_: str, data: Mapping[str, Any]) -> str:
    """The stream the spec's partition-key order gives (``person:…``, ``class:…``, …)."""
    for name in ("person_id", "class_id", "claim_id", "payment_id", "institution_id",
                 "agency_id", "employer_id", "county"):
        if data.get(name):
            prefix = name[:-3] if name.endswith("_id") else name
            return f"{prefix}:{data[name]}"
    raise AssertionError(f"{type_} has no key field in {data}")


def valid_event(i: int, prefix: str = "ev", type_: str | None = None,
                time: datetime | None = None) -> dict[str, Any]:
    type_ = type_ or TYPES[i % len(TYPES)]
    t = time or BASE_TIME + timedelta(minutes=i)
    return event(type_, f"{prefix}-{i:07d}", data_for(type_, i), occurred_at=t)


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def valid_line(i: int, prefix: str = "ev", type_: str | None = None) -> bytes:
    return dumps(valid_event(i, prefix, type_))


def valid_lines(n: int, prefix: str = "ev", start: int = 0) -> list[bytes]:
    return [valid_line(i, prefix) for i in range(start, start + n)]


def _good(event_id: str) -> dict[str, Any]:
    return event("TraineeEnrolled", event_id, {"class_id": "C001", "person_id": PERSONS[0]})


def _paid(event_id: str, amount: Any) -> dict[str, Any]:
    return event("SubsidyPaid", event_id, {
        "payment_id": "PAYX", "claim_id": "CLX", "amount": amount, "bank_account": "622",
        "county": "平遥县", "program": "p"})


def malformed_lines(prefix: str = "bad") -> dict[str, tuple[bytes, str]]:
    """Each malformed kind of the spec: name -> (raw line, expected ``Reason`` value)."""
    no_data_field = _good(f"{prefix}-missing")
    del no_data_field["data"]["person_id"]
    no_offset = _good(f"{prefix}-nooffset")
    no_offset["occurred_at"] = "2023-03-01T09:00:00"
    wrong_type = _good(f"{prefix}-wrongtype")
    wrong_type["data"]["class_id"] = 17
    opened = event("ClassOpened", f"{prefix}-endbeforestart", data_for("ClassOpened", 0))
    opened["data"]["end_date"] = "2023-02-01"
    no_envelope_field = _good(f"{prefix}-noeventid")
    del no_envelope_field["event_id"]
    impossible_day = event("ClassOpened", f"{prefix}-feb30", data_for("ClassOpened", 0))
    impossible_day["data"]["start_date"] = "2023-02-30"
    recorded_no_offset = _good(f"{prefix}-recnooffset")
    recorded_no_offset["recorded_at"] = "2023-03-01 09:00:05"
    data_not_object = _good(f"{prefix}-datalist")
    data_not_object["data"] = ["C001", PERSONS[0]]
    return {
        "not_json": (b'{"event_id": "' + prefix.encode() + b'-x", "type": ', "not_json"),
        "not_object": (b'["TraineeEnrolled", 1]', "not_object"),
        "unknown_type": (dumps(event("TraineeTeleported", f"{prefix}-unknown", {})),
                         "unknown_type"),
        "missing_field": (dumps(no_data_field), "missing_field"),
        "missing_envelope_field": (dumps(no_envelope_field), "missing_field"),
        "wrong_type": (dumps(wrong_type), "wrong_type"),
        "date_without_offset": (dumps(no_offset), "bad_date"),
        "recorded_at_without_offset": (dumps(recorded_no_offset), "bad_date"),
        "unparseable_date": (dumps(impossible_day), "bad_date"),
        "data_not_object": (dumps(data_not_object), "wrong_type"),
        "money_not_a_number": (dumps(_paid(f"{prefix}-abc", "12,50")), "bad_money"),
        "money_full_width": (dumps(_paid(f"{prefix}-fullwidth", "１０００")), "bad_money"),
        "money_exponent": (dumps(_paid(f"{prefix}-exp", "1e3")), "bad_money"),
        "money_exponent_number": (b'{"event_id":"' + prefix.encode() + b'-expn","type":'
                                  b'"SubsidyPaid","occurred_at":"2023-03-01T09:00:00+08:00",'
                                  b'"data":{"payment_id":"P","claim_id":"C","amount":1e3,'
                                  b'"bank_account":"622","county":"c","program":"p"}}',
                                  "bad_money"),
        "money_padded": (dumps(_paid(f"{prefix}-padded", " 1000 ")), "bad_money"),
        "not_utf8": (dumps(_paid(f"{prefix}-gbk", "1.00")).replace(
            "平遥县".encode(), "平遥县".encode("gbk")), "not_utf8"),
        "nested_too_deep": (b'{"event_id":"' + prefix.encode() + b'-deep","data":'
                            + b"[" * 100_000 + b"]" * 100_000 + b"}", "not_json"),
        "negative_money": (dumps(_paid(f"{prefix}-negative", "-1.00")), "impossible_value"),
        "three_decimals": (dumps(_paid(f"{prefix}-3dp", "10.005")), "impossible_value"),
        "three_decimals_number": (dumps(_paid(f"{prefix}-3dpn", 0.125)), "impossible_value"),
        "end_before_start": (dumps(opened), "impossible_value"),
        "empty_event_id": (dumps(_good("")), "impossible_value"),
    }


@dataclass
class Written:
    """A JSONL file written for a test, and what it holds."""

    path: Path
    event_ids: list[str] = field(default_factory=list)  # valid events, in file order
    bad: dict[int, tuple[bytes, str]] = field(default_factory=dict)  # line no -> (raw, reason)
    blank: list[int] = field(default_factory=list)
    lines: int = 0

    @property
    def valid(self) -> int:
        return len(self.event_ids)


def write_jsonl(path: Path, n: int, *, prefix: str = "ev", start: int = 0,
                bad: Mapping[int, tuple[bytes, str]] | None = None,
                blank: Iterable[int] = (), gz: bool | None = None) -> Written:
    """Write ``n`` valid lines, with ``bad`` and ``blank`` lines at the given line numbers.

    Line numbers are 1-based positions in the written file; valid lines fill the rest.
    Event ids are ``{prefix}-{i:07d}`` for i = start, start+1, … so files with different
    prefixes never share an id.
    """
    bad = dict(bad or {})
    blank = set(blank)
    total = n + len(bad) + len(blank)
    out = Written(Path(path), bad=bad, blank=sorted(blank), lines=total)
    i = start
    chunks: list[bytes] = []
    for line_no in range(1, total + 1):
        if line_no in bad:
            chunks.append(bad[line_no][0])
        elif line_no in blank:
            chunks.append(b"   " if line_no % 2 else b"")
        else:
            ev = valid_event(i, prefix)
            out.event_ids.append(ev["event_id"])
            chunks.append(dumps(ev))
            i += 1
    body = b"\n".join(chunks) + b"\n"
    if gz if gz is not None else str(path).endswith(".gz"):
        with gzip.open(path, "wb", compresslevel=1) as f:
            f.write(body)
    else:
        Path(path).write_bytes(body)
    return out


def write_fast_jsonl(path: Path, n: int, prefix: str) -> None:
    """A large file of ``n`` small valid lines with ids ``{prefix}-0`` … ``{prefix}-{n-1}``."""
    t = BASE_TIME.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    enrolled = ('{"event_id":"%s-%d","type":"TraineeEnrolled","occurred_at":"' + t +
                '","data":{"class_id":"C%d","person_id":"P%d"}}\n')
    attended = ('{"event_id":"%s-%d","type":"AttendanceRecorded","occurred_at":"' + t +
                '","data":{"class_id":"C%d","person_id":"P%d","direction":"in",'
                '"method":"card"}}\n')
    with open(path, "w", encoding="ascii") as f:
        for i in range(n):
            f.write((attended if i % 3 else enrolled) % (prefix, i, i % 97, i % 5003))

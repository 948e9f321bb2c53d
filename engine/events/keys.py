"""Which subject an event belongs to: the Kafka partition key and the store's stream.

The spec fixes the partition key: ``person_id`` where the data has one, else
``class_id``, ``claim_id``, ``payment_id``, ``institution_id``, ``agency_id``,
``employer_id``, ``county``. Types with none of those (a voucher written off,
a complaint) fall back to their own identifier, then to the event id, so every
event has a subject. The stream is the key's field and value, e.g.
``person:142301199001011234``.
"""

from __future__ import annotations

import msgspec

SPEC_KEY_FIELDS = (
    "person_id",
    "class_id",
    "claim_id",
    "payment_id",
    "institution_id",
    "agency_id",
    "employer_id",
    "county",
)
FALLBACK_KEY_FIELDS = (
    "voucher_id",
    "assessment_id",
    "certificate_id",
    "complaint_id",
    "finding_id",
    "run_id",
    "case_id",
    "subject_id",
)

_cache: dict[type, tuple[str, ...]] = {}


def key_fields(cls: type[msgspec.Struct]) -> tuple[str, ...]:
    """The candidate key fields an event type's data can carry, in the spec's order."""
    fields = _cache.get(cls)
    if fields is None:
        own = {f.name for f in msgspec.structs.fields(cls)}
        fields = tuple(f for f in SPEC_KEY_FIELDS + FALLBACK_KEY_FIELDS if f in own)
        if "case_id" in own:  # every step of a case in the case's own stream
            fields = ("case_id", *(f for f in fields if f != "case_id"))
        _cache[cls] = fields
    return fields


def stream_prefix(field: str) -> str:
    """``person_id`` -> ``person:``; ``county`` -> ``county:``."""
    return (field[:-3] if field.endswith("_id") else field) + ":"

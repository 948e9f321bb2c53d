"""Masking of personal data (个人信息脱敏): the one place every output masks with.

Findings, timelines, cases, reports, alerts and evidence packs leave the system;
what they show of a person is masked here, by one set of rules, unless the
caller was asked to unmask:

* ID numbers (身份证号) keep the region code and the last 4: ``141102********1234``;
* phones keep the first 3 and the last 4: ``138****5678``;
* bank accounts keep the first 4 and the last 4: ``6217***********4634``;
* person names keep the surname: ``张**``.

``mask_record`` masks a whole record at any depth: by field name (``person_id``,
``phone``, ``bank_account``, a person's ``name`` …), then every other string by
pattern (18- and 15-character ID numbers, mainland mobiles, runs of 12 or more
digits), and the raw values it found by name wherever they recur in free text
(a name quoted in an explanation). Digit runs touching letters or digits, or
a decimal point, are not personal data (hex digests, event ids, money), so the
patterns leave them alone. Pure functions, no I/O; every mask is idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "mask_account",
    "mask_name",
    "mask_person_id",
    "mask_phone",
    "mask_record",
    "mask_text",
    "sensitive_values",
]


def mask_person_id(person_id: str) -> str:
    """An ID number with its region code and last 4 kept (birth date and sequence hidden)."""
    if len(person_id) < 8:
        return "*" * len(person_id)
    return person_id[:6] + "*" * (len(person_id) - 10) + person_id[-4:]


def mask_phone(phone: str) -> str:
    """A phone number with its first 3 and last 4 characters kept: ``138****5678``."""
    if len(phone) < 8:
        return phone[:2] + "*" * max(len(phone) - 2, 0)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_account(account: str) -> str:
    """A bank account with its first 4 and last 4 characters kept (the bank and the tail)."""
    if len(account) >= 12:
        return account[:4] + "*" * (len(account) - 8) + account[-4:]
    if len(account) >= 6:
        return account[:2] + "*" * (len(account) - 4) + account[-2:]
    return "*" * len(account)


def mask_name(name: str) -> str:
    """A person's name with the surname (first character) kept: ``张**``."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 0)


# -- free text ------------------------------------------------------------------------------------

_BEFORE = r"(?<![0-9A-Za-z])(?<!\d\.)"  # not inside a word, a hex digest or after a decimal point
_AFTER = r"(?![0-9A-Za-z]|\.\d)"        # … nor before one
_PATTERN = re.compile(
    _BEFORE + r"(?:"
    r"(?P<id>\d{17}[\dXx]|\d{15})"               # resident ID number, 18 or old 15 characters
    r"|(?P<phone>1[3-9]\d(?:[- ]?\d{4}){2})"      # mainland mobile, maybe grouped 3-4-4
    r"|(?P<account>\d{12,}|\d{4}(?:[- ]\d{4}){3}(?:[- ]?\d{1,4})?)"  # card or account number
    r")" + _AFTER)
_BY_PATTERN: dict[str, Callable[[str], str]] = {
    "id": mask_person_id, "phone": mask_phone, "account": mask_account}


def _by_pattern(m: re.Match[str]) -> str:
    kind = m.lastgroup
    assert kind is not None
    return _BY_PATTERN[kind](m.group(0))


class _Text:
    """Free-text masking: the raw values found by field name first, then the patterns."""

    def __init__(self, known: Mapping[str, str]) -> None:
        self.exact = known
        self.known = sorted(((raw, masked) for raw, masked in known.items() if raw),
                            key=lambda kv: len(kv[0]), reverse=True)  # longest first

    def __call__(self, text: str) -> str:
        for raw, masked in self.known:
            if raw in text:
                text = text.replace(raw, masked)
        return _PATTERN.sub(_by_pattern, text)


def mask_text(text: str | None, known: Mapping[str, str] | None = None) -> str | None:
    """Free text with ID numbers, mobiles and account numbers masked by pattern.

    ``known`` maps raw values (found by field name, e.g. a person's name, an
    invalid ID number no pattern would catch) to their masks, replaced first.
    """
    if text is None:
        return None
    return _Text(known or {})(text)


# -- records --------------------------------------------------------------------------------------

_ID, _PHONE, _ACCOUNT, _NAME = "id", "phone", "account", "name"
_IDENT = "ident"  # another identifier (class, claim, payment …): masked only if an ID number
_ID_NUMBER = re.compile(r"\d{6}(?:(?:19|20)\d{2}|\d{2})(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                        r"\d{3}[\dXx]?")
_MASK: dict[str, Callable[[str], str]] = {
    _ID: mask_person_id, _PHONE: mask_phone, _ACCOUNT: mask_account, _NAME: mask_name}
_BY_KEY = {
    "person_id": _ID, "person_ids": _ID, "legal_rep_id": _ID, "legal_rep_ids": _ID,
    "id_number": _ID, "id_numbers": _ID,
    "phone": _PHONE, "phones": _PHONE, "mobile": _PHONE,
    "bank_account": _ACCOUNT, "bank_accounts": _ACCOUNT, "account": _ACCOUNT,
    "accounts": _ACCOUNT,
    "person_name": _NAME, "person_names": _NAME, "teacher": _NAME,
}
_BY_SUFFIX = (("_person_id", _ID), ("_person_ids", _ID), ("_phone", _PHONE),
              ("_phones", _PHONE), ("_account", _ACCOUNT), ("_accounts", _ACCOUNT))
# An id whose sibling "<prefix>_type" says it is a person's.
_TYPED = {"subject_id": "subject_type", "claimant_id": "claimant_type", "owner_id": "owner_type"}
# A dict naming the field its "value…" entries hold (a comparison waterfall, a shared contact).
_NAMING = ("comparison", "field", "kind")
# Identifiers and digests of the system itself: never personal, never touched.
_KEEP = frozenset({"event_id", "evidence", "finding_id", "finding_ids", "alert_id", "case_id",
                   "run_id", "credit_code", "recovery_event_id", "chain_hash", "prev_hash",
                   "content_digest", "rules_digest", "facts_digest"})


def _kind(key: str, owner: Mapping[str, Any], personal: bool) -> str | None:
    """What personal value ``owner[key]`` holds, by its name and its siblings."""
    if key in _BY_KEY:
        return _BY_KEY[key]
    if key == "name":
        return _NAME if personal else None
    if key in _TYPED and owner.get(_TYPED[key]) == "person":
        return _ID
    if key.startswith("value"):
        for naming in _NAMING:
            field = owner.get(naming)
            if isinstance(field, str) and field != key:
                kind = _BY_KEY.get(field) or (_NAME if field == "name" else None)
                if kind:
                    return kind
    for suffix, kind in _BY_SUFFIX:
        if key.endswith(suffix):
            return kind
    # Other ids are the system's and sources' own (long digit payment ids among them):
    # not free text, so no pattern; only a whole ID number is masked.
    return _IDENT if key.endswith(("_id", "_ids")) else None


def _is_id_number(value: str) -> bool:
    """An 18- or 15-character resident ID number with a real-looking birth date."""
    return len(value) in (15, 18) and _ID_NUMBER.fullmatch(value) is not None


def _is_person(d: Mapping[str, Any]) -> bool:
    """A person's own record: its ``name`` is personal (an institution's is not)."""
    return "person_id" in d or d.get("subject_type") == "person" \
        or d.get("owner_type") == "person"


def _by_kind(value: Any, kind: str, found: dict[str, str] | None, text: _Text | None) -> Any:
    """Mask ``value`` as ``kind``: a string, or each string of a list (a dict goes by its keys)."""
    if isinstance(value, str):
        if kind != _IDENT:
            masked = _MASK[kind](value) if value else value
        elif text is not None and value in text.exact:
            masked = text.exact[value]
        else:
            masked = mask_person_id(value) if _is_id_number(value) else value
        if found is not None and masked != value and len(value.strip()) >= 2:
            found[value] = masked
        return masked
    if isinstance(value, list | tuple):
        return [_by_kind(v, kind, found, text) for v in value]
    if isinstance(value, Mapping):
        if text is not None:
            return _mask(value, text)
        _collect(value, found if found is not None else {})
    return value


def _collect(obj: Any, found: dict[str, str]) -> None:
    if isinstance(obj, Mapping):
        personal = _is_person(obj)
        for k, v in obj.items():
            if not isinstance(k, str) or k in _KEEP:
                continue
            kind = _kind(k, obj, personal)
            if kind is not None:
                _by_kind(v, kind, found, None)
            else:
                _collect(v, found)
    elif isinstance(obj, list | tuple):
        for v in obj:
            _collect(v, found)


def sensitive_values(obj: Any) -> dict[str, str]:
    """Every personal value in ``obj`` found by field name, raw → masked, at any depth."""
    found: dict[str, str] = {}
    _collect(obj, found)
    return found


def _mask(obj: Any, text: _Text) -> Any:
    if isinstance(obj, str):
        return text(obj)
    if isinstance(obj, Mapping):
        personal = _is_person(obj)
        out: dict[Any, Any] = {}
        for k, v in obj.items():
            if isinstance(k, str) and k in _KEEP:
                out[k] = v
                continue
            kind = _kind(k, obj, personal) if isinstance(k, str) else None
            value = _by_kind(v, kind, None, text) if kind is not None else _mask(v, text)
            key = text(k) if isinstance(k, str) else k
            n = 1
            while key in out:  # two raw keys with one mask: keep both values
                n += 1
                key = f"{text(k)}#{n}"
            out[key] = value
        return out
    if isinstance(obj, list | tuple):
        return [_mask(v, text) for v in obj]
    return obj


def mask_record(obj: Any, known: Mapping[str, str] | None = None) -> Any:
    """A masked copy of ``obj`` (dicts, lists and strings at any depth; other values as they are).

    Fields are masked by name; every other string (an explanation, a note, a
    complaint, an ``observed`` detail whatever the detector named it, a dict key)
    by pattern and by the raw values the record itself names, plus ``known``.
    """
    found = dict(known or {})
    _collect(obj, found)
    return _mask(obj, _Text(found))

"""Identifier rules from the spec: resident ID numbers and social credit codes.

One place for each check, so the generator, the projections and the detectors
agree on what "valid" means. Pure functions, no I/O.
"""

from __future__ import annotations

from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # ISO 7064 MOD 11-2: remainder -> check character
_PROVINCES = frozenset(
    (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82)
)


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_birth_date(person_id: str) -> date | None:
    """The birth date encoded in an ID number, or None when it is not a real date."""
    if len(person_id) != 18 or not person_id[6:14].isdigit():
        return None
    try:
        return date(int(person_id[6:10]), int(person_id[10:12]), int(person_id[12:14]))
    except ValueError:
        return None


def id_problem(person_id: str) -> str | None:
    """Why an ID number is invalid (a short English reason), or None when it is valid.

    Checks length, digits, region code, birth date and the check character. It is
    used to *flag* ghosts, never to reject events at ingest (the spec stores them).
    """
    if len(person_id) != 18:
        return f"length {len(person_id)}, expected 18"
    if not person_id[:17].isdigit():
        return "first 17 characters must be digits"
    if int(person_id[:2]) not in _PROVINCES:
        return f"region code {person_id[:6]} names no province"
    born = id_birth_date(person_id)
    if born is None:
        return f"birth date {person_id[6:14]} is not a date"
    if born.year < 1900:
        return f"birth year {born.year} is implausible"
    check = person_id[17].upper()
    expected = id_check_char(person_id[:17])
    if check != expected:
        return f"check character {check}, expected {expected}"
    return None


def is_valid_person_id(person_id: str) -> bool:
    """True when the ID number passes every GB 11643-1999 check."""
    return id_problem(person_id) is None


def id_gender(person_id: str) -> str | None:
    """'M' or 'F' from the sequence digit (odd = male), None when unreadable."""
    if len(person_id) != 18 or not person_id[16].isdigit():
        return None
    return "M" if int(person_id[16]) % 2 else "F"


def make_person_id(region: str, born: date, sequence: int) -> str:
    """A valid ID number from its parts (sequence 0..999; odd = male)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


# GB 32100-2015 unified social credit code.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True when a unified social credit code has the right form and check character."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]

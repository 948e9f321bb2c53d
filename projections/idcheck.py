"""ID-number checks over a whole column at once.

``engine.identity`` stays the one definition of a valid ID number. Calling it
once per person costs seconds on a city (200,000 people: about 3 s here), so
this module finds the IDs that pass every rule with array arithmetic and asks
the scalar rules only about the others, which are few. The array test is the
same conjunction of rules (length, digits, province, a real date from 1900,
the MOD 11-2 check character), so the results are identical (tested).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from engine.identity import _ID_CHECK, _ID_WEIGHTS, _PROVINCES, id_birth_date, id_problem

_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_PROVINCE = np.zeros(100, dtype=bool)
_PROVINCE[list(_PROVINCES)] = True
_CHECK = np.frombuffer(_ID_CHECK.encode(), dtype=np.uint8)


def _surely_valid(ids: Sequence[str]) -> np.ndarray:
    """True where an ID passes every rule of ``id_problem`` (False: ask the scalar rule)."""
    n = len(ids)
    ok = np.fromiter((isinstance(x, str) and len(x) == 18 and x.isascii() for x in ids),
                     dtype=bool, count=n)
    if not ok.any():
        return ok
    raw = np.array([x if o else "0" * 18 for x, o in zip(ids, ok, strict=True)], dtype="S18")
    b = raw.view(np.uint8).reshape(n, 18).astype(np.int64)
    digits = b[:, :17] - ord("0")
    ok &= ((digits >= 0) & (digits <= 9)).all(axis=1)
    ok &= _PROVINCE[np.clip(digits[:, 0] * 10 + digits[:, 1], 0, 99)]
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    month = digits[:, 10] * 10 + digits[:, 11]
    day = digits[:, 12] * 10 + digits[:, 13]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS[np.clip(month, 0, 12)] - ((month == 2) & ~leap)
    ok &= (year >= 1900) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    expected = _CHECK[(digits @ np.array(_ID_WEIGHTS)) % 11]
    given = b[:, 17]
    given = np.where((given >= ord("a")) & (given <= ord("z")), given - 32, given)  # upper()
    ok &= given == expected
    return ok


def id_columns(ids: Sequence[str]) -> tuple[list[str | None], list[str | None]]:
    """``id_problem`` of each ID, and its ``id_birth_date`` as ``YYYY-MM-DD`` (or None)."""
    valid = _surely_valid(ids)
    problems: list[str | None] = []
    born_on: list[str | None] = []
    for x, v in zip(ids, valid, strict=True):
        if v:
            problems.append(None)
            born_on.append(f"{x[6:10]}-{x[10:12]}-{x[12:14]}")
        else:
            problems.append(id_problem(x))
            born = id_birth_date(x)
            born_on.append(born.isoformat() if born else None)
    return problems, born_on

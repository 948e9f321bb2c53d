"""Identifiers that must be unique or valid: ID numbers, credit codes, phones, bank accounts.

Phones and bank accounts come from affine permutations of a counter (``a * n + b``
modulo a power of ten, with ``a`` coprime to it), so they are unique by construction
and look random; people, organisations and made-up "unknown" accounts draw from
separate counters, so they can never collide by accident.
"""

from __future__ import annotations

import random
from datetime import date

from engine.identity import id_check_char, make_person_id, uscc_check_char

_MOBILE_PREFIXES = (
    "134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182",
    "183", "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180",
    "181", "189", "177", "199",
)
_PERSONAL_BANKS = ("6217", "6228", "6215", "6230", "6212", "6221")  # debit card BINs
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class _Permutation:
    """n -> (a * n + b) mod 10**digits: a bijection, so distinct counters give distinct values."""

    def __init__(self, rng: random.Random, digits: int) -> None:
        self.mod = 10**digits
        self.digits = digits
        a = rng.randrange(self.mod // 7, self.mod)
        while a % 2 == 0 or a % 5 == 0:
            a += 1
        self.a = a
        self.b = rng.randrange(self.mod)

    def __call__(self, n: int) -> str:
        return f"{(self.a * n + self.b) % self.mod:0{self.digits}d}"


class Contacts:
    """Unique phones and bank accounts for people and organisations."""

    def __init__(self, rng: random.Random, area_code: str, bank_prefix: str) -> None:
        self.area_code = area_code
        self.bank_prefix = bank_prefix
        self._mobile = _Permutation(rng, 8)
        self._landline = _Permutation(rng, 7)
        self._personal = _Permutation(rng, 15)
        self._corporate = _Permutation(rng, 16)
        self._n_mobile = 0
        self._n_landline = 0
        self._n_personal = 0
        self._n_corporate = 0

    def mobile(self) -> str:
        """A new mobile number, never handed out before."""
        n = self._n_mobile
        self._n_mobile += 1
        prefix = _MOBILE_PREFIXES[n % len(_MOBILE_PREFIXES)]
        return prefix + self._mobile(n // len(_MOBILE_PREFIXES))

    def landline(self) -> str:
        """A new landline number of the city's area code."""
        n = self._n_landline
        self._n_landline += 1
        return f"{self.area_code}-" + self._landline(n)

    def personal_account(self) -> str:
        """A new 19-digit debit-card account of a person."""
        n = self._n_personal
        self._n_personal += 1
        return _PERSONAL_BANKS[n % len(_PERSONAL_BANKS)] + self._personal(n // len(_PERSONAL_BANKS))

    def corporate_account(self) -> str:
        """A new 20-digit basic account of an organisation at the province's branch prefix."""
        n = self._n_corporate
        self._n_corporate += 1
        return self.bank_prefix + self._corporate(n)


class PersonIds:
    """Valid, unique resident ID numbers (GB 11643-1999)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self, region: str, born: int, gender: str) -> str:
        """A valid ID number whose region, birth date and sex digit agree with the person."""
        day = date.fromordinal(born)
        rng = self.rng
        while True:
            seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            pid = make_person_id(region, day, seq)
            if pid not in self.used:
                self.used.add(pid)
                return pid

    def sibling(self, pid: str) -> str:
        """Another valid ID with the same region, birth date and sex (a borrowed/bought ID)."""
        rng = self.rng
        parity = int(pid[16]) % 2
        while True:
            seq = rng.randrange(500) * 2 + parity
            first17 = pid[:14] + f"{seq:03d}"
            other = first17 + id_check_char(first17)
            if other not in self.used:
                self.used.add(other)
                return other

    def typo(self, pid: str) -> str:
        """The ID with one digit of the sequence mistyped, check character kept: invalid."""
        rng = self.rng
        while True:
            pos = rng.choice((14, 15))
            digit = str((int(pid[pos]) + rng.randrange(1, 10)) % 10)
            other = pid[:pos] + digit + pid[pos + 1 :]
            if other not in self.used and other[17] != id_check_char(other[:17]):
                self.used.add(other)
                return other

    def transposed(self, pid: str) -> str | None:
        """The ID with two adjacent differing digits swapped, check character kept: invalid.

        None when no swap of the birth-date or sequence digits gives an unused invalid number.
        """
        spots = [i for i in range(6, 16) if pid[i] != pid[i + 1]]
        self.rng.shuffle(spots)
        for i in spots:
            other = pid[:i] + pid[i + 1] + pid[i] + pid[i + 2 :]
            if other not in self.used and other[17] != id_check_char(other[:17]):
                self.used.add(other)
                return other
        return None

    def bad_check(self, region: str, born: int, gender: str) -> str:
        """An ID whose check character is wrong (a fabricated number)."""
        valid = self.new(region, born, gender)
        wrong = [c for c in "0123456789X" if c != valid[17]]
        bad = valid[:17] + self.rng.choice(wrong)
        self.used.add(bad)
        return bad

    def bad_date(self, region: str, year: int, gender: str) -> str:
        """An ID whose birth-date digits name no real day (e.g. 0230 or 0931)."""
        rng = self.rng
        month_day = rng.choice(("0230", "0231", "0431", "0631", "0931", "1131", "1332"))
        while True:
            seq = rng.randrange(500) * 2 + (1 if gender == "M" else 0)
            first17 = f"{region}{year}{month_day}{seq:03d}"
            pid = first17 + id_check_char(first17)
            if pid not in self.used:
                self.used.add(pid)
                return pid


def credit_code(rng: random.Random, org_type: str, region: str, used: set[str]) -> str:
    """A valid, unique unified social credit code (GB 32100-2015).

    ``org_type`` is the two-character registration-authority/type prefix, e.g. ``91``
    (company), ``52`` (private non-enterprise unit), ``12`` (public institution).
    """
    while True:
        body = "".join(rng.choice(_USCC_CHARS) for _ in range(9))
        first17 = f"{org_type}{region}{body}"
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code

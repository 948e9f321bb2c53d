"""DUP_IDENTITY: one human under two person records, subsidised under both (一人多证重复培训).

A mistyped or borrowed ID number gives one human a second person record; with
it the same person can take (and be paid for) training again. The detector is
probabilistic record linkage in the Fellegi–Sunter model whose weights are
estimated from the city's own records by expectation-maximisation, as Splink
does (``detectors.linkage``; docs/concepts/identity-resolution.md):

* **Blocking.** Only pairs of *subsidised* records (both named in claim items
  of ``claim_kinds``) that agree on one of ``blocking_rules`` are compared:
  the same phone, the same bank account, the same name and birth date, or the
  same region and birth date in the ID number (its first 14 characters), never
  the full cross product. Each rule is a ``+``-joined list of fields. A phone or
  account held by more than ``max_block_size`` records (a placeholder, an
  office account) is no evidence of anything: it counts as missing; those
  rings are FRAUD_SHARED_CONTACT_RING's.
* **Comparison levels.** Each field falls into one level per pair: name exact /
  similar (one character substituted, inserted, dropped or two swapped) /
  different; birth date exact / one day or one digit apart / day and month
  swapped / different; gender; contact: phone and bank account both shared /
  the phone / the account / neither; place: the county and the ID's region code
  both the same / the county / the region / neither; and the ID numbers: one
  edit apart with one of them invalid (a typo), the first 17 characters one edit
  apart with both valid (a typo whose check character was redone), or neither.
  Fields that move together among unrelated people are one comparison, or they
  would count the same evidence twice: a household shares phone and account, a
  county is mostly its people's ID region. A missing value on either side
  weighs 0.
* **Weights from the data.** Each level has an ``m`` (share of true duplicates
  at that level) and a ``u`` (share of unrelated pairs); its weight is
  ``log2(m/u)``. ``u`` is counted over all pairs of records from value
  frequencies (the ID number's among pairs born the same day, since the number
  embeds the date); λ (the chance two random records are one human) and ``m``
  are estimated by EM over the candidate pairs. A shared name weighs by its own
  frequency (a common name is weaker evidence). The rules file gives only
  starting values and guards.

A pair whose match probability ``2^w / (1 + 2^w)`` (``w`` = the prior
``log2(λ/(1-λ))`` plus the field weights) reaches ``min_match_probability`` is
a finding. ``observed`` holds the waterfall: each field's two values (contacts
and ID numbers masked), level, m, u and weight, then the prior, the total
weight, the probability and the whole estimated model.

Subject: the first of the two ID numbers; both are in ``person_ids``. At risk:
the subsidies claimed under the record whose first claim came later (the
second identity's money).

Limits: each person's current contacts are compared (not past ones from
``person_history``); twins with similar names, consecutive ID numbers and a
shared phone can look like one person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from detectors import linkage
from detectors.base import Finding, Frames, missing
from detectors.common import isin, pct, yuan
from detectors.constraints import Number, Severity, Share, Whole
from engine.privacy import mask_account, mask_name, mask_person_id, mask_phone

CODE = "DUP_IDENTITY"
CATEGORY = "duplicate_training"

# Comparison -> its levels in order of precedence (the last is "everything else").
LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("exact", "similar", "different"),
    "birth_date": ("exact", "one_off", "day_month_swap", "different"),
    "gender": ("same", "different"),
    "contact": ("phone_and_bank", "phone", "bank_account", "neither"),
    "place": ("county_and_region", "county", "region", "neither"),
    "id_number": ("typo_one_invalid", "typo_both_valid", "different"),
}
COMPARISONS = tuple(LEVELS)
BLOCKING_FIELDS = ("name", "birth_date", "gender", "phone", "bank_account", "county",
                   "id_region_birth")
_FIELD_ZH = {"name": "姓名", "birth_date": "出生日期", "gender": "性别", "contact": "联系方式",
             "place": "区县与身份证地区码", "id_number": "身份证号"}
_LEVEL_ZH = {"exact": "相同", "same": "相同", "similar": "相近", "different": "不同",
             "one_off": "相差一天或一位数字", "day_month_swap": "月日颠倒", "null": "缺失",
             "phone_and_bank": "手机号与银行账户均相同", "phone": "手机号相同",
             "bank_account": "银行账户相同", "neither": "均不同",
             "county_and_region": "区县与地区码均相同", "county": "区县相同",
             "region": "地区码相同", "typo_one_invalid": "仅差一位/相邻颠倒且一个无效",
             "typo_both_valid": "前17位仅差一位/相邻颠倒且均有效"}
def _name() -> dict[str, str]:
    return {"exact": "0.92", "similar": "0.05", "different": "0.03"}


def _birth_date() -> dict[str, str]:
    return {"exact": "0.85", "one_off": "0.10", "day_month_swap": "0.02", "different": "0.03"}


def _gender() -> dict[str, str]:
    return {"same": "0.97", "different": "0.03"}


def _contact() -> dict[str, str]:
    return {"phone_and_bank": "0.25", "phone": "0.30", "bank_account": "0.30", "neither": "0.15"}


def _place() -> dict[str, str]:
    return {"county_and_region": "0.65", "county": "0.10", "region": "0.10", "neither": "0.15"}


def _id_number() -> dict[str, str]:
    return {"typo_one_invalid": "0.35", "typo_both_valid": "0.05", "different": "0.60"}


@dataclass(frozen=True)
class Params:
    severity: Severity = "high"
    claim_kinds: tuple[str, ...] = ("training",)
    blocking_rules: tuple[str, ...] = ("phone", "bank_account", "name+birth_date",
                                       "id_region_birth")
    max_block_size: Whole = 500
    min_match_probability: Share = Decimal("0.95")
    start_duplicate_share: Share = Decimal("0.001")
    max_iterations: Whole = 200
    em_convergence: Share = Decimal("0.0001")
    prior_pairs: Number = Decimal("2")
    m_floor: Share = Decimal("0.01")
    u_floor_pairs: Number = Decimal("0.5")
    name_start_m: dict[str, str] = field(default_factory=_name)
    birth_date_start_m: dict[str, str] = field(default_factory=_birth_date)
    gender_start_m: dict[str, str] = field(default_factory=_gender)
    contact_start_m: dict[str, str] = field(default_factory=_contact)
    place_start_m: dict[str, str] = field(default_factory=_place)
    id_number_start_m: dict[str, str] = field(default_factory=_id_number)


def start_m(p: Params) -> dict[str, np.ndarray]:
    """The starting m of every comparison, checked: all levels given, each in (0, 1]."""
    out: dict[str, np.ndarray] = {}
    for comparison, levels in LEVELS.items():
        given = getattr(p, f"{comparison}_start_m")
        key = f"rules.{CODE}.{comparison}_start_m"
        if set(given) != set(levels):
            raise ValueError(f"{key}: levels {sorted(given)}, expected {list(levels)}")
        values = []
        for level in levels:
            try:
                m = float(Decimal(str(given[level])))
            except (TypeError, ValueError, ArithmeticError):
                raise ValueError(f"{key}.{level}: expected m as a decimal string, "
                                 f"got {given[level]!r}") from None
            if not 0 < m <= 1:
                raise ValueError(f"{key}.{level}: m must be in (0, 1], got {m}")
            values.append(m)
        out[comparison] = np.array(values)
    checks = {"start_duplicate_share": (p.start_duplicate_share, 0, 1),
              "em_convergence": (p.em_convergence, 0, 1), "m_floor": (p.m_floor, 0, 0.1),
              "u_floor_pairs": (p.u_floor_pairs, 0, None)}
    for name, (value, low, high) in checks.items():
        if not (value > low and (high is None or value < high)):
            raise ValueError(f"rules.{CODE}.{name} = {value}: must be above {low}"
                             + (f" and below {high}" if high is not None else ""))
    if p.prior_pairs < 0 or p.max_iterations < 1:
        raise ValueError(f"rules.{CODE}: prior_pairs must be ≥ 0 and max_iterations ≥ 1")
    for rule in p.blocking_rules:
        unknown = [f for f in rule.split("+") if f.strip() not in BLOCKING_FIELDS]
        if unknown:
            raise ValueError(f"rules.{CODE}.blocking_rules: unknown field(s) {unknown} in "
                             f"{rule!r}; known: {', '.join(BLOCKING_FIELDS)}")
    return out


# -- the records ---------------------------------------------------------------------------------

def _clean(values: np.ndarray, *, drop: str = "") -> np.ndarray:
    """Stripped, upper-cased strings (characters in ``drop`` removed); missing or empty = None.

    Each distinct value is cleaned once (names, counties and genders repeat a lot).
    """
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    text = np.asarray(uniq, dtype=object).astype(str)
    if text.size:  # numpy's string functions reject an empty array (a column all missing)
        text = np.strings.upper(np.strings.strip(text))
        for ch in drop:
            text = np.strings.replace(text, ch, "")
    cleaned = np.append(text.astype(object), None)
    cleaned[:-1][text == ""] = None
    return cleaned[codes]  # code -1 (missing) picks the trailing None


_DATE = r"\d{4}-\d{2}-\d{2}"
_NO_DAY = np.int64(-(10**12))  # the day number of a birth date that is not a calendar date


def _placeholders_missing(values: np.ndarray, most: int) -> np.ndarray:
    """Values held by more than ``most`` records (a placeholder phone) become missing."""
    codes = pd.factorize(values, use_na_sentinel=True)[0]
    sizes = np.bincount(codes[codes >= 0], minlength=1)
    out = values.copy()
    out[(codes >= 0) & (sizes[np.maximum(codes, 0)] > most)] = None
    return out


def _records(persons: pd.DataFrame, wanted: pd.Index, max_block: int) -> pd.DataFrame:
    """One row per wanted person: normalised fields as object arrays (None = missing).

    Birth dates also as ``bd_int`` (YYYYMMDD, -1 if not a ``YYYY-MM-DD`` date) and
    ``bd_day`` (days since 1970, ``_NO_DAY`` if no such calendar day).
    """
    p = persons.loc[isin(persons.index, wanted)]
    if not p.index.is_monotonic_increasing:
        p = p.sort_index()
    ids = _clean(p.index.to_numpy(dtype=object))
    rec = pd.DataFrame({
        "person_id": p.index.astype(str),
        "id_number": ids,
        "id_valid": p["id_valid"].fillna(False).astype(bool).to_numpy(),
        "name": _clean(p["name"].to_numpy(dtype=object), drop=" \t\u3000"),
        "birth_date": _clean(p["birth_date"].to_numpy(dtype=object)),
        "gender": _clean(p["gender"].to_numpy(dtype=object)),
        "phone": _placeholders_missing(
            _clean(p["phone"].to_numpy(dtype=object), drop=" -"), max_block),
        "bank_account": _placeholders_missing(
            _clean(p["bank_account"].to_numpy(dtype=object), drop=" -"), max_block),
        "county": _clean(p["county"].to_numpy(dtype=object)),
        "position": p["position"].to_numpy(),
    })
    rec["id_region_birth"] = np.array(
        [x[:14] if x is not None and len(x) >= 14 else None for x in ids], dtype=object)
    rec["id_region"] = np.array(
        [x[:6] if x is not None and len(x) >= 6 else None for x in ids], dtype=object)
    bd = pd.Series(rec["birth_date"].to_numpy(dtype=object), dtype="string")
    ok = bd.str.fullmatch(_DATE).fillna(False).to_numpy(dtype=bool)
    rec["bd_int"] = np.where(ok, pd.to_numeric(bd.str.replace("-", "").where(ok),
                                               errors="coerce").fillna(-1), -1).astype(np.int64)
    day = pd.to_datetime(bd.where(ok), format="%Y-%m-%d", errors="coerce")
    rec["bd_day"] = np.where(day.notna(), (day - pd.Timestamp(0)).dt.days.fillna(0),
                             _NO_DAY).astype(np.int64)
    for name in _CODED:
        rec[f"{name}#"] = _codes(rec[name])
    return rec


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column's values, -1 where missing."""
    codes, _ = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64)


_CODED = (*BLOCKING_FIELDS, "id_number", "id_region")


def _code(rec: pd.DataFrame, name: str) -> np.ndarray:
    """The codes of a field, factorised once in ``_records`` (blocking, comparing, counting)."""
    return rec[f"{name}#"].to_numpy() if f"{name}#" in rec else _codes(rec[name])


def candidate_pairs(rec: pd.DataFrame, rules: tuple[str, ...],
                    max_block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Record index pairs (i < j) agreeing on at least one blocking rule, with a rule bitmask."""
    parts = []
    for bit, rule in enumerate(rules):
        key = np.zeros(len(rec), dtype=np.int64)
        ok = np.ones(len(rec), dtype=bool)
        for name in (f.strip() for f in rule.split("+")):
            codes = _code(rec, name)
            ok &= codes >= 0
            key = key * (int(codes.max(initial=0)) + 2) + codes + 1
            key = pd.factorize(key)[0].astype(np.int64)  # stays below n: no overflow
        if not ok.any():
            continue
        codes, _ = pd.factorize(key[ok])
        sizes = np.bincount(codes)
        keep = (sizes[codes] >= 2) & (sizes[codes] <= max_block)
        if not keep.any():
            continue
        block = pd.DataFrame({"code": codes[keep], "i": np.flatnonzero(ok)[keep]})
        m = block.merge(block, on="code", suffixes=("", "_j"))
        m = m[m["i"] < m["i_j"]]
        parts.append(pd.DataFrame({"i": m["i"].to_numpy(), "j": m["i_j"].to_numpy(),
                                   "bit": 1 << bit}))
    if not parts:
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    allp = pd.concat(parts, ignore_index=True).drop_duplicates()
    by = allp.groupby(["i", "j"], sort=True)["bit"].sum()  # distinct powers of 2: sum = or
    return (by.index.get_level_values(0).to_numpy(), by.index.get_level_values(1).to_numpy(),
            by.to_numpy())


# -- comparisons (vectorised over pairs) ---------------------------------------------------------

def _chars(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strings as a matrix of code points (0-padded) and their lengths; missing = ''."""
    text = [v if isinstance(v, str) else "" for v in values]
    width = max((len(v) for v in text), default=1) or 1
    arr = np.array(text, dtype=f"<U{width}").reshape(len(text))
    return (arr.view(np.uint32).reshape(len(text), width),
            np.char.str_len(arr).astype(np.int64))


def edit_kind(a: np.ndarray, la: np.ndarray, b: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """Per row: 0 equal or far apart, 1 one substitution, 2 adjacent swap, 3 one insert/delete."""
    n, w = a.shape
    out = np.zeros(n, dtype=np.int8)
    if n == 0:
        return out
    diff = a != b
    nd = diff.sum(axis=1)
    same_len = la == lb
    out[same_len & (nd == 1)] = 1
    rows = np.arange(n)
    first = diff.argmax(axis=1)
    nxt = np.minimum(first + 1, w - 1)
    swap = (same_len & (nd == 2) & (nxt > first) & diff[rows, nxt]
            & (a[rows, first] == b[rows, nxt]) & (a[rows, nxt] == b[rows, first]))
    out[swap] = 2
    sel = np.flatnonzero(np.abs(la - lb) == 1)
    if sel.size:
        a_long = la[sel] > lb[sel]
        long_ = np.where(a_long[:, None], a[sel], b[sel])
        short = np.where(a_long[:, None], b[sel], a[sel])
        ls = np.minimum(la[sel], lb[sel])
        prefix = np.cumprod(long_ == short, axis=1).sum(axis=1)
        shifted = np.zeros_like(long_, dtype=bool)
        shifted[:, : w - 1] = long_[:, 1:] == short[:, : w - 1]
        k = np.arange(w)[None, :]
        need = (k >= prefix[:, None]) & (k < ls[:, None])
        out[sel[~(need & ~shifted).any(axis=1)]] = 3
    return out


def _digits_apart(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many of the 8 decimal digits of YYYYMMDD integers differ."""
    out = np.zeros(a.shape, dtype=np.int8)
    for power in range(8):
        out += (a // 10**power % 10) != (b // 10**power % 10)
    return out


def _swapped(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Same year, month and day swapped (YYYYMMDD integers)."""
    return ((a // 10**4 == b // 10**4) & (a // 100 % 100 == b % 100)
            & (a % 100 == b // 100 % 100))


def compare_codes(rec: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """Per comparison, the index of each pair's level in ``LEVELS`` (-1 = a value is missing)."""
    out: dict[str, np.ndarray] = {}

    def pick(conditions: list[np.ndarray], levels: tuple[str, ...],
             null: np.ndarray) -> np.ndarray:
        chosen = np.select(conditions, list(range(len(levels) - 1)), default=len(levels) - 1)
        return np.where(null, -1, chosen).astype(np.int8)

    def same(name: str) -> tuple[np.ndarray, np.ndarray]:
        codes = _code(rec, name)
        a, b = codes[i], codes[j]
        return (a == b) & (a >= 0), (a < 0) | (b < 0)

    exact, null = same("name")
    ch, ln = _chars(rec["name"].to_numpy())
    similar = edit_kind(ch[i], ln[i], ch[j], ln[j]) > 0
    out["name"] = pick([exact, similar], LEVELS["name"], null)

    exact, null = same("birth_date")
    bd = rec["bd_int"].to_numpy()
    day = rec["bd_day"].to_numpy()
    ok = (bd[i] >= 0) & (bd[j] >= 0)
    one_off = ok & ((_digits_apart(bd[i], bd[j]) == 1) | (np.abs(day[i] - day[j]) == 1))
    swapped = ok & ~exact & _swapped(bd[i], bd[j])
    out["birth_date"] = pick([exact, one_off, swapped], LEVELS["birth_date"], null)

    exact, null = same("gender")
    out["gender"] = pick([exact], LEVELS["gender"], null)
    phone, no_phone = same("phone")
    bank, no_bank = same("bank_account")
    out["contact"] = pick([phone & bank, phone, bank], LEVELS["contact"], no_phone & no_bank)
    county, no_county = same("county")
    region, no_region = same("id_region")
    out["place"] = pick([county & region, county, region], LEVELS["place"],
                        no_county & no_region)

    _exact, null = same("id_number")
    ch, ln = _chars(rec["id_number"].to_numpy())
    a, b = ch[i], ch[j]
    valid = rec["id_valid"].to_numpy()
    both_valid = valid[i] & valid[j]
    typo = ~both_valid & (edit_kind(a, ln[i], b, ln[j]) > 0)
    # two valid numbers are never one edit apart (the check character catches it): a typo
    # with its check character redone leaves the first 17 one edit apart
    redone = np.zeros(i.size, dtype=bool)
    if ch.shape[1] >= 17:
        redone = both_valid & np.isin(edit_kind(a[:, :17], np.minimum(ln[i], 17), b[:, :17],
                                                np.minimum(ln[j], 17)), (1, 2))
    out["id_number"] = pick([typo, redone], LEVELS["id_number"], null)
    return out


def compare(rec: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """The level name (or 'null') of every comparison for each pair."""
    return {name: np.array([*LEVELS[name], "null"], dtype=object)[codes]
            for name, codes in compare_codes(rec, i, j).items()}


def _id_difference(a: str, b: str) -> str:
    if len(a) == len(b):
        pos = [k for k in range(len(a)) if a[k] != b[k]]
        return ", ".join(f"digit {k + 1}: {a[k]}/{b[k]}" for k in pos[:4])
    return f"lengths {len(a)}/{len(b)}"


# -- the model: all-pair level counts, then EM ---------------------------------------------------

def _pairs(n: float) -> float:
    return n * (n - 1) / 2


def _date_pairs(rec: pd.DataFrame) -> tuple[float, float]:
    """All pairs of records whose birth dates are one day or digit apart, or month-day swapped.

    Counted over the distinct dates and their frequencies: each date's neighbours
    (72 one-digit variants, the days before and after, the swap) are looked up.
    """
    ok = rec["bd_int"] >= 0
    freq = rec.loc[ok].groupby("bd_int")["bd_day"].agg(["size", "first"])
    if len(freq) < 2:
        return 0.0, 0.0
    value = freq.index.to_numpy(dtype=np.int64)
    day = freq["first"].to_numpy(dtype=np.int64)
    n = freq["size"].to_numpy(dtype=np.float64)
    by_value = pd.Index(value)
    found: list[tuple[np.ndarray, np.ndarray, int]] = []  # (a, b, level) ordered pairs
    for power in range(8):
        digit = value // 10**power % 10
        for new in range(10):
            at = by_value.get_indexer(value + (new - digit) * 10**power)
            hit = (at >= 0) & (digit != new)
            found.append((np.flatnonzero(hit), at[hit], 0))
    real = day != _NO_DAY
    by_day = pd.Index(np.where(real, day, _NO_DAY - np.arange(len(day))))  # unique keys
    for step in (-1, 1):
        at = by_day.get_indexer(day + step)
        hit = real & (at >= 0)
        found.append((np.flatnonzero(hit), at[hit], 0))
    at = by_value.get_indexer(value // 10**4 * 10**4 + value % 100 * 100 + value // 100 % 100)
    hit = (at >= 0) & (at != np.arange(len(value)))
    found.append((np.flatnonzero(hit), at[hit], 1))
    pairs = pd.DataFrame({"a": np.concatenate([f[0] for f in found]),
                          "b": np.concatenate([f[1] for f in found]),
                          "level": np.concatenate([np.full(len(f[0]), f[2]) for f in found])})
    pairs = pairs.sort_values("level", kind="stable").drop_duplicates(["a", "b"])
    both = n[pairs["a"].to_numpy()] * n[pairs["b"].to_numpy()]
    per_level = np.bincount(pairs["level"].to_numpy(), weights=both, minlength=2) / 2
    return float(per_level[0]), float(per_level[1])


def _either(rec: pd.DataFrame, first: str, second: str) -> np.ndarray:
    """All-pair counts of a two-field comparison: both agree / the first / the second / neither.

    A pair is compared when both records have the first field or both have the
    second; one agreeing field with the other missing counts as that field alone.
    """
    a, b = _code(rec, first), _code(rec, second)
    both = linkage.agreeing_pairs(a, b)
    one = linkage.agreeing_pairs(a) - both
    two = linkage.agreeing_pairs(b) - both
    has_one, has_two = rec[first].notna(), rec[second].notna()
    compared = (_pairs(float(has_one.sum())) + _pairs(float(has_two.sum()))
                - _pairs(float((has_one & has_two).sum())))
    return np.array([both, one, two, max(compared - both - one - two, 0.0)])


def level_counts(rec: pd.DataFrame, gamma: np.ndarray) -> dict[str, np.ndarray]:
    """How many of all pairs of records fall into each level of each comparison.

    Exact from value frequencies, never enumerating pairs. The ID number's levels
    are counted among the pairs whose birth dates agree (the number embeds the
    date); its typo levels there are taken from the candidate pairs' levels
    ``gamma`` (a typo pair with the same birth date shares the ID's first 14
    characters, or the name, so it is blocked unless both its name and region differ).
    """
    def present(name: str) -> pd.Series:
        return rec[name].notna()

    def rest(total: float, *parts: float) -> np.ndarray:
        return np.array([*parts, max(total - sum(parts), 0.0)])

    out: dict[str, np.ndarray] = {}
    out["name"] = rest(_pairs(present("name").sum()), linkage.agreeing_pairs(_code(rec, "name")),
                       linkage.one_edit_pairs(rec["name"]))
    same_birth = linkage.agreeing_pairs(_code(rec, "birth_date"))
    out["birth_date"] = rest(_pairs(present("birth_date").sum()), same_birth, *_date_pairs(rec))
    out["gender"] = rest(_pairs(present("gender").sum()),
                         linkage.agreeing_pairs(_code(rec, "gender")))
    out["contact"] = _either(rec, "phone", "bank_account")
    out["place"] = _either(rec, "county", "id_region")
    k_bd, k_id = COMPARISONS.index("birth_date"), COMPARISONS.index("id_number")
    scoped = gamma[gamma[:, k_bd] == 0, k_id]
    out["id_number"] = rest(same_birth, float((scoped == 0).sum()), float((scoped == 1).sum()))
    return out


# -- the rule ------------------------------------------------------------------------------------

def estimate(rec: pd.DataFrame, i: np.ndarray, gamma: np.ndarray, p: Params) -> linkage.Fit:
    """The model of this city's records: u counted over all pairs, then EM for λ and m.

    A shared name weighs by how common it is (its share of the records, Splink's
    term frequency): two 王伟 are weaker evidence than two 韩振轩.
    """
    starts = start_m(p)
    counts = level_counts(rec, gamma)
    given = (COMPARISONS.index("birth_date"), LEVELS["birth_date"].index("exact"))
    names = _code(rec, "name")
    share = np.bincount(names[names >= 0], minlength=1) / len(rec)
    name_u = share[np.maximum(names[i], 0)]
    comparisons = [linkage.Comparison(name, LEVELS[name], counts[name], starts[name],
                                      given if name == "id_number" else None,
                                      name_u if name == "name" else None)
                   for name in COMPARISONS]
    total = _pairs(float(len(rec)))
    settings = linkage.Settings(
        max_iterations=p.max_iterations, tolerance=float(p.em_convergence),
        prior_pairs=float(p.prior_pairs), m_floor=float(p.m_floor),
        u_floor_pairs=float(p.u_floor_pairs))
    start_lam = float(p.start_duplicate_share) * len(rec) / total
    return linkage.fit(gamma, comparisons, total, start_lam, settings)


def detect(frames: Frames, p: Params) -> list[Finding]:
    start_m(p)  # bad rules fail even when there is nothing to compare
    claims = frames.claims
    wanted = claims.index[claims["kind"].isin(list(p.claim_kinds))]
    items = frames.claim_items
    items = items[items["claim_id"].isin(wanted) & items["person_id"].notna()]
    if items.empty:
        return []
    rec = _records(frames.persons, pd.Index(items["person_id"].unique()), p.max_block_size)
    if len(rec) < 2:
        return []
    i, j, bits = candidate_pairs(rec, p.blocking_rules, p.max_block_size)
    if i.size == 0:
        return []
    codes = compare_codes(rec, i, j)
    gamma = np.column_stack([codes[name] for name in COMPARISONS])
    fit = estimate(rec, i, gamma, p)
    fields = fit.field_weights(gamma)
    weight = fit.prior_weight + fields.sum(axis=1)
    prob = 1.0 / (1.0 + np.exp2(-np.clip(weight, -1000.0, 1000.0)))
    hit = np.flatnonzero(prob >= float(p.min_match_probability))
    if hit.size == 0:
        return []
    model = {"records": len(rec), **fit.as_dict()}
    prior = fit.prior_weight

    # Subsidies of the matched records.
    people = set(rec["person_id"].iloc[np.concatenate([i[hit], j[hit]])])
    it = items[items["person_id"].isin(people)]
    it = it.join(claims[["class_id", "claimant_type", "claimant_id", "kind"]], on="claim_id")
    classes = frames.classes
    it["institution_id"] = it["class_id"].map(classes["institution_id"]).where(
        it["class_id"].notna())
    own = it["claimant_type"] == "institution"
    it["institution_id"] = it["institution_id"].fillna(it["claimant_id"].where(own))
    it = it.sort_values(["occurred_ts", "position"], kind="stable")
    first_claim = it.groupby("person_id")[["occurred_ts", "position"]].first()
    subsidy = it.groupby("person_id")["amount_fen"].sum()
    history = frames.person_history
    history = history[history["person_id"].isin(people)]
    hist_pos = history.groupby("person_id")["position"].apply(list).to_dict()
    by_person = {pid: g for pid, g in it.groupby("person_id")}
    threshold = float(p.min_match_probability)
    rule_names = list(p.blocking_rules)

    out = []
    for k in hit:
        a = rec.iloc[i[k]]
        b = rec.iloc[j[k]]
        pa, pb = str(a["person_id"]), str(b["person_id"])
        waterfall = [_waterfall_row(n, int(gamma[k, n]), a, b, fit, float(fields[k, n]))
                     for n in range(len(COMPARISONS))]
        # The record subsidised later is the second identity.
        later = pb if tuple(first_claim.loc[pb]) > tuple(first_claim.loc[pa]) else pa
        at_risk = int(subsidy.get(later, 0))
        rows = pd.concat([by_person[pa], by_person[pb]])
        fields_zh = "，".join(f"{_FIELD_ZH[w['comparison']]}{_LEVEL_ZH.get(w['level'], w['level'])}"
                             f"({w['weight']:+.1f})" for w in waterfall)
        fields_en = ", ".join(f"{w['comparison']} {w['level']} ({w['weight']:+.1f})"
                              for w in waterfall)
        w_total = round(float(weight[k]), 2)
        pr = float(prob[k])
        pr_text = f"{pr:.2%}" if pr < 0.9999 else ">99.99%"
        blocked = [rule_names[n] for n in range(len(rule_names)) if bits[k] >> n & 1]
        names = (mask_name(str(a["name"])) if not missing(a["name"]) else "?",
                 mask_name(str(b["name"])) if not missing(b["name"]) else "?")
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="One person under two ID records, subsidised under both",
            zh=(f"{names[0]}（{mask_person_id(pa)}）与 {names[1]}（{mask_person_id(pb)}）"
                f"疑似同一人：{fields_zh}；匹配权重 {w_total:.1f}（先验 {prior:.1f}；"
                f"各项权重由本地数据以期望最大化估计），匹配概率 {pr_text} ≥ {pct(threshold)}；"
                f"两份记录均领取补贴，后一份记录 {yuan(at_risk)} 元存疑"),
            en=(f"{mask_person_id(pa)} and {mask_person_id(pb)} look like one person: "
                f"{fields_en}; match weight {w_total:.1f} (prior {prior:.1f}; weights "
                f"estimated from this data by expectation-maximisation), match probability "
                f"{pr_text}, at or above {pct(threshold)}; both records were subsidised, "
                f"{yuan(at_risk)} yuan under the later one"),
            subject_type="person", subject_id=min(pa, pb),
            amount_at_risk_fen=at_risk,
            person_ids=[pa, pb], class_ids=rows["class_id"].dropna(),
            institution_ids=rows["institution_id"].dropna(), claim_ids=rows["claim_id"],
            evidence=[a["position"], b["position"], *hist_pos.get(pa, []),
                      *hist_pos.get(pb, []), *rows["position"]],
            observed={"waterfall": waterfall,
                      "sum_of_field_weights": round(float(weight[k]) - prior, 2),
                      "prior_weight": round(prior, 2), "match_weight": w_total,
                      "match_probability": round(pr, 4), "blocked_by": blocked,
                      "subsidy_fen": {pa: int(subsidy.get(pa, 0)), pb: int(subsidy.get(pb, 0))},
                      "later_record": later, "model": model},
            estimated=ESTIMATED,
        ))
    return out


# what the model says of a pair moves with every refit; the pair, its subsidies and its
# evidence are the case's facts
ESTIMATED = ("waterfall", "sum_of_field_weights", "prior_weight", "match_weight",
             "match_probability", "model")


def _shown(comparison: str, rec: pd.Series) -> object:
    """A record's value of one comparison as a finding shows it: contacts and IDs masked."""
    if comparison == "contact":
        return {kind: None if missing(rec[kind]) else mask(str(rec[kind]))
                for kind, mask in (("phone", mask_phone), ("bank_account", mask_account))}
    if comparison == "place":
        return {"county": None if missing(rec["county"]) else rec["county"],
                "id_region": None if missing(rec["id_region"]) else rec["id_region"]}
    if comparison == "id_number":
        return mask_person_id(str(rec["person_id"]))
    value = rec[comparison]
    return None if missing(value) else value


def _waterfall_row(k: int, code: int, a: pd.Series, b: pd.Series, fit: linkage.Fit,
                   weight: float) -> dict[str, object]:
    """One comparison of a pair: both values, the level, its estimated m and u, its weight.

    Where the value's own frequency stood in for the level's u (a shared name), ``u``
    is that frequency and ``level_u`` the level's.
    """
    comparison = COMPARISONS[k]
    row: dict[str, object] = {
        "comparison": comparison, "value_l": _shown(comparison, a),
        "value_r": _shown(comparison, b), "level": LEVELS[comparison][code] if code >= 0
        else "null", "m": None, "u": None, "weight": 0.0}
    if code >= 0:
        u = fit.u[k][code]
        row.update(m=float(f"{fit.m[k][code]:.3g}"), u=float(f"{u:.3g}"), weight=round(weight, 2))
        if code == 0 and fit.comparisons[k].exact_u is not None:
            row.update(u=float(f"{2 ** -weight * fit.m[k][0]:.3g}"), level_u=float(f"{u:.3g}"))
    if comparison == "id_number" and str(row["level"]).startswith("typo"):
        row["difference"] = _id_difference(str(a["person_id"]), str(b["person_id"]))
    return row

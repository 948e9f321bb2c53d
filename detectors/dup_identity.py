"""DUP_IDENTITY: one human under two person records, subsidised under both (一人多证重复培训).

A mistyped or borrowed ID number gives one human a second person record; with
it the same person can take (and be paid for) training again. The detector is
probabilistic record linkage in the Fellegi–Sunter model, as Splink does it:

* **Blocking.** Only pairs of *subsidised* records (both named in claim items
  of ``claim_kinds``) that agree on one of ``blocking_rules`` are compared:
  the same phone, the same bank account, the same name and birth date, or the
  same region and birth date in the ID number (its first 14 characters), never
  the full cross product. Each rule is a ``+``-joined list of fields; a block
  larger than ``max_block_size`` records (a placeholder phone, a shared
  office account) is skipped for that rule - those are rings, found by
  FRAUD_SHARED_CONTACT_RING.
* **Comparison levels.** Each field falls into one level per pair: name exact
  / similar (one character substituted, inserted, dropped or two swapped) /
  different; birth date exact / one digit off / day and month swapped /
  different; gender; phone; bank account; county; and the two ID numbers: one
  digit or one adjacent transposition apart with one of them invalid (a typo),
  the same but both valid, the same region and birth date (a borrowed or
  bought number), or different. A missing value on either side is the
  ``null`` level, weight 0.
* **Weights.** Each level has an ``m`` (share of true duplicates at that level)
  and a ``u`` (share of unrelated pairs), given per comparison in the rules
  file as ``{level = ["m", "u"]}``. Its match weight is ``log2(m/u)``; the
  pair's match weight is the prior ``log2(λ/(1-λ))`` (λ =
  ``probability_two_random_records_match``) plus the sum over fields, and its
  match probability ``2^w / (1 + 2^w)``. The ID levels' ``u`` are taken *given
  the birth dates agree*, since the ID number embeds the birth date.

A pair at or above ``min_match_probability`` is a finding. Sharing a name
and a birthday is not enough (namesakes; the defaults give about 5 %), nor is
sharing a family phone (siblings, spouses: different names and birth dates
weigh heavily against); the same name and birth date with a shared phone or
account, or with an ID number one typo away, is. ``observed`` holds the
waterfall: each field's two values (contacts and ID numbers masked), level,
m, u and weight, then the prior, the total weight and the probability.

Subject: the first of the two ID numbers; both are in ``person_ids``. At risk:
the subsidies claimed under the record whose first claim came later (the
second identity's money).

Limits: m and u are defaults set by hand in the rules file (no EM estimation);
each person's current contacts are compared (not past ones from
``person_history``); twins with near-identical names, consecutive ID numbers
and a shared phone fall less than two bits short of the default threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from math import log2

import numpy as np
import pandas as pd

from detectors.base import Finding, Frames, missing
from detectors.common import isin, pct, yuan
from engine.privacy import mask_account, mask_person_id, mask_phone

CODE = "DUP_IDENTITY"
CATEGORY = "duplicate_training"

# Comparison -> its levels in order of precedence (the last is "everything else").
LEVELS: dict[str, tuple[str, ...]] = {
    "name": ("exact", "similar", "different"),
    "birth_date": ("exact", "one_digit", "day_month_swap", "different"),
    "gender": ("same", "different"),
    "phone": ("exact", "different"),
    "bank_account": ("exact", "different"),
    "county": ("same", "different"),
    "id_number": ("typo_one_invalid", "typo_both_valid", "same_region_birth", "different"),
}
BLOCKING_FIELDS = ("name", "birth_date", "gender", "phone", "bank_account", "county",
                   "id_region_birth")
_CONTACT_MASK = {"phone": mask_phone, "bank_account": mask_account}
_FIELD_ZH = {"name": "姓名", "birth_date": "出生日期", "gender": "性别", "phone": "手机号",
             "bank_account": "银行账户", "county": "区县", "id_number": "身份证号"}
_LEVEL_ZH = {"exact": "相同", "same": "相同", "similar": "相近", "different": "不同",
             "one_digit": "差一位数字", "day_month_swap": "月日颠倒", "null": "缺失",
             "typo_one_invalid": "仅差一位/相邻颠倒且一个无效",
             "typo_both_valid": "仅差一位/相邻颠倒", "same_region_birth": "地区码与出生日期相同"}


def _name() -> dict[str, list[str]]:
    return {"exact": ["0.90", "0.002"], "similar": ["0.06", "0.03"],
            "different": ["0.04", "0.968"]}


def _birth_date() -> dict[str, list[str]]:
    return {"exact": ["0.90", "0.0001"], "one_digit": ["0.04", "0.002"],
            "day_month_swap": ["0.02", "0.00005"], "different": ["0.04", "0.99785"]}


def _gender() -> dict[str, list[str]]:
    return {"same": ["0.98", "0.5"], "different": ["0.02", "0.5"]}


def _phone() -> dict[str, list[str]]:
    return {"exact": ["0.55", "0.0002"], "different": ["0.45", "0.9998"]}


def _bank_account() -> dict[str, list[str]]:
    return {"exact": ["0.55", "0.0001"], "different": ["0.45", "0.9999"]}


def _county() -> dict[str, list[str]]:
    return {"same": ["0.85", "0.2"], "different": ["0.15", "0.8"]}


def _id_number() -> dict[str, list[str]]:
    return {"typo_one_invalid": ["0.40", "0.0001"], "typo_both_valid": ["0.10", "0.003"],
            "same_region_birth": ["0.40", "0.05"], "different": ["0.10", "0.9469"]}


@dataclass(frozen=True)
class Params:
    severity: str = "high"
    claim_kinds: tuple[str, ...] = ("training",)
    blocking_rules: tuple[str, ...] = ("phone", "bank_account", "name+birth_date",
                                       "id_region_birth")
    max_block_size: int = 500
    probability_two_random_records_match: Decimal = Decimal("0.000000001")
    min_match_probability: Decimal = Decimal("0.95")
    name_levels: dict[str, list[str]] = field(default_factory=_name)
    birth_date_levels: dict[str, list[str]] = field(default_factory=_birth_date)
    gender_levels: dict[str, list[str]] = field(default_factory=_gender)
    phone_levels: dict[str, list[str]] = field(default_factory=_phone)
    bank_account_levels: dict[str, list[str]] = field(default_factory=_bank_account)
    county_levels: dict[str, list[str]] = field(default_factory=_county)
    id_number_levels: dict[str, list[str]] = field(default_factory=_id_number)


@dataclass(frozen=True)
class Level:
    m: float
    u: float

    @property
    def weight(self) -> float:
        return log2(self.m / self.u)


def model(p: Params) -> dict[str, dict[str, Level]]:
    """The m/u table of every comparison, checked: all levels given, 0 < m, u <= 1."""
    out: dict[str, dict[str, Level]] = {}
    for comparison, levels in LEVELS.items():
        given = getattr(p, f"{comparison}_levels")
        key = f"rules.{CODE}.{comparison}_levels"
        if set(given) != set(levels):
            raise ValueError(f"{key}: levels {sorted(given)}, expected {list(levels)}")
        table = {}
        for level in levels:
            try:
                m, u = (float(Decimal(str(x))) for x in given[level])
            except (TypeError, ValueError, ArithmeticError):
                raise ValueError(f"{key}.{level}: expected [m, u] as decimal strings, "
                                 f"got {given[level]!r}") from None
            if not (0 < m <= 1 and 0 < u <= 1):
                raise ValueError(f"{key}.{level}: m and u must be in (0, 1], got {m}, {u}")
            table[level] = Level(m, u)
        out[comparison] = table
    lam = p.probability_two_random_records_match
    if not 0 < lam < 1:
        raise ValueError(f"rules.{CODE}.probability_two_random_records_match must be in "
                         f"(0, 1), got {lam}")
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


def _records(persons: pd.DataFrame, wanted: pd.Index) -> pd.DataFrame:
    """One row per wanted person: normalised fields as object arrays (None = missing)."""
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
        "phone": _clean(p["phone"].to_numpy(dtype=object), drop=" -"),
        "bank_account": _clean(p["bank_account"].to_numpy(dtype=object), drop=" -"),
        "county": _clean(p["county"].to_numpy(dtype=object)),
        "position": p["position"].to_numpy(),
    })
    rec["id_region_birth"] = np.array(
        [x[:14] if x is not None and len(x) >= 14 else None for x in ids], dtype=object)
    return rec


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of a column's values, -1 where missing."""
    codes, _ = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    return codes.astype(np.int64)


def candidate_pairs(rec: pd.DataFrame, rules: tuple[str, ...],
                    max_block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Record index pairs (i < j) agreeing on at least one blocking rule, with a rule bitmask."""
    parts = []
    for bit, rule in enumerate(rules):
        key = np.zeros(len(rec), dtype=np.int64)
        ok = np.ones(len(rec), dtype=bool)
        for name in (f.strip() for f in rule.split("+")):
            codes = _codes(rec[name])
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


def compare_codes(rec: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """Per comparison, the index of each pair's level in ``LEVELS`` (-1 = a value is missing)."""
    out: dict[str, np.ndarray] = {}

    def pick(conditions: list[np.ndarray], levels: tuple[str, ...],
             null: np.ndarray) -> np.ndarray:
        chosen = np.select(conditions, list(range(len(levels) - 1)), default=len(levels) - 1)
        return np.where(null, -1, chosen).astype(np.int8)

    def same(name: str) -> tuple[np.ndarray, np.ndarray]:
        codes = _codes(rec[name])
        a, b = codes[i], codes[j]
        return (a == b) & (a >= 0), (a < 0) | (b < 0)

    exact, null = same("name")
    ch, ln = _chars(rec["name"].to_numpy())
    similar = edit_kind(ch[i], ln[i], ch[j], ln[j]) > 0
    out["name"] = pick([exact, similar], LEVELS["name"], null)

    exact, null = same("birth_date")
    ch, ln = _chars(rec["birth_date"].to_numpy())
    digits = [0, 1, 2, 3, 5, 6, 8, 9]  # YYYY-MM-DD
    well_formed = ln == 10
    ok = well_formed[i] & well_formed[j]
    if ch.shape[1] >= 10:
        a, b = ch[i], ch[j]
        one = ok & ((a[:, digits] != b[:, digits]).sum(axis=1) == 1)
        swapped = (ok & ~exact & (a[:, :4] == b[:, :4]).all(axis=1)
                   & (a[:, 5:7] == b[:, 8:10]).all(axis=1) & (a[:, 8:10] == b[:, 5:7]).all(axis=1))
    else:
        one = swapped = np.zeros(i.size, dtype=bool)
    out["birth_date"] = pick([exact, one, swapped], LEVELS["birth_date"], null)

    for name in ("gender", "phone", "bank_account", "county"):
        exact, null = same(name)
        out[name] = pick([exact], LEVELS[name], null)

    _exact, null = same("id_number")
    ch, ln = _chars(rec["id_number"].to_numpy())
    a, b = ch[i], ch[j]
    typo = edit_kind(a, ln[i], b, ln[j]) > 0
    valid = rec["id_valid"].to_numpy()
    invalid = ~(valid[i] & valid[j])
    region_birth = (ln[i] >= 14) & (ln[j] >= 14)
    if ch.shape[1] >= 14:
        region_birth &= (a[:, :14] == b[:, :14]).all(axis=1)
    out["id_number"] = pick([typo & invalid, typo, region_birth], LEVELS["id_number"], null)
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


# -- the rule ------------------------------------------------------------------------------------

def detect(frames: Frames, p: Params) -> list[Finding]:
    levels = model(p)
    claims = frames.claims
    wanted = claims.index[claims["kind"].isin(list(p.claim_kinds))]
    items = frames.claim_items
    items = items[items["claim_id"].isin(wanted) & items["person_id"].notna()]
    if items.empty:
        return []
    rec = _records(frames.persons, pd.Index(items["person_id"].unique()))
    if len(rec) < 2:
        return []
    i, j, bits = candidate_pairs(rec, p.blocking_rules, p.max_block_size)
    if i.size == 0:
        return []
    codes = compare_codes(rec, i, j)
    total = np.zeros(i.size)
    for comparison, chosen in codes.items():
        # weights by level index; the extra last entry (index -1) is the null level: 0
        weights = np.array([levels[comparison][name].weight for name in LEVELS[comparison]]
                           + [0.0])
        total += weights[chosen]
    lam = float(p.probability_two_random_records_match)
    prior = log2(lam / (1 - lam))
    weight = prior + total
    prob = 1.0 / (1.0 + np.exp2(-weight))
    hit = np.flatnonzero(prob >= float(p.min_match_probability))
    if hit.size == 0:
        return []

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
        waterfall = []
        for comparison in LEVELS:
            code = int(codes[comparison][k])
            level = LEVELS[comparison][code] if code >= 0 else "null"
            lv = levels[comparison].get(level)
            va, vb = a[comparison], b[comparison]
            if comparison in _CONTACT_MASK:
                mask = _CONTACT_MASK[comparison]
                va, vb = (None if missing(v) else mask(str(v)) for v in (va, vb))
            elif comparison == "id_number":
                va, vb = mask_person_id(pa), mask_person_id(pb)
            row = {"comparison": comparison, "value_l": None if pd.isna(va) else va,
                   "value_r": None if pd.isna(vb) else vb, "level": level,
                   "m": lv.m if lv else None, "u": lv.u if lv else None,
                   "weight": round(lv.weight, 3) if lv else 0.0}
            if comparison == "id_number" and level.startswith("typo"):
                row["difference"] = _id_difference(pa, pb)
            waterfall.append(row)
        # The record subsidised later is the second identity.
        later = pb if tuple(first_claim.loc[pb]) > tuple(first_claim.loc[pa]) else pa
        at_risk = int(subsidy.get(later, 0))
        rows = pd.concat([by_person[pa], by_person[pb]])
        fields_zh = "，".join(f"{_FIELD_ZH[w['comparison']]}{_LEVEL_ZH.get(w['level'], w['level'])}"
                             f"({w['weight']:+.1f})" for w in waterfall)
        fields_en = ", ".join(f"{w['comparison']} {w['level']} ({w['weight']:+.1f})"
                              for w in waterfall)
        w_total = round(float(weight[k]), 3)
        pr = float(prob[k])
        pr_text = f"{pr:.2%}" if pr < 0.9999 else ">99.99%"
        blocked = [rule_names[n] for n in range(len(rule_names)) if bits[k] >> n & 1]
        out.append(Finding.make(
            code=CODE, category=CATEGORY, severity=p.severity,
            title="One person under two ID records, subsidised under both",
            zh=(f"{a['name']}（{mask_person_id(pa)}）与 {b['name']}（{mask_person_id(pb)}）"
                f"疑似同一人：{fields_zh}；匹配权重 {w_total:.1f}（先验 {prior:.1f}），"
                f"匹配概率 {pr_text} ≥ {pct(threshold)}；两份记录均领取补贴，"
                f"后一份记录 {yuan(at_risk)} 元存疑"),
            en=(f"{mask_person_id(pa)} and {mask_person_id(pb)} look like one person: "
                f"{fields_en}; match weight {w_total:.1f} (prior {prior:.1f}), match "
                f"probability {pr_text}, at or above {pct(threshold)}; both records were "
                f"subsidised, {yuan(at_risk)} yuan under the later one"),
            subject_type="person", subject_id=min(pa, pb),
            amount_at_risk_fen=at_risk,
            person_ids=[pa, pb], class_ids=rows["class_id"].dropna(),
            institution_ids=rows["institution_id"].dropna(), claim_ids=rows["claim_id"],
            evidence=[a["position"], b["position"], *hist_pos.get(pa, []),
                      *hist_pos.get(pb, []), *rows["position"]],
            observed={"waterfall": waterfall, "sum_of_field_weights": round(float(total[k]), 3),
                      "prior_weight": round(prior, 3), "match_weight": w_total,
                      "match_probability": round(pr, 6), "blocked_by": blocked,
                      "subsidy_fen": {pa: int(subsidy.get(pa, 0)), pb: int(subsidy.get(pb, 0))},
                      "later_record": later},
        ))
    return out

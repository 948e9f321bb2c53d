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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from math import log2

import numpy as np
import pandas as pd

from detectors.base import Finding, Frames
from detectors.common import pct, yuan
from engine.identity import mask_person_id

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
    for rule in p.blocking_rules:
        unknown = [f for f in rule.split("+") if f.strip() not in BLOCKING_FIELDS]
        if unknown:
            raise ValueError(f"rules.{CODE}.blocking_rules: unknown field(s) {unknown} in "
                             f"{rule!r}; known: {', '.join(BLOCKING_FIELDS)}")
    return out


# -- the records ---------------------------------------------------------------------------------

def _norm(values: pd.Series, *, digits: bool = False) -> pd.Series:
    s = values.astype("string").str.strip().str.upper()
    if digits:
        s = s.str.replace(r"[\s\-]", "", regex=True)
    return s.replace("", pd.NA)


def _records(persons: pd.DataFrame, wanted: pd.Index) -> pd.DataFrame:
    p = persons.loc[persons.index.isin(wanted)].sort_index()
    ids = pd.Series(p.index.astype(str), index=p.index).str.strip().str.upper()
    rec = pd.DataFrame({
        "person_id": p.index.astype(str),
        "id_number": ids.to_numpy(),
        "id_valid": p["id_valid"].fillna(False).astype(bool).to_numpy(),
        "name": _norm(p["name"]).str.replace(r"\s", "", regex=True).to_numpy(),
        "birth_date": _norm(p["birth_date"]).to_numpy(),
        "gender": _norm(p["gender"]).to_numpy(),
        "phone": _norm(p["phone"], digits=True).to_numpy(),
        "bank_account": _norm(p["bank_account"], digits=True).to_numpy(),
        "county": _norm(p["county"]).to_numpy(),
        "position": p["position"].to_numpy(),
    })
    region_birth = ids.str.slice(0, 14)
    rec["id_region_birth"] = region_birth.where(region_birth.str.len() == 14).to_numpy()
    return rec


def candidate_pairs(rec: pd.DataFrame, rules: tuple[str, ...],
                    max_block: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Record index pairs (i < j) agreeing on at least one blocking rule, with a rule bitmask."""
    parts = []
    for bit, rule in enumerate(rules):
        fields = [f.strip() for f in rule.split("+")]
        keys = rec[fields].astype("string")
        ok = keys.notna().all(axis=1).to_numpy()
        if not ok.any():
            continue
        kept = keys[ok]
        joined = kept[fields[0]].str.cat([kept[f] for f in fields[1:]], sep="\x1f") \
            if len(fields) > 1 else kept[fields[0]]
        codes, _ = pd.factorize(joined)
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
    s = pd.Series(values, dtype="string").fillna("")
    width = max(int(s.str.len().max() or 1), 1)
    arr = np.array(s.tolist(), dtype=f"<U{width}")
    return arr.view(np.uint32).reshape(len(arr), width), s.str.len().to_numpy(dtype=np.int64)


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


def compare(rec: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
    """The level (its name, or 'null') of every comparison for each pair."""
    out: dict[str, np.ndarray] = {}

    def col(name: str) -> tuple[pd.Series, pd.Series, np.ndarray]:
        a = rec[name].iloc[i].reset_index(drop=True)
        b = rec[name].iloc[j].reset_index(drop=True)
        return a, b, (a.isna() | b.isna()).to_numpy()

    def pick(conditions: list[np.ndarray], levels: tuple[str, ...], null: np.ndarray) -> np.ndarray:
        chosen = np.select(conditions, list(levels[:-1]), default=levels[-1])
        return np.where(null, "null", chosen).astype(object)

    a, b, null = col("name")
    ca, la = _chars(a.to_numpy())
    cb, lb = _chars(b.to_numpy())
    exact = (a == b).fillna(False).to_numpy()
    out["name"] = pick([exact, edit_kind(ca, la, cb, lb) > 0], LEVELS["name"], null)

    a, b, null = col("birth_date")
    da = a.str.replace("-", "", regex=False)
    db = b.str.replace("-", "", regex=False)
    ca, la = _chars(da.to_numpy())
    cb, lb = _chars(db.to_numpy())
    exact = (a == b).fillna(False).to_numpy()
    one = (edit_kind(ca, la, cb, lb) == 1) & (la == 8)
    swapped = ((da.str.slice(0, 4) == db.str.slice(0, 4))
               & (da.str.slice(4, 6) == db.str.slice(6, 8))
               & (da.str.slice(6, 8) == db.str.slice(4, 6))).fillna(False).to_numpy() & ~exact
    out["birth_date"] = pick([exact, one, swapped], LEVELS["birth_date"], null)

    for name in ("gender", "phone", "bank_account", "county"):
        a, b, null = col(name)
        out[name] = pick([(a == b).fillna(False).to_numpy()], LEVELS[name], null)

    a, b, null = col("id_number")
    ca, la = _chars(a.to_numpy())
    cb, lb = _chars(b.to_numpy())
    typo = edit_kind(ca, la, cb, lb) > 0
    valid = rec["id_valid"].to_numpy()
    invalid = ~(valid[i] & valid[j])
    region_birth = (a.str.slice(0, 14) == b.str.slice(0, 14)).fillna(False).to_numpy() \
        & (la >= 14) & (lb >= 14)
    out["id_number"] = pick([typo & invalid, typo, region_birth], LEVELS["id_number"], null)
    return out


def _mask_contact(value: object) -> str | None:
    if value is None or value is pd.NA or value != value:
        return None
    text = str(value)
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return text[:2] + "*" * max(len(text) - 2, 0)


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
    got = compare(rec, i, j)
    total = np.zeros(i.size)
    for comparison, chosen in got.items():
        table = levels[comparison]
        weights = {name: lv.weight for name, lv in table.items()}
        weights["null"] = 0.0
        total += pd.Series(chosen).map(weights).to_numpy(dtype=float)
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
            level = got[comparison][k]
            lv = levels[comparison].get(level)
            va, vb = a[comparison], b[comparison]
            if comparison in ("phone", "bank_account"):
                va, vb = _mask_contact(va), _mask_contact(vb)
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
        pr_text = f"{pr:.4%}" if pr < 0.9999 else ">99.99%"
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

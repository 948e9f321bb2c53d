"""DUP_IDENTITY links two records of one human by weights it learns from the city's records.

The city is a crowd of a few hundred ordinary trainees (their own names, birth
dates, phones and accounts, five counties) with the spec's cases and their
look-alikes mixed in, so the EM has unrelated pairs to learn ``u`` from and a
handful of duplicates to learn ``m`` from, as in a real city.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from detectors import dup_identity as d
from engine.identity import id_check_char, is_valid_person_id, make_person_id
from tests.detectors.city import TinyCity

COUNTIES = (("离石区", "141102"), ("文水县", "141121"), ("交城县", "141122"),
            ("兴县", "141123"), ("临县", "141124"))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鹏辉建国志文斌"


def typo(pid: str, pos: int = 15) -> str:
    """One digit of the sequence mistyped, check character kept: an invalid number."""
    for k in range(1, 10):
        other = pid[:pos] + str((int(pid[pos]) + k) % 10) + pid[pos + 1:]
        if other[17] != id_check_char(other[:17]):
            return other
    raise AssertionError("no invalid typo")


COMMON = ("王伟", "王芳", "李娜", "张敏", "李静", "王静", "刘伟", "王秀英", "张丽", "李强")


def crowd(c: TinyCity, n: int, seed: int = 7, days: int = 14_000) -> list[str]:
    """``n`` unrelated trainees: their own contacts, birth dates over ``days`` days, five
    counties, and names as a city has them: a few very common, most rare."""
    rng = random.Random(seed)
    pids = []
    for _ in range(n):
        county, region = rng.choice(COUNTIES)
        gender = rng.choice("MF")
        if rng.random() < 0.3:
            name = COMMON[min(int(rng.paretovariate(1.0)) - 1, len(COMMON) - 1)]
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                                  for _ in range(rng.choice((1, 2, 2))))
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(days))
        pids.append(c.person(name=name, gender=gender, born=born.isoformat(), county=county,
                             region=region))
    return pids


def city(n_crowd: int = 1500, days: int = 14_000) -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution()
    ids: dict[str, str] = {}
    # A mistyped ID: the same 李军明 twice, one digit of the second number off (invalid),
    # the same phone.
    born = date(1988, 7, 14)
    ids["real"] = c.person(name="李军明", born="1988-07-14", phone="13912345678",
                           person_id=make_person_id("141102", born, 135))
    ids["typo"] = c.person(name="李军明", born="1988-07-14", phone="13912345678",
                           person_id=typo(ids["real"]))
    # A mistyped ID and nothing else shared: the typo itself is the evidence.
    born = date(1979, 2, 3)
    ids["typo_own"] = c.person(name="高建国", born="1979-02-03", county="文水县",
                               person_id=make_person_id("141121", born, 411))
    ids["typo_own2"] = c.person(name="高建国", born="1979-02-03", county="文水县",
                                person_id=typo(ids["typo_own"], 14))
    # Borrowed from another county: 贾晓娜 of 兴县 trains again under a valid number from
    # 临县 (another region), registered there, with her own name, birth date and phone.
    born = date(1995, 3, 2)
    ids["own"] = c.person(name="贾晓娜", gender="F", born="1995-03-02", phone="13700000001",
                          county="兴县", person_id=make_person_id("141123", born, 246))
    ids["borrowed"] = c.person(name="贾晓娜", gender="F", born="1995-03-02",
                               phone="13700000001", county="临县",
                               person_id=make_person_id("141124", born, 802))
    # One day off: the same 孙志强 and bank account, born 1991-03-31 or 1991-04-01.
    ids["day1"] = c.person(name="孙志强", born="1991-03-31", bank="6222333344445555",
                           person_id=make_person_id("141102", date(1991, 3, 31), 517))
    ids["day2"] = c.person(name="孙志强", born="1991-04-01", bank="6222333344445555",
                           person_id=make_person_id("141102", date(1991, 4, 1), 93))
    # Namesakes with their own contacts: the same birth year, or even the same birthday (a
    # common name, another county).
    ids["wang1"] = c.person(name="王伟", born="1980-01-01")
    ids["wang2"] = c.person(name="王伟", born="1980-11-30")
    ids["fang1"] = c.person(name="王芳", gender="F", born="1990-05-01")
    ids["fang2"] = c.person(name="王芳", gender="F", born="1990-05-01", county="临县",
                            region="141124")
    # Spouses sharing the family phone and account; siblings sharing a phone.
    ids["husband"] = c.person(name="赵刚", born="1984-09-12", phone="13655550000",
                              bank="6217000011112222")
    ids["wife"] = c.person(name="钱秀英", gender="F", born="1986-02-27", phone="13655550000",
                           bank="6217000011112222")
    ids["sis"] = c.person(name="刘芳", gender="F", born="1993-04-09", phone="13611110000")
    ids["bro"] = c.person(name="刘强", born="1997-10-21", phone="13611110000")
    people = crowd(c, n_crowd, days=days)
    first = [ids[k] for k in ("real", "typo_own", "own", "day1", "wang1", "fang1", "husband",
                              "sis")]
    second = [ids[k] for k in ("typo", "typo_own2", "borrowed", "day2", "wang2", "fang2",
                               "wife", "bro")]
    c.klass("C1", start="2023-03-06", capacity=5000)
    c.claim("CL1", [(pid, "1000.00", 10) for pid in first + people], cid="C1", on="2023-03-25")
    c.klass("C2", start="2024-04-08")
    c.claim("CL2", [(pid, "800.00", 8) for pid in second], cid="C2", on="2024-04-25")
    return c, ids


def pair(ids: dict[str, str], a: str, b: str) -> tuple[str, ...]:
    return tuple(sorted((ids[a], ids[b])))


LINKED = (("real", "typo"), ("typo_own", "typo_own2"), ("own", "borrowed"), ("day1", "day2"))
APART = (("wang1", "wang2"), ("fang1", "fang2"), ("husband", "wife"), ("sis", "bro"))


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory):
    c, ids = city()
    return c.frames(tmp_path_factory.mktemp("dup_identity")), ids


def test_links_the_spec_cases_and_nothing_else(frames) -> None:
    views, ids = frames
    assert not is_valid_person_id(ids["typo"]) and is_valid_person_id(ids["borrowed"])
    found = d.detect(views, d.Params())
    assert {f.person_ids for f in found} == {pair(ids, a, b) for a, b in LINKED}


def test_namesakes_spouses_and_siblings_stay_apart(frames) -> None:
    views, ids = frames
    everything = d.detect(views, d.Params(min_match_probability=Decimal("1e-12")))
    prob = {f.person_ids: f.observed["match_probability"] for f in everything}
    for a, b in APART:
        assert prob.get(pair(ids, a, b), 0.0) < 0.5, (a, b)
    # a shared birthday is the closest call; without one, nothing comes near
    for a, b in (("wang1", "wang2"), ("husband", "wife"), ("sis", "bro")):
        assert prob.get(pair(ids, a, b), 0.0) < 0.01, (a, b)
    # the spouses are compared (they share an account) and weigh heavily against
    spouses = next(f for f in everything if f.person_ids == pair(ids, "husband", "wife"))
    levels = {w["comparison"]: w["level"] for w in spouses.observed["waterfall"]}
    assert levels["contact"] == "phone_and_bank" and levels["gender"] == "different"
    assert spouses.observed["match_weight"] < -10


def test_the_finding_keeps_each_fields_level_and_weight(frames) -> None:
    views, ids = frames
    f = next(x for x in d.detect(views, d.Params()) if ids["borrowed"] in x.person_ids)
    assert f.subject_type == "person" and f.subject_id == min(ids["own"], ids["borrowed"])
    assert f.claim_ids == ("CL1", "CL2") and f.class_ids == ("C1", "C2")
    assert f.amount_at_risk_fen == 80000  # the later record's subsidy
    rows = {w["comparison"]: w for w in f.observed["waterfall"]}
    assert {k: r["level"] for k, r in rows.items()} == {
        "name": "exact", "birth_date": "exact", "gender": "same", "contact": "phone",
        "place": "neither", "id_number": "different"}
    model = f.observed["model"]["comparisons"]
    for name, r in rows.items():
        level = model[name][r["level"]]
        assert r["m"] == level["m"]
        if name != "name":  # a shared name weighs by its own frequency
            assert r["u"] == level["u"] and r["weight"] == level["weight"]
        assert r["weight"] == pytest.approx(np.log2(r["m"] / r["u"]), abs=0.02)
    # the name 贾晓娜 is held by two of the records: its weight uses that share
    assert rows["name"]["u"] == pytest.approx(2 / f.observed["model"]["records"], rel=0.01)
    assert rows["place"]["weight"] < 0 < rows["contact"]["weight"]
    total = sum(r["weight"] for r in rows.values()) + f.observed["prior_weight"]
    assert f.observed["match_weight"] == pytest.approx(total, abs=0.05)
    assert f.observed["match_probability"] >= 0.95
    assert "13700000001" not in str(f.observed) and "13700000001" not in f.explanation_zh
    assert "贾晓娜" not in f.explanation_zh  # the name is masked in the text
    assert f"{f.observed['match_weight']:.1f}" in f.explanation_en
    assert "800.00" in f.explanation_en and "手机号相同" in f.explanation_zh
    typo_f = next(x for x in d.detect(views, d.Params()) if ids["typo"] in x.person_ids)
    id_row = next(w for w in typo_f.observed["waterfall"] if w["comparison"] == "id_number")
    assert id_row["level"] == "typo_one_invalid" and id_row["difference"].startswith("digit 16:")
    assert id_row["weight"] > 5


def test_the_model_is_estimated_and_recorded(frames) -> None:
    views, _ids = frames
    found = d.detect(views, d.Params())
    model = found[0].observed["model"]
    assert all(f.observed["model"] == model for f in found)
    assert model["converged"] and 1 <= model["iterations"] <= d.Params().max_iterations
    records = model["records"]
    assert model["total_pairs"] == records * (records - 1) // 2
    # about the four duplicates are expected among all pairs, and λ says so
    assert 3.5 <= model["expected_matches"] <= 5
    lam = model["expected_matches"] / model["total_pairs"]
    assert model["probability_two_random_records_match"] == pytest.approx(lam, rel=0.01)
    for name, levels in model["comparisons"].items():
        assert set(levels) == set(d.LEVELS[name])
        assert sum(x["m"] for x in levels.values()) == pytest.approx(1, abs=0.01)
        assert sum(x["u"] for x in levels.values()) == pytest.approx(1, abs=0.01)
    # every duplicate shares its name and gender: the data drives m far above its start
    start = d.Params().name_start_m
    assert model["comparisons"]["name"]["exact"]["m"] > float(start["exact"])
    assert model["comparisons"]["gender"]["same"]["m"] > 0.98


def test_the_weights_move_with_the_data(tmp_path: Path, frames) -> None:
    """Where everyone was born within two years a shared birthday is weaker evidence; where
    there are fewer records, two random ones are likelier one human."""
    views, _ids = frames
    usual = d.detect(views, d.Params())[0].observed["model"]
    narrow_city, _ = city(1500, days=730)
    narrow = d.detect(narrow_city.frames(tmp_path), d.Params())[0].observed["model"]
    small_city, _ = city(300)
    small = d.detect(small_city.frames(tmp_path), d.Params())[0].observed["model"]

    def weight(model: dict, comparison: str, level: str) -> float:
        return model["comparisons"][comparison][level]["weight"]

    assert weight(narrow, "birth_date", "exact") < weight(usual, "birth_date", "exact") - 3
    assert small["prior_weight"] > usual["prior_weight"] + 3  # λ: 4 among fewer pairs


def test_same_data_same_weights_whatever_the_row_order(frames) -> None:
    views, _ids = frames
    first = d.detect(views, d.Params())

    class Shuffled:
        def __getattr__(self, name: str):
            frame = getattr(views, name)
            return frame.iloc[::-1] if name in ("persons", "claim_items") else frame

    assert d.detect(Shuffled(), d.Params()) == first


def test_only_when_both_records_are_subsidised(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    born = date(1988, 7, 14)
    real = c.person(name="李军明", born="1988-07-14", phone="13912345678",
                    person_id=make_person_id("141102", born, 135))
    twin = c.person(name="李军明", born="1988-07-14", phone="13912345678",
                    person_id=typo(real))
    people = crowd(c, 50)
    c.klass("C1", start="2023-03-06", capacity=100)
    c.claim("CL1", [(p, "1000.00", 10) for p in [real, *people]], cid="C1", on="2023-03-25")
    c.klass("C2", start="2024-04-08")
    c.train("C2", [twin])  # trained, never claimed for
    assert d.detect(c.frames(tmp_path), d.Params()) == []


def test_threshold_and_blocking_come_from_the_rules(frames) -> None:
    views, ids = frames
    weakest = min(f.observed["match_probability"] for f in d.detect(views, d.Params()))
    above = Decimal(str(weakest)) + Decimal("0.00005")
    assert 0 < len(d.detect(views, d.Params(min_match_probability=above))) < len(LINKED)
    # Without blocking on the name and birth date, the one-day-off pair is still compared
    # (the account), the typo with nothing shared is not.
    found = {f.person_ids for f in d.detect(views, d.Params(
        blocking_rules=("phone", "bank_account")))}
    assert pair(ids, "day1", "day2") in found and pair(ids, "typo_own", "typo_own2") not in found
    # A block of two is too big when the cap is one: nothing is compared.
    assert d.detect(views, d.Params(max_block_size=1)) == []


def test_edit_kinds() -> None:
    a = np.array(["张伟明", "1234", "1234", "王伟", "ABC", "ABC"])
    b = np.array(["张伟华", "1243", "124", "王伟伟", "ABC", "XYZ"])
    ca, la = d._chars(a)
    cb, lb = d._chars(b)
    assert list(d.edit_kind(ca, la, cb, lb)) == [1, 2, 3, 3, 0, 0]


def _rec(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    persons = pd.DataFrame({
        "name": ["x"] * n, "birth_date": ["1990-05-01"] * n, "gender": ["M"] * n,
        "phone": [None] * n, "bank_account": [None] * n, "county": ["k"] * n,
        "id_valid": [True] * n, "position": list(range(n))} | {
        k: v for k, v in columns.items() if k != "person_id"},
        index=pd.Index(columns.get("person_id", [f"p{k}" for k in range(n)]), name="person_id"))
    return d._records(persons, persons.index, 500)


def test_birth_date_levels() -> None:
    rec = _rec(birth_date=["1990-05-01", "1990-01-05", "1990-05-07", "1990-04-30",
                           "1991-06-01", None])
    got = d.compare(rec, np.zeros(5, dtype=int), np.arange(1, 6))
    assert list(got["birth_date"]) == ["day_month_swap", "one_off", "one_off", "different",
                                       "null"]
    assert list(got["contact"]) == ["null"] * 5


def test_id_number_levels() -> None:
    real = make_person_id("141102", date(1990, 5, 1), 135)
    redone = make_person_id("141102", date(1990, 5, 1), 175)  # one digit, check recomputed
    first17 = real[:15] + "9" + real[16]  # a digit and the check character off: two apart
    ghost = first17 + next(x for x in "0123456789X" if x not in (real[17], id_check_char(first17)))
    pids = [real, typo(real), redone, ghost, make_person_id("141124", date(1990, 5, 1), 135)]
    rec = _rec(person_id=pids, id_valid=[is_valid_person_id(p) for p in pids])
    first = int(rec.index[rec["person_id"] == real][0])
    others = np.array([int(rec.index[rec["person_id"] == p][0]) for p in pids[1:]])
    got = d.compare(rec, np.full(4, first), others)
    assert list(got["id_number"]) == ["typo_one_invalid", "typo_both_valid", "different",
                                      "different"]
    assert list(got["place"]) == ["county_and_region"] * 3 + ["county"]


def test_level_counts_are_the_counts_over_all_pairs() -> None:
    """What the model takes for u's numerator is what comparing every pair would give."""
    rng = random.Random(3)
    n = 300
    people: dict[str, date] = {}
    for _ in range(n):
        b = date(1990, 1, 1) + timedelta(days=rng.randrange(60))
        people[make_person_id(rng.choice(("141102", "141121")), b, rng.randrange(40))] = b
    pids, born = list(people), list(people.values())
    n = len(pids)
    rec = _rec(
        person_id=pids, id_valid=[True] * n,
        name=[rng.choice(["王伟", "王玮", "李伟", "王伟明", "张三", None]) for _ in range(n)],
        birth_date=[b.isoformat() if rng.random() > 0.05 else None for b in born],
        gender=[rng.choice("MF") for _ in range(n)],
        phone=[rng.choice(["1", "2", "3", None, None]) for _ in range(n)],
        bank_account=[rng.choice(["a", "b", None]) for _ in range(n)],
        county=[rng.choice(["甲", "乙", None]) for _ in range(n)])
    i, j = (np.array(x) for x in zip(*combinations(range(n), 2), strict=True))
    codes = d.compare_codes(rec, i, j)
    gamma = np.column_stack([codes[c] for c in d.COMPARISONS])
    counts = d.level_counts(rec, gamma)
    for k, name in enumerate(d.COMPARISONS):
        col = gamma[:, k]
        if name == "id_number":  # counted among the pairs born the same day
            col = col[gamma[:, d.COMPARISONS.index("birth_date")] == 0]
        brute = np.bincount(col[col >= 0], minlength=len(d.LEVELS[name]))
        assert list(counts[name]) == pytest.approx(list(brute)), name


def test_bad_rules_are_named() -> None:
    with pytest.raises(ValueError, match="name_start_m"):
        d.start_m(replace(d.Params(), name_start_m={"exact": "0.9"}))
    with pytest.raises(ValueError, match="blocking_rules"):
        d.start_m(replace(d.Params(), blocking_rules=("shoe_size",)))
    with pytest.raises(ValueError, match="m_floor"):
        d.start_m(replace(d.Params(), m_floor=Decimal("0.5")))


def test_a_field_missing_for_everyone_is_compared_as_missing(frames) -> None:
    """A source that sends no bank accounts at all must not stop the rule."""
    views, ids = frames

    class NoAccounts:
        def __getattr__(self, name: str):
            frame = getattr(views, name)
            return frame.assign(bank_account=None) if name == "persons" else frame

    found = d.detect(NoAccounts(), d.Params())
    assert pair(ids, "real", "typo") in {f.person_ids for f in found}
    f = next(x for x in found if ids["typo"] in x.person_ids)
    levels = {w["comparison"]: w["level"] for w in f.observed["waterfall"]}
    assert levels["contact"] == "phone"


def test_a_refit_alone_does_not_change_the_facts_of_a_finding() -> None:
    """A stream refits the model every cycle: weights move, the case's facts do not."""
    from dataclasses import replace

    from detectors.base import Finding

    base = Finding.make(code="DUP_IDENTITY", category="duplicate_training", severity="high",
                        title="t", zh="z", en="e", subject_type="person", subject_id="A",
                        person_ids=["A", "B"], evidence=[1, 2],
                        observed={"match_weight": 20.5, "model": {"lambda": 1e-6},
                                  "later_record": "B"},
                        estimated=("match_weight", "model"))
    refit = replace(base, observed={**base.observed, "match_weight": 21.0,
                                    "model": {"lambda": 2e-6}})
    assert refit.facts_digest() == base.facts_digest()
    moved = replace(base, observed={**base.observed, "later_record": "A"})
    assert moved.facts_digest() != base.facts_digest()

"""DUP_IDENTITY links two records of one human (Fellegi–Sunter), not namesakes or siblings."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from detectors import dup_identity as d
from engine.identity import id_check_char, is_valid_person_id, make_person_id
from tests.detectors.city import TinyCity


def typo(pid: str, pos: int = 15) -> str:
    """One digit of the sequence mistyped, check character kept: an invalid number."""
    for k in range(1, 10):
        other = pid[:pos] + str((int(pid[pos]) + k) % 10) + pid[pos + 1:]
        if other[17] != id_check_char(other[:17]):
            return other
    raise AssertionError("no invalid typo")


def train_and_claim(c: TinyCity, cid: str, pids: list[str], *, start: str, claim: str,
                    on: str, amount: str = "1000.00") -> None:
    c.klass(cid, start=start)
    c.train(cid, pids)
    c.claim(claim, [(pid, amount, 10) for pid in pids], cid=cid, on=on)


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution()
    ids: dict[str, str] = {}
    born = date(1988, 7, 14)
    # A typo: the same 李军 twice, the second number one digit off (invalid), same phone.
    ids["real"] = c.person(name="李军", born="1988-07-14", phone="13912345678",
                           bank="6222000011112222", person_id=make_person_id("141102", born, 135))
    ids["typo"] = c.person(name="李军", born="1988-07-14", phone="13912345678",
                           bank="6222999988887777", person_id=typo(ids["real"]))
    # Borrowed: 贾娜 under a second valid number (same region and birth date), same bank account.
    born2 = date(1995, 3, 2)
    ids["own"] = c.person(name="贾娜", gender="F", born="1995-03-02", phone="13700000001",
                          bank="6222333344445555", person_id=make_person_id("141102", born2, 246))
    ids["borrowed"] = c.person(name="贾娜", gender="F", born="1995-03-02", phone="13700000002",
                               bank="6222333344445555",
                               person_id=make_person_id("141102", born2, 802))
    # Namesakes: a common name, different birth dates and contacts.
    ids["wang1"] = c.person(name="王伟", born="1980-01-01")
    ids["wang2"] = c.person(name="王伟", born="1992-11-30")
    # Namesakes with the same birthday (and region) but their own contacts: about 5 %.
    ids["zhang1"] = c.person(name="张伟", born="1990-05-01")
    ids["zhang2"] = c.person(name="张伟", born="1990-05-01")
    # Siblings sharing the family phone: different names and birth dates.
    ids["sis"] = c.person(name="刘芳", gender="F", born="1993-04-09", phone="13655550000")
    ids["bro"] = c.person(name="刘强", born="1997-10-21", phone="13655550000")
    first = [ids[k] for k in ("real", "own", "wang1", "zhang1", "sis")]
    second = [ids[k] for k in ("typo", "borrowed", "wang2", "zhang2", "bro")]
    train_and_claim(c, "C1", first, start="2023-03-06", claim="CL1", on="2023-03-25")
    train_and_claim(c, "C2", second, start="2024-04-08", claim="CL2", on="2024-04-25",
                    amount="800.00")
    return c, ids


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory):
    c, ids = city()
    return c.frames(tmp_path_factory.mktemp("dup_identity")), ids


def test_links_the_typo_and_the_borrowed_number_only(frames) -> None:
    views, ids = frames
    assert not is_valid_person_id(ids["typo"]) and is_valid_person_id(ids["borrowed"])
    found = d.detect(views, d.Params())
    pairs = {f.person_ids for f in found}
    assert pairs == {tuple(sorted((ids["real"], ids["typo"]))),
                     tuple(sorted((ids["own"], ids["borrowed"])))}


def test_the_finding_explains_itself_field_by_field(frames) -> None:
    views, ids = frames
    f = next(x for x in d.detect(views, d.Params()) if ids["typo"] in x.person_ids)
    assert f.subject_type == "person" and f.subject_id == min(ids["real"], ids["typo"])
    assert f.claim_ids == ("CL1", "CL2") and f.class_ids == ("C1", "C2")
    assert f.institution_ids == ("I1",)
    assert f.amount_at_risk_fen == 80000  # the later record's subsidy
    levels = {w["comparison"]: w["level"] for w in f.observed["waterfall"]}
    assert levels == {"name": "exact", "birth_date": "exact", "gender": "same",
                      "phone": "exact", "bank_account": "different", "county": "same",
                      "id_number": "typo_one_invalid"}
    weights = {w["comparison"]: w["weight"] for w in f.observed["waterfall"]}
    assert weights["phone"] == pytest.approx(np.log2(0.55 / 0.0002), abs=1e-3)
    total = sum(weights.values()) + f.observed["prior_weight"]
    assert f.observed["match_weight"] == pytest.approx(total, abs=0.01)
    assert f.observed["match_probability"] >= 0.95
    assert "phone" in f.observed["blocked_by"] and "name+birth_date" in f.observed["blocked_by"]
    typo_row = next(w for w in f.observed["waterfall"] if w["comparison"] == "id_number")
    assert typo_row["difference"].startswith("digit 16:")
    assert "13912345678" not in str(f.observed)  # contacts masked
    assert f"{f.observed['match_weight']:.1f}" in f.explanation_en
    assert "800.00" in f.explanation_en and "800.00" in f.explanation_zh
    assert "手机号相同" in f.explanation_zh and "id_number typo_one_invalid" in f.explanation_en
    assert len(f.evidence_positions) >= 4


def test_namesakes_and_siblings_stay_apart(frames) -> None:
    views, ids = frames
    found = d.detect(views, d.Params(min_match_probability=d.Decimal("0.01")))
    linked = {p for f in found for p in f.person_ids}
    for key in ("wang1", "wang2", "sis", "bro"):
        assert ids[key] not in linked, key
    # The same-birthday namesakes are compared (blocked on name + birth date) but stay low.
    zhang = next(f for f in found if ids["zhang1"] in f.person_ids)
    assert zhang.observed["match_probability"] < 0.10


def test_only_when_both_records_are_subsidised(tmp_path: Path) -> None:
    c = TinyCity()
    c.institution()
    born = date(1988, 7, 14)
    real = c.person(name="李军", born="1988-07-14", phone="13912345678",
                    person_id=make_person_id("141102", born, 135))
    twin = c.person(name="李军", born="1988-07-14", phone="13912345678", person_id=typo(real))
    train_and_claim(c, "C1", [real], start="2023-03-06", claim="CL1", on="2023-03-25")
    c.klass("C2", start="2024-04-08")
    c.train("C2", [twin])  # trained, never claimed for
    assert d.detect(c.frames(tmp_path), d.Params()) == []


def test_threshold_and_blocking_come_from_the_rules(frames) -> None:
    views, _ids = frames
    assert d.detect(views, d.Params(min_match_probability=d.Decimal("0.99999999"))) == []
    # Without blocking on contacts or the ID prefix, name + birth date still finds both.
    assert len(d.detect(views, d.Params(blocking_rules=("name+birth_date",)))) == 2
    # A block of two is too big when the cap is one: nothing is compared.
    assert d.detect(views, d.Params(max_block_size=1)) == []


def test_edit_kinds() -> None:
    a = np.array(["张伟明", "1234", "1234", "王伟", "ABC", "ABC"])
    b = np.array(["张伟华", "1243", "124", "王伟伟", "ABC", "XYZ"])
    ca, la = d._chars(a)
    cb, lb = d._chars(b)
    assert list(d.edit_kind(ca, la, cb, lb)) == [1, 2, 3, 3, 0, 0]


def test_birth_date_levels() -> None:
    rec = pd.DataFrame({
        "person_id": ["a", "b", "c", "d"], "id_number": ["a", "b", "c", "d"],
        "id_valid": [True] * 4, "name": ["x"] * 4,
        "birth_date": ["1990-05-01", "1990-01-05", "1990-05-07", None],
        "gender": ["M"] * 4, "phone": [None] * 4, "bank_account": [None] * 4,
        "county": ["k"] * 4, "position": [1, 2, 3, 4]})
    got = d.compare(rec, np.array([0, 0, 0]), np.array([1, 2, 3]))
    assert list(got["birth_date"]) == ["day_month_swap", "one_digit", "null"]
    assert list(got["phone"]) == ["null"] * 3


def test_bad_levels_are_named() -> None:
    bad = replace(d.Params(), name_levels={"exact": ["0.9", "0.002"]})
    with pytest.raises(ValueError, match="name_levels"):
        d.model(bad)
    with pytest.raises(ValueError, match="blocking_rules"):
        d.model(replace(d.Params(), blocking_rules=("shoe_size",)))


def test_a_field_missing_for_everyone_is_compared_as_missing(tmp_path: Path) -> None:
    """A source that sends no bank accounts at all must not stop the rule."""
    c, ids = city()
    views = c.frames(tmp_path)
    persons = views.persons.copy()
    persons["bank_account"] = None
    views.__dict__["persons"] = persons  # the frame as such a source would project it
    found = d.detect(views, d.Params())
    assert tuple(sorted((ids["real"], ids["typo"]))) in {f.person_ids for f in found}
    f = next(x for x in found if ids["typo"] in x.person_ids)
    levels = {w["comparison"]: w["level"] for w in f.observed["waterfall"]}
    assert levels["bank_account"] == "null"

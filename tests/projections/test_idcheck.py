"""The column-wise ID checks give exactly the scalar rules' answers."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.identity import id_birth_date, id_problem, make_person_id
from projections.idcheck import id_columns


def scalar(ids: list[str]) -> tuple[list[str | None], list[str | None]]:
    born = [id_birth_date(x) for x in ids]
    return [id_problem(x) for x in ids], [b.isoformat() if b else None for b in born]


EDGE = [
    make_person_id("110101", date(1990, 3, 7), 1),  # valid
    make_person_id("110101", date(2000, 2, 29), 2),  # leap day, valid
    make_person_id("110101", date(1990, 3, 7), 1)[:17] + "X",  # wrong check character
    make_person_id("110101", date(1900, 1, 1), 5),  # first plausible year
    "11010118991231001X",  # 1899: implausible year
    "110101190002290011",  # 1900 is not a leap year
    "110101199013010011",  # month 13
    "110101199004310011",  # 31 April
    "990101199003070011",  # no such province
    "11010119900307001",  # 17 characters
    "1101011990030700111",  # 19 characters
    "11010119900307001x",  # lower-case x
    "１１0101199003070011",  # full-width digits: not ASCII
    "11010119900307A011",  # a letter among the digits
    "",
]


def test_edge_cases_agree() -> None:
    assert id_columns(EDGE) == scalar(EDGE)
    assert id_columns(EDGE)[0][0] is None  # the valid one is found valid


digits = st.text(alphabet="0123456789", min_size=17, max_size=17)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    digits.map(lambda d: d + "0123456789Xx"[sum(map(int, d)) % 12]),
    st.builds(lambda region, born, seq: make_person_id(region, born, seq),
              st.sampled_from(["110101", "141182", "320102", "650104", "820000"]),
              st.dates(date(1890, 1, 1), date(2030, 12, 31)), st.integers(0, 999)),
    st.text(max_size=20)), max_size=40))
def test_random_ids_agree(ids: list[str]) -> None:
    assert id_columns(ids) == scalar(ids)

"""Cells as exports hold them, read into the spec's values, or refused with the reason.

Each expected value is what the spec says the cell means (docs/reference/events.md),
written out by hand, not computed by the code under test.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from engine.quarantine import Reason
from imports import codes
from imports.values import Refusal, day, id_number, integer, moment, money, number, plain, year


@pytest.mark.parametrize("cell", ["2023-03-01", "2023/3/1", "2023.3.1", "2023年3月1日", "20230301",
                                  " 2023-03-01 ", "２０２３－０３－０１", "2023年03月01日",
                                  44986, 44986.0, "44986", date(2023, 3, 1),
                                  datetime(2023, 3, 1), "2023-03-01 00:00:00"])
def test_every_local_date_form_reads_as_the_same_day(cell: object) -> None:
    assert day(cell) == "2023-03-01"


@pytest.mark.parametrize("cell", ["2023-02-30", "2023/13/1", "3/1/2023", "昨天", "2023-03",
                                  "1899-12-31", 0, 44986.5, "2023-03-01 08:00"])
def test_what_is_not_a_day_is_refused_not_guessed(cell: object) -> None:
    with pytest.raises(Refusal) as refused:
        day(cell)
    assert refused.value.reason == Reason.BAD_DATE
    assert refused.value.zh and refused.value.en


@pytest.mark.parametrize(("cell", "want"), [
    ("2023-03-01 08:00", "2023-03-01T08:00:00+08:00"),
    ("2023-03-01 08:00:05", "2023-03-01T08:00:05+08:00"),
    ("2023/3/1 8:00", "2023-03-01T08:00:00+08:00"),
    ("2023.3.1 8:05:09", "2023-03-01T08:05:09+08:00"),
    ("2023年3月1日 8:00", "2023-03-01T08:00:00+08:00"),
    ("2023年3月1日8时5分", "2023-03-01T08:05:00+08:00"),
    ("20230301080509", "2023-03-01T08:05:09+08:00"),
    ("2023-03-01T08:00:00+00:00", "2023-03-01T08:00:00+00:00"),
    ("2023-03-01T08:00:00Z", "2023-03-01T08:00:00+00:00"),
    ("2023-03-01 08:00:05.250", "2023-03-01T08:00:05.250000+08:00"),
    (datetime(2023, 3, 1, 8, 0, 5), "2023-03-01T08:00:05+08:00"),
    (44986.5, "2023-03-01T12:00:00+08:00"),
    ("2023-03-01", "2023-03-01T00:00:00+08:00"),
])
def test_times_keep_their_offset_and_take_beijing_time_otherwise(cell: object, want: str) -> None:
    assert moment(cell) == want


@pytest.mark.parametrize("cell", ["2023-03-01", date(2023, 3, 1), 44986])
def test_a_check_in_needs_its_time_of_day(cell: object) -> None:
    with pytest.raises(Refusal):
        moment(cell, date_only=False)


@pytest.mark.parametrize("cell", ["2023-03-01 25:00", "2023-03-01 08:61", "08:00", time(8, 0)])
def test_impossible_times_are_refused(cell: object) -> None:
    with pytest.raises(Refusal) as refused:
        moment(cell)
    assert refused.value.reason == Reason.BAD_DATE


@pytest.mark.parametrize(("cell", "want"), [
    ("1000", "1000.00"), ("1,000.00", "1000.00"), ("1000元", "1000.00"), ("￥1000", "1000.00"),
    ("¥1,000.5", "1000.50"), ("1,000.00元", "1000.00"), (" 1000.5 ", "1000.50"),
    ("１０００", "1000.00"), (1000, "1000.00"), (1000.5, "1000.50"), (0.1 + 0.2, "0.30"),
    ("1,234,567.89元", "1234567.89"), ("RMB 700", "700.00"),
])
def test_local_money_forms_become_exact_yuan(cell: object, want: str) -> None:
    assert money(cell) == want


@pytest.mark.parametrize("cell", ["1千", "壹仟元", "10万元", "1000.005", "-100", "1.000,00",
                                  "1 000", "1,00", "1000美元", "", "abc", 1000.005, -5])
def test_money_that_is_not_plain_yuan_is_refused(cell: object) -> None:
    with pytest.raises(Refusal) as refused:
        money(cell)
    assert refused.value.reason == Reason.BAD_MONEY


def test_an_id_number_as_text_is_kept_even_when_its_checksum_fails() -> None:
    assert id_number("141123198710058468") == "141123198710058468"
    assert id_number("11010519491231002x") == "11010519491231002X"
    assert id_number(" 1411 2319 8710 0584 68 ") == "141123198710058468"
    assert id_number("１４１１２３１９８７１００５８４６８") == "141123198710058468"
    assert id_number("141123198710058469") == "141123198710058469"  # bad checksum: stored
    assert id_number("440281198603095000") == "440281198603095000"  # ends 000, check valid
    # eighteen digits ending 000 that fail the check: a real mistyped ID or a number column
    # saved as text; only the source can tell, so it is stored as written (and flagged later)
    assert id_number("141034198601150000") == "141034198601150000"


@pytest.mark.parametrize("cell", [
    141123198710058468, 1.41123198710058e17, 141123198710058000, "1.41123E+17",
    "1.41123198710058E+17", "141123198710058468.0", "11010519491231002",
])
def test_id_numbers_excel_damaged_are_flagged_never_repaired(cell: object) -> None:
    with pytest.raises(Refusal) as refused:
        id_number(cell)
    assert refused.value.reason == Reason.BAD_ID_NUMBER
    assert "141123198710058" not in refused.value.en  # the message masks the number
    assert "1101051949123" not in refused.value.en


def test_numbers_stay_exact_and_whole_numbers_whole() -> None:
    assert number("37.968858") == Decimal("37.968858")
    assert number(56.0) == 56 and isinstance(number(56.0), int)
    assert number("０.８４") == Decimal("0.84")
    assert integer("30") == 30
    with pytest.raises(Refusal):
        integer("30.5")
    with pytest.raises(Refusal):
        integer("三十")
    assert year("2023年") == 2023 and year("2023年度") == 2023 and year(2023.0) == 2023


def test_full_width_forms_and_stray_spaces_are_normalised() -> None:
    assert plain("　ＰＸ００１　") == "PX001"


@pytest.mark.parametrize(("parse", "cell", "want"), [
    (codes.GENDER, "男", "M"), (codes.GENDER, "女", "F"), (codes.GENDER, "F", "F"),
    (codes.HUKOU, "农村", "rural"), (codes.HUKOU, "城镇", "urban"),
    (codes.HUKOU, "非农业户口", "urban"),
    (codes.CATEGORY, "农村转移劳动力", "rural_transfer"),
    (codes.CATEGORY, "失业人员", "unemployed"),
    (codes.CATEGORY, "脱贫人口", "poverty_alleviated"), (codes.CATEGORY, "高校毕业生", "graduate"),
    (codes.MODE, "普惠制", "inclusive"), (codes.MODE, "订单式", "order"),
    (codes.MODE, "项目制", "project"), (codes.MODE, "企业职工", "enterprise"),
    (codes.MODE, "新型学徒制", "apprentice"), (codes.MODE, "创业培训", "entrepreneurship"),
    (codes.DIRECTION, "签到", "in"), (codes.DIRECTION, "签退", "out"),
    (codes.METHOD, "人脸识别", "face"), (codes.METHOD, "指纹", "fingerprint"),
    (codes.METHOD, "刷卡", "card"), (codes.METHOD, "手工", "manual"),
    (codes.DECISION, "通过", "approved"), (codes.DECISION, "不通过", "rejected"),
    (codes.DECISION, "部分通过", "partial"), (codes.LEVEL, "四级/中级工", 4),
    (codes.LEVEL, "高级技师", 1), (codes.LEVEL, 3, 3), (codes.YES_NO, "是", True),
    (codes.YES_NO, "否", False), (codes.YES_NO, "合格", True),
])
def test_chinese_words_map_to_the_spec_codes(parse, cell: object, want: object) -> None:
    assert parse(cell) == want


def test_an_unknown_word_is_refused_with_the_values_allowed() -> None:
    with pytest.raises(Refusal) as refused:
        codes.METHOD("飞鸽传书")
    assert refused.value.reason == Reason.UNKNOWN_VALUE
    for allowed in ("face", "fingerprint", "card", "manual"):
        assert allowed in refused.value.en
    assert "人脸识别" in refused.value.zh

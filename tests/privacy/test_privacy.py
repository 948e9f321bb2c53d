"""engine.privacy: each mask, free text by pattern and whole records by field name."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from engine.identity import make_person_id
from engine.privacy import (
    mask_account,
    mask_name,
    mask_person_id,
    mask_phone,
    mask_record,
    mask_text,
    sensitive_values,
)

PID = make_person_id("141102", date(1990, 1, 1), 123)  # 141102199001011234-like, valid
PID_MASK = PID[:6] + "********" + PID[-4:]


def test_each_mask_keeps_only_what_it_says() -> None:
    assert mask_person_id(PID) == PID_MASK
    assert mask_person_id("142301900101123") == "142301*****1123"  # an old 15-digit number
    assert mask_person_id("1234567") == "*******"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0358-8881234") == "035*****1234"
    assert mask_account("6217000011112222") == "6217********2222"
    assert mask_account("14056199815988786920") == "1405************6920"  # a 20-digit 对公 one
    assert mask_name("张三丰") == "张**" and mask_name("李军") == "李*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_masks_are_idempotent() -> None:
    for mask, value in ((mask_person_id, PID), (mask_phone, "13812345678"),
                        (mask_account, "6217000011112222"), (mask_name, "张三丰")):
        once = mask(value)
        assert once != value and mask(once) == once


def test_free_text_masks_ids_phones_and_accounts() -> None:
    text = (f"学员 {PID}（旧号 142301900101123）手机 13812345678、138-1234-5678，"
            "卡号 6217000011112222 与 6217 0000 1111 2222，对公 14056199815988786920")
    masked = mask_text(text)
    assert masked == (f"学员 {PID_MASK}（旧号 142301*****1123）手机 138****5678、138******5678，"
                      "卡号 6217********2222 与 6217***********2222，对公 1405************6920")
    assert mask_text(None) is None


def test_free_text_leaves_digests_event_ids_and_money_alone() -> None:
    digest = hashlib.sha256(b"event").hexdigest()
    for text in (digest, "rn-2023-000001", "1000.00", "amount 123456789012.50 yuan",
                 "ABC123456789012345", "tr-PY0000018", "2023-03-01T09:00:05+08:00",
                 "4-10-01-05", "PX000003;CL0000005"):
        assert mask_text(text) == text


@given(st.binary(min_size=1, max_size=64))
def test_no_sha256_hex_digest_is_touched(data: bytes) -> None:
    digest = hashlib.sha256(data).hexdigest()
    assert mask_text(f"root {digest}.") == f"root {digest}."


@given(st.dates(date(1930, 1, 1), date(2010, 12, 31)), st.integers(0, 999),
       st.sampled_from(["", " ", "，", "：", "(", "\n", "号码"]))
def test_an_id_number_in_text_never_survives(born: date, seq: int, around: str) -> None:
    pid = make_person_id("141127", born, seq)
    masked = mask_text(f"见{around}{pid}{around}核实")
    assert pid not in masked and mask_person_id(pid) in masked


def test_a_record_is_masked_by_field_name_at_any_depth() -> None:
    invalid = PID[:17]  # 17 characters: no pattern knows it, its field does
    event = {"event_id": "md-P0000001", "evidence": ["rn-2023-000001"],
             "data": {"person_id": invalid, "name": "王欣颖", "phone": "13812345678",
                      "bank_account": "6217000011112222", "amount": Decimal("300.00"),
                      "items": [{"person_id": PID, "amount": "300.00", "days": 3}]}}
    masked = mask_record(event)
    data = masked["data"]
    assert data["person_id"] == invalid[:6] + "*******" + invalid[-4:]
    assert data["name"] == "王**" and data["phone"] == "138****5678"
    assert data["bank_account"] == "6217********2222" and data["amount"] == Decimal("300.00")
    assert data["items"] == [{"person_id": PID_MASK, "amount": "300.00", "days": 3}]
    assert masked["event_id"] == "md-P0000001" and masked["evidence"] == ["rn-2023-000001"]
    assert event["data"]["name"] == "王欣颖"  # the input is not changed


def test_an_institution_name_is_not_personal_its_people_are() -> None:
    inst = {"institution_id": "JG0001", "name": "吕梁市临县新程职业培训学校",
            "credit_code": "91141102123456789X", "legal_rep_id": PID, "phone": "0358-6072201",
            "bank_account": "14051125332275931038"}
    masked = mask_record(inst)
    assert masked["name"] == inst["name"] and masked["credit_code"] == inst["credit_code"]
    assert masked["legal_rep_id"] == PID_MASK and masked["phone"] == "035*****2201"
    assert masked["bank_account"] == "1405************1038"


def test_observed_details_are_masked_whatever_the_detector_named_them() -> None:
    other = make_person_id("141102", date(1990, 1, 2), 123)
    finding = {
        "subject_type": "person", "subject_id": PID, "person_ids": [PID, other],
        "payment_ids": ["202304031230550001"], "claim_ids": ["CL1"],
        "explanation_zh": "李军（141102********1234）与 李君 疑似同一人",
        "observed": {"later_record": other, "subsidy_fen": {PID: 800, other: 900},
                     "waterfall": [{"comparison": "name", "value_l": "李军", "value_r": "李君"},
                                   {"comparison": "birth_date", "value_l": "1990-01-01"}],
                     "items": [{"person_id": PID, "claimed": 1000}],
                     "account_owner": f"person:{other}", "kind": "phone",
                     "value_masked": "13812345678"},
    }
    masked = mask_record(finding)
    o = masked["observed"]
    assert masked["subject_id"] == PID_MASK and masked["person_ids"][0] == PID_MASK
    assert masked["payment_ids"] == ["202304031230550001"]  # a long payment id is no ID number
    assert o["later_record"] == mask_person_id(other) and o["items"][0]["person_id"] == PID_MASK
    assert sorted(o["subsidy_fen"].values()) == [800, 900]  # one mask for two keys: both kept
    assert all(PID not in k and other not in k for k in o["subsidy_fen"])
    assert o["waterfall"][0] == {"comparison": "name", "value_l": "李*", "value_r": "李*"}
    assert o["waterfall"][1]["value_l"] == "1990-01-01"
    assert masked["explanation_zh"] == "李*（141102********1234）与 李* 疑似同一人"
    assert o["account_owner"] == f"person:{mask_person_id(other)}"
    assert o["value_masked"] == "138****5678"


def test_a_typed_id_is_masked_only_when_it_names_a_person() -> None:
    assert mask_record({"claimant_type": "person", "claimant_id": PID[:17]})["claimant_id"] \
        == mask_person_id(PID[:17])
    kept = {"claimant_type": "institution", "claimant_id": "202304031230550001"}
    assert mask_record(kept) == kept
    assert mask_record({"subject_type": "class", "subject_id": PID})["subject_id"] == PID_MASK


def test_known_values_are_masked_in_free_text() -> None:
    found = sensitive_values({"person_id": PID[:17], "name": "霍海娟",
                              "teacher_list": {"teacher": "李海莉"}})
    assert found == {PID[:17]: mask_person_id(PID[:17]), "霍海娟": "霍**", "李海莉": "李**"}
    note = {"reason": f"霍海娟 的号码 {PID[:17]} 有误，由 李海莉 授课"}
    assert mask_record(note, found)["reason"] == \
        f"霍** 的号码 {mask_person_id(PID[:17])} 有误，由 李** 授课"

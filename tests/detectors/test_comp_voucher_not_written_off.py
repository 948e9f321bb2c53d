"""COMP_VOUCHER_NOT_WRITTEN_OFF: redeemed, paid and never written off; expired unused is fine."""

from __future__ import annotations

from pathlib import Path

from detectors import comp_voucher_not_written_off as d
from tests.detectors.city import TinyCity, ts


def voucher(c: TinyCity, vid: str, pid: str, expires: str = "2023-12-31") -> None:
    c.add("VoucherIssued", ts("2023-02-20"), {"voucher_id": vid, "person_id": pid,
                                              "kind": "training", "occupation": "4-10-01-05",
                                              "expires_on": expires})


def city() -> tuple[TinyCity, list[str]]:
    c = TinyCity()
    c.institution()
    people = [c.person(born=f"198{i}-07-0{i + 1}") for i in range(4)]
    c.klass("C1")
    for i, p in enumerate(people[:3]):
        voucher(c, f"V{i + 1}", p)
        c.enrol("C1", p, voucher=f"V{i + 1}")
    c.sessions("C1")
    for p in people[:3]:
        c.attend("C1", p)
    c.complete("C1")
    voucher(c, "V4", people[3], expires="2023-06-30")  # issued, expired unused: fine
    for vid in ("V1", "V2"):
        c.add("VoucherRedeemed", ts("2023-03-20"), {"voucher_id": vid, "class_id": "C1",
                                                    "amount": "1000.00"})
    c.add("VoucherWrittenOff", ts("2023-05-01"), {"voucher_id": "V2"})  # closed: fine
    c.claim("CL1", [(p, "1000.00", 10) for p in people[:3]], cid="C1")
    c.review("CL1", "3000.00")
    c.pay("PAY1", "CL1", "3000.00")
    # V3 redeemed recently, still within the grace period on the last day of the data.
    c.add("VoucherRedeemed", ts("2023-08-20"), {"voucher_id": "V3", "class_id": "C1",
                                                "amount": "1000.00"})
    c.add("SpotCheckPerformed", ts("2023-09-01"), {"class_id": "C1", "inspector": "张",
                                                   "headcount_observed": 3})
    return c, people


def test_fires_on_redeemed_paid_unwritten_vouchers(tmp_path: Path) -> None:
    c, people = city()
    frames = c.frames(tmp_path)
    found = d.detect(frames, d.Params())
    assert [f.subject_id for f in found] == ["V1"]
    f = found[0]
    assert f.person_ids == (people[0],) and f.class_ids == ("C1",)
    assert f.claim_ids == ("CL1",) and f.payment_ids == ("PAY1",)
    assert f.amount_at_risk_fen == 100000 and f.observed["redeemed_on"] == "2023-03-20"
    assert f.observed["overdue_since"] == "2023-06-18"  # redeemed + 90 grace days
    assert "165 days" in f.explanation_en and "2023-09-01" in f.explanation_en
    assert "1000.00" in f.explanation_zh
    assert "PAY1" in f.explanation_en
    # A shorter grace period catches V3 too.
    assert [f.subject_id for f in d.detect(frames, d.Params(grace_days=10))] == ["V1", "V3"]


def test_its_facts_stay_put_as_time_passes(tmp_path: Path) -> None:
    """Later, unrelated data moves the data's "today": the finding must not change
    (a dismissed finding would reopen, a stream would alert again every day)."""
    c, _ = city()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = d.detect(c.frames(tmp_path / "a"), d.Params())
    c.person(name="后来者", born="1991-01-01")
    c.add("PersonUpdated", ts("2023-12-01"), {"person_id": c.events[-1]["data"]["person_id"],
                                              "phone": "13900000000"})
    after = d.detect(c.frames(tmp_path / "b"), d.Params())
    assert [f.subject_id for f in before] == ["V1"]
    v1 = next(f for f in after if f.subject_id == "V1")  # later vouchers may fall due too
    assert "2023-12-01" in v1.explanation_en  # the text says how long it has been now
    assert v1.facts_digest() == before[0].facts_digest()

"""DUP_IMPOSSIBLE_TRAVEL fires on check-ins 130 km apart within 30 minutes, not on GPS noise."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from detectors import dup_impossible_travel as d
from tests.detectors.city import TinyCity, ts

LISHI = (37.5177, 111.1431)
TAIYUAN = (37.8706, 112.5489)  # about 130 km east


def checkin(c: TinyCity, cid: str, pid: str, when: str, where: tuple[float, float] | None,
            direction: str = "in") -> None:
    data = {"class_id": cid, "person_id": pid, "direction": direction, "method": "face",
            "device_id": f"DEV-{cid}", "face_score": 0.9}
    if where:
        data["lat"], data["lon"] = where
    c.add("AttendanceRecorded", when, data)


def city() -> tuple[TinyCity, dict[str, str]]:
    c = TinyCity()
    c.institution("I1")
    c.institution("I2", county="小店区")
    who = {k: c.person(born=f"198{i}-0{i + 1}-0{i + 1}")
           for i, k in enumerate(("twice", "venue", "overnight", "noise"))}
    c.klass("C1", institution="I1", start="2023-03-06", days=5, lat=LISHI[0], lon=LISHI[1])
    c.klass("C2", institution="I2", start="2023-03-06", days=5, lat=TAIYUAN[0],
            lon=TAIYUAN[1], venue="太原市小店区长风街8号")
    for pid in who.values():
        c.enrol("C1", pid)
        c.enrol("C2", pid)
    day = "2023-03-07"
    # Checked in at Lishi 08:20 and at Taiyuan 08:50: 130 km in 30 minutes.
    checkin(c, "C1", who["twice"], ts(day, 8, 20), LISHI)
    checkin(c, "C2", who["twice"], ts(day, 8, 50), TAIYUAN)
    # No GPS on either record: the class venues stand in.
    checkin(c, "C1", who["venue"], ts(day, 8, 5), None)
    checkin(c, "C2", who["venue"], ts(day, 9, 0), None)
    # Lishi in the morning, Taiyuan the next morning: a drive, not an impossibility.
    checkin(c, "C1", who["overnight"], ts(day, 8, 10), LISHI)
    checkin(c, "C2", who["overnight"], ts("2023-03-08", 8, 10), TAIYUAN)
    # GPS noise: 11 km off one minute later, below the 20 km floor.
    checkin(c, "C1", who["noise"], ts(day, 8, 15), LISHI)
    checkin(c, "C1", who["noise"], ts(day, 8, 16), (LISHI[0] + 0.1, LISHI[1]), "out")
    c.claim("CL1", [(p, "500.00", 5) for p in who.values()], cid="C1", on="2023-03-20")
    c.claim("CL2", [(who["twice"], "600.00", 5)], cid="C2", claimant="I2", on="2023-03-20")
    return c, who


def test_fires_on_an_impossible_hop(tmp_path: Path) -> None:
    c, who = city()
    findings = d.detect(c.frames(tmp_path), d.Params())
    assert sorted(f.subject_id for f in findings) == sorted([who["twice"], who["venue"]])
    f = next(f for f in findings if f.subject_id == who["twice"])
    assert f.class_ids == ("C1", "C2") and f.institution_ids == ("I1", "I2")
    assert f.claim_ids == ("CL1", "CL2")
    assert f.amount_at_risk_fen == 60000  # C2 (the later class id on the same start)
    assert 125 < f.observed["max_km"] < 135 and f.observed["minutes"] == 30
    assert 250 < f.observed["max_kmh"] < 270
    assert "30 minutes later" in f.explanation_en and "130 km" in f.explanation_en
    assert "130 公里" in f.explanation_zh
    assert len(f.evidence_positions) >= 4  # both check-ins, both classes, claims


def test_missing_coordinates_use_the_venue(tmp_path: Path) -> None:
    c, who = city()
    f = next(f for f in d.detect(c.frames(tmp_path), d.Params()) if f.subject_id == who["venue"])
    assert f.observed["minutes"] == 55 and f.amount_at_risk_fen == 0


def test_overnight_travel_and_gps_noise_stay_silent(tmp_path: Path) -> None:
    c, who = city()
    found = {f.subject_id for f in d.detect(c.frames(tmp_path), d.Params())}
    assert who["overnight"] not in found and who["noise"] not in found


def test_thresholds_come_from_the_rules(tmp_path: Path) -> None:
    c, _ = city()
    assert d.detect(c.frames(tmp_path), d.Params(max_speed_kmh=Decimal("300"))) == []
    noisy = d.detect(c.frames(tmp_path), d.Params(min_distance_km=Decimal("5")))
    assert len(noisy) == 3

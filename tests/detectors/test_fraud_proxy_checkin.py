"""FRAUD_PROXY_CHECKIN fires on repeated bursts or low-score bursts, not on one morning queue."""

from __future__ import annotations

from pathlib import Path

from detectors import fraud_proxy_checkin as d
from tests.detectors.city import TinyCity, ts


def burst(c: TinyCity, cid: str, pids: list[str], day: str, *, device: str,
          face: float, gap: int = 4) -> None:
    """Everyone checked in on one device, ``gap`` seconds apart, from 08:00:00."""
    for i, pid in enumerate(pids):
        c.add("AttendanceRecorded", ts(day, 8, (i * gap) // 60, (i * gap) % 60),
              {"class_id": cid, "person_id": pid, "direction": "in", "method": "face",
               "device_id": device, "face_score": face})


def group(c: TinyCity, cid: str, n: int, start: str) -> list[str]:
    c.klass(cid, start=start)
    pids = [c.person(born=f"19{70 + i}-0{1 + i % 9}-1{i % 9}") for i in range(n)]
    for pid in pids:
        c.enrol(cid, pid)
    c.sessions(cid)
    return pids


def city() -> tuple[TinyCity, list[str], list[str], list[str]]:
    c = TinyCity()
    c.institution()
    # C1: 10 trainees checked in within 40 s on one phone on 3 days, good face scores.
    p1 = group(c, "C1", 10, "2023-03-06")
    days1 = c.class_days("C1")
    for day in days1[:3]:
        burst(c, "C1", p1, day, device="PHONE-1", face=0.91)
    for pid in p1:
        c.attend("C1", pid, days1[3:], device="GATE-1")
    # C2: one burst day with photo-of-photo scores.
    p2 = group(c, "C2", 9, "2023-04-03")
    days2 = c.class_days("C2")
    burst(c, "C2", p2, days2[0], device="PHONE-2", face=0.42)
    for pid in p2:
        c.attend("C2", pid, days2[1:], device="GATE-2")
    # C3 (look-alike): a morning queue at the gate on one day, good scores, then a trickle.
    p3 = group(c, "C3", 10, "2023-05-08")
    days3 = c.class_days("C3")
    burst(c, "C3", p3, days3[0], device="GATE-3", face=0.95, gap=5)
    for pid in p3:
        c.attend("C3", pid, days3[1:], device="GATE-3")
    c.claim("CL1", [(p, "1000.00", 10) for p in p1], cid="C1")
    c.claim("CL2", [(p, "1000.00", 10) for p in p2], cid="C2", on="2023-04-20")
    c.claim("CL3", [(p, "1000.00", 10) for p in p3], cid="C3", on="2023-05-25")
    return c, p1, p2, p3


def test_fires_on_repeated_and_low_score_bursts_not_on_a_queue(tmp_path: Path) -> None:
    c, p1, p2, _p3 = city()
    findings = {f.subject_id: f for f in d.detect(c.frames(tmp_path), d.Params())}
    assert set(findings) == {"C1", "C2"}
    f = findings["C1"]
    assert f.subject_type == "class" and f.person_ids == tuple(sorted(p1))
    assert f.amount_at_risk_fen == 1000000 and f.claim_ids == ("CL1",)
    assert f.observed["burst_days"] == 3 and f.observed["max_persons_in_window"] == 10
    assert "on 3 day(s)" in f.explanation_en and "10 trainees within 60 seconds" in f.explanation_en
    assert "PHONE-1" in f.explanation_zh and "3 天" in f.explanation_zh
    assert len(f.evidence_positions) >= 30 + 1  # 3 bursts of 10 check-ins and the claim
    g = findings["C2"]
    assert g.person_ids == tuple(sorted(p2)) and g.amount_at_risk_fen == 900000
    assert g.observed["burst_days"] == 1 and g.observed["median_face_score"] == 0.42
    assert "below 0.60" in g.explanation_en and "0.42 < 0.60" in g.explanation_zh


def test_thresholds_come_from_the_rules(tmp_path: Path) -> None:
    c, *_ = city()
    views = c.frames(tmp_path)
    assert [f.subject_id for f in d.detect(views, d.Params(min_burst_days=1))] == \
        ["C1", "C2", "C3"]
    assert d.detect(views, d.Params(burst_min_persons=11)) == []


def test_a_busy_shared_gate_is_not_a_burst(tmp_path: Path) -> None:
    """Two classes queue through one terminal, 6 s apart in all: 10 a minute, 5 per class."""
    c = TinyCity()
    c.institution()
    a = group(c, "CA", 10, "2023-03-06")
    b = group(c, "CB", 10, "2023-03-06")
    for day in c.class_days("CA")[:4]:
        for i in range(10):
            for j, (cid, pid) in enumerate((("CA", a[i]), ("CB", b[i]))):
                sec = i * 12 + j * 6
                c.add("AttendanceRecorded", ts(day, 8, sec // 60, sec % 60), {
                    "class_id": cid, "person_id": pid, "direction": "in", "method": "face",
                    "device_id": "GATE", "face_score": 0.9})
    views = c.frames(tmp_path)
    assert d.detect(views, d.Params()) == []
    assert [f.subject_id for f in d.detect(views, d.Params(burst_min_persons=5))] == \
        ["CA", "CB"]

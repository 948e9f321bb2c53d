"""A stream cycle sees only what every partition has passed: no finding raised early
from one partition running ahead, and a drained stream ends seeing everything."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from detectors.rules import load_rules
from engine.parse import parse_line
from engine.store.factory import open_store
from findings.detection import run_detection
from projections.horizon import Horizon
from projections.projector import engine_for
from projections.views import Views
from services.workbench import Workbench
from streams.follow import Follower
from streams.lease import Lease
from streams.progress import Mark, PartitionProgress, low_watermark
from streams.settings import KafkaSettings
from tests.projections.scenario import events

ASSESSMENT = "sc-0030"  # without it, the scenario's certificate has no assessment
TOPIC = "city"


def _us(iso: str) -> int:
    return int(pd.Timestamp(iso).timestamp() * 1e6)


def test_low_watermark_is_the_slowest_partition_still_moving() -> None:
    now = 1_000_000_000
    marks = [Mark(0, 500, now - 1_000_000), Mark(1, 300, now - 2_000_000),
             Mark(2, 100, now - 9_000_000)]  # partition 2 silent for 9 s
    assert low_watermark(marks, now, idle_s=5) == 300
    assert low_watermark(marks, now, idle_s=10) == 100
    assert low_watermark(marks, now, idle_s=0.5) is None  # all silent: nothing waits
    assert low_watermark([], now, idle_s=5) is None


@pytest.mark.parametrize("url_fixture", ["sqlite_url",
                                         pytest.param("pg_url", marks=pytest.mark.postgres)])
def test_marks_move_forward_only(url_fixture: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue(url_fixture)
    progress = PartitionProgress(engine_for(url), TOPIC)
    progress.record({0: 500, 1: 300})
    progress.record({1: 200, 2: 50})  # a late event on 1 is no step back
    assert {m.partition: m.recorded_upto_us for m in progress.marks()} == {0: 500, 1: 300,
                                                                           2: 50}
    assert PartitionProgress(engine_for(url), "other").marks() == []


def test_a_horizon_hides_recent_rows_recorded_after_it() -> None:
    frame = pd.DataFrame({"position": [1, 2, 3, 4], "recorded_us": [10, 30, 20, 40],
                          "x": list("abcd")})
    seen = Horizon(recorded_upto_us=20, settled_upto=2).visible(frame)
    assert seen["x"].tolist() == ["a", "b", "c"]  # b is late but was stored long ago
    assert seen.index.tolist() == [0, 1, 2]
    assert not Horizon(20).applies_to("rm_findings") and Horizon(20).applies_to("rm_claims")


def _store(url: str, lines: list[bytes]) -> None:
    store = open_store(url)
    try:
        store.append([parse_line(line, "kafka:city/0", n) for n, line in enumerate(lines, 1)])
    finally:
        store.close()


def _follower(url: str, tmp_path: Path) -> Follower:
    rules = tmp_path / "rules.toml"
    rules.write_text("[stream]\npartition_idle_s = 1.5\n")
    return Follower(Workbench.held_open(url, str(rules)), Lease(url),
                    KafkaSettings("127.0.0.1:1", topic=TOPIC, alerts_topic=None))


def _codes(url: str) -> set[str]:
    """The codes of every finding ever raised (current or not)."""
    return set(Views(engine_for(url)).rows("rm_findings")["code"])


def test_a_partition_running_ahead_raises_nothing_early(tmp_path: Path) -> None:
    evs = events()
    late = next(e for e in evs if e["event_id"] == ASSESSMENT)
    early = [json.dumps(e).encode() for e in evs if e is not late]
    behind = _us(late["occurred_at"]) - 1  # partition 1 has not reached the assessment

    # the control: the same log without marks, as before the horizon existed
    control = f"sqlite:///{tmp_path / 'control.db'}"
    _store(control, early)
    follower = _follower(control, tmp_path)
    assert follower.cycle()
    assert "FRAUD_CERT_TIMING" in _codes(control)  # raised early, withdrawn later
    follower.close(final=False)

    url = f"sqlite:///{tmp_path / 'stream.db'}"
    _store(url, early)
    progress = PartitionProgress(engine_for(url), TOPIC)
    progress.record({0: max(_us(e.get("recorded_at", e["occurred_at"])) for e in evs),
                     1: behind})
    follower = _follower(url, tmp_path)
    assert follower.cycle()
    assert follower.horizon is not None and not follower.caught_up()
    assert "FRAUD_CERT_TIMING" not in _codes(url)

    _store(url, [json.dumps(late).encode()])  # the assessment arrives on partition 1
    progress.record({1: _us(late["occurred_at"])})
    assert follower.cycle()
    time.sleep(1.6)  # then every partition falls silent: nothing waits any more
    assert follower.cycle()
    assert follower.horizon is None and follower.caught_up()
    follower.close(final=False)

    assert "FRAUD_CERT_TIMING" not in _codes(url)  # never raised, so never withdrawn
    batch = f"sqlite:///{tmp_path / 'batch.db'}"
    _store(batch, [json.dumps(e).encode() for e in evs])
    run_detection(open_store(batch), engine_for(batch), load_rules(None))
    assert _current(url) == _current(batch)


def _current(url: str) -> set[str]:
    """Finding ids whose latest event is a raise (not a withdrawal)."""
    with engine_for(url).connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT finding_id, position, 1 FROM rm_findings UNION ALL "
            "SELECT finding_id, position, 0 FROM rm_findings_withdrawn ORDER BY 2")).fetchall()
    return {fid for fid, raised in {f: r for f, _, r in rows}.items() if raised}


def test_a_batch_knows_each_partitions_latest_recording_time() -> None:
    from collections import namedtuple

    from streams.consume import to_events

    Record = namedtuple("Record", "topic partition offset key value")
    evs = events()[:6]
    records = [Record(TOPIC, n % 2, n, None, json.dumps(e).encode())
               for n, e in enumerate(evs)]
    records.append(Record(TOPIC, 1, 99, None, b"{not json"))  # quarantined, counts nowhere
    batch = to_events(records)
    want = {p: max(_us(e.get("recorded_at", e["occurred_at"]))
                   for n, e in enumerate(evs) if n % 2 == p) for p in (0, 1)}
    assert batch.upto == want and len(batch.bad) == 1 and len(batch.events) == 6


def test_rows_stored_settle_s_ago_show_whatever_their_time(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'settle.db'}"
    _store(url, [json.dumps(events()[0]).encode()])
    PartitionProgress(engine_for(url), TOPIC).record({0: 1_000})
    follower = _follower(url, tmp_path)  # settle_s: the default 30 s
    seen = [follower.next_horizon(head, now) for now, head in
            [(0.0, 10), (10.0, 20), (29.0, 25), (31.0, 30), (41.0, 40), (70.0, 40)]]
    # at 70 s, the newest head seen 30 s before or more is the one seen at 31 s
    assert [h.settled_upto for h in seen if h] == [0, 0, 0, 10, 20, 30]
    assert {h.recorded_upto_us for h in seen if h} == {1_000}
    follower.close(final=False)

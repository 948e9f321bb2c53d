"""Keep projections and findings current behind a stream, and publish alerts.

Runs beside the storing loop (a thread of the consumer process) and acts only
while it holds the detection lease, so a group of consumers derives each change
once. A cycle: apply new events to the read models, run every detector, record
what is new, changed or withdrawn, and send those as alerts. Detection runs when
the log has grown since the last cycle, at most once per ``interval`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from kafka import KafkaProducer

from detectors.rules import Rules
from engine.store.base import EventStore
from findings.detection import run_detection
from projections.projector import Projector
from projections.views import Views
from streams.alerts import (
    alerts_after,
    latest_alert_position,
    outbox_position,
    send_alerts,
    set_outbox_position,
)
from streams.lease import Lease
from streams.settings import KafkaSettings

log = logging.getLogger("skillaudit.streams")


@dataclass
class FollowSummary:
    cycles: int = 0
    detections: int = 0
    raised: int = 0
    withdrawn: int = 0
    alerts: int = 0
    last_cycle_s: float = 0.0

    def as_json(self) -> dict[str, object]:
        return {"detection_cycles": self.detections, "findings_new_or_changed": self.raised,
                "findings_withdrawn": self.withdrawn, "alerts_sent": self.alerts,
                "last_cycle_seconds": round(self.last_cycle_s, 3)}


class Follower:
    """Project → detect → alert, in whichever consumer holds the lease."""

    def __init__(self, store: EventStore, engine: sa.Engine, rules: Rules, lease: Lease,
                 settings: KafkaSettings | None, *, interval: float = 1.0):
        self.store = store
        self.engine = engine
        self.rules = rules
        self.lease = lease
        self.settings = settings
        self.interval = interval
        self.summary = FollowSummary()
        self.detected_upto = -1  # store head that the last detection fully covered
        self._producer: KafkaProducer | None = None
        self._stop = threading.Event()
        self._outbox_ready = False
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.leading = False

    # -- one cycle ----------------------------------------------------------------------------

    def caught_up(self) -> bool:
        """Nothing stored since the last detection (or another consumer is the leader)."""
        return not self.leading or self.store.head().position <= self.detected_upto

    def cycle(self) -> bool:
        """Run one cycle if this process leads and the log grew; True when it detected."""
        self.summary.cycles += 1
        self.leading = self.lease.acquire()
        if not self.leading:
            return False
        head = self.store.head().position
        if head <= self.detected_upto:
            return False
        started = time.perf_counter()
        self._prepare_outbox()
        report = run_detection(self.store, self.engine, self.rules, record_unchanged=False)
        after = self.store.head().position
        # covered everything up to `after` unless other consumers stored meanwhile
        self.detected_upto = after if after == report.head_position + report.appended \
            else report.head_position
        s = self.summary
        s.detections += 1
        s.raised += report.new + report.changed
        s.withdrawn += report.withdrawn
        self.publish_alerts()
        s.last_cycle_s = time.perf_counter() - started
        if report.new or report.changed or report.withdrawn:
            log.info("detection: %d new, %d changed, %d withdrawn findings in %.2f s "
                     "(log position %d) / 检测完成", report.new, report.changed,
                     report.withdrawn, s.last_cycle_s, report.head_position)
        return True

    def _prepare_outbox(self) -> None:
        """A new alerts outbox starts after the findings already in the log (batch runs
        before streaming began are listed by `findings`, not re-sent as alerts)."""
        if self._outbox_ready or self.settings is None or not self.settings.alerts_topic:
            return
        Projector(self.engine).run()
        outbox_position(self.engine, self.settings.alerts_topic,
                        latest_alert_position(Views(self.engine)))
        self._outbox_ready = True

    def publish_alerts(self) -> int:
        """Send findings raised or withdrawn since the outbox position, then move it."""
        if self.settings is None or not self.settings.alerts_topic:
            return 0
        topic = self.settings.alerts_topic
        Projector(self.engine).run()
        alerts = alerts_after(Views(self.engine), outbox_position(self.engine, topic, 0))
        if not alerts:
            return 0
        if self._producer is None:
            self._producer = KafkaProducer(**self.settings.producer_config())
        send_alerts(self._producer, topic, alerts)
        set_outbox_position(self.engine, topic, alerts[-1][0])
        self.summary.alerts += len(alerts)
        return len(alerts)

    # -- in a thread --------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="skillaudit-follow",
                                        daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.cycle()
            except Exception as exc:  # logged; the next cycle retries
                self.error = exc
                log.exception("detection cycle failed (it is retried): %s", exc)
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def stop(self, *, final: bool = True) -> None:
        """Stop the thread; with ``final``, run one last cycle so findings cover the log."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if final:
            self.cycle()
        if self._producer is not None:
            self._producer.close(timeout=5)
        self.lease.release()

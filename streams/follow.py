"""Keep projections and findings current behind a stream, and publish alerts.

Runs beside the storing loop (``FollowerProcess``, a child of the consumer) and acts only
while it holds the detection lease, so a group of consumers derives each change
once. A cycle: apply new events to the read models, run every detector, record
what is new, changed or withdrawn, and send those as alerts. Detection runs when
the log has grown since the last cycle, at most once per ``interval`` seconds.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer

from engine.processes import sigint_ignored
from projections.cache import RowCache
from projections.horizon import Horizon
from services.actor import SYSTEM
from services.detection import detect_cycle, finding_changes, latest_change_position
from services.ingestion import log_head
from services.workbench import Workbench
from streams.alerts import (
    outbox_position,
    send_alerts,
    set_outbox_position,
)
from streams.lease import Lease
from streams.progress import PartitionProgress, low_watermark
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
    frozen: int = 0  # objects kept out of the collector's full passes (``freeze_heap``)

    def as_json(self) -> dict[str, object]:
        return {"detection_cycles": self.detections, "findings_new_or_changed": self.raised,
                "findings_withdrawn": self.withdrawn, "alerts_sent": self.alerts,
                "last_cycle_seconds": round(self.last_cycle_s, 3),
                "heap_frozen_objects": self.frozen}


class Follower:
    """Project → detect → alert, in whichever consumer holds the lease."""

    def __init__(self, workbench: Workbench, lease: Lease, settings: KafkaSettings | None, *,
                 workers: int = 1):
        self.workbench = workbench
        engine, rules = workbench.engine, workbench.rules
        self.workers = workers
        self._weights: dict[str, float] = {}  # seconds per detector last time, to balance
        self.engine = engine
        self.rules = rules
        self.lease = lease
        self.settings = settings
        self.summary = FollowSummary()
        self.detected_upto = -1  # store head that the last detection covered
        self.full_upto = -1  # … and the last one that ran every rule
        self.slow_codes = frozenset(rules.stream.get("slow_codes", ()))
        self.slow_every_s = float(rules.stream.get("slow_every_s", 0))
        self._last_full = -float("inf")
        self._producer: KafkaProducer | None = None
        self._outbox_ready = False
        self.leading = False
        self.rows = RowCache()  # read models are read whole once, then only their new rows
        self.progress = PartitionProgress(engine, settings.topic) if settings else None
        self.idle_s = float(rules.stream.get("partition_idle_s", 5))
        self.settle_s = float(rules.stream.get("settle_s", 30))
        self._watermark = -1  # only ever moves forward: what was shown is never hidden again
        self._heads: deque[tuple[float, int]] = deque()  # (when seen, store head)
        self.horizon: Horizon | None = None  # the last cycle's

    # -- one cycle ----------------------------------------------------------------------------

    def caught_up(self) -> bool:
        """Nothing stored since the last detection, nothing held back by the horizon
        (or another consumer is the leader)."""
        return not self.leading or (log_head(self.workbench, SYSTEM) <= self.detected_upto
                                    and self.horizon is None)

    def next_horizon(self, head: int, now: float) -> Horizon | None:
        """The rows this cycle may see: those recorded up to the partitions' low
        watermark, and any stored ``settle_s`` ago or more; None when nothing waits."""
        if self.progress is None:
            return None
        self._heads.append((now, head))
        while len(self._heads) > 1 and now - self._heads[1][0] >= self.settle_s:
            self._heads.popleft()  # heads only grow: the last one old enough is the largest
        seen_at, seen = self._heads[0]
        settled = seen if now - seen_at >= self.settle_s else 0
        mark = low_watermark(self.progress.marks(), int(time.time() * 1e6), self.idle_s)
        if mark is None:
            return None
        self._watermark = max(self._watermark, mark)
        return Horizon(self._watermark, settled)

    def cycle(self, *, full: bool | None = None, whole: bool = False) -> bool:
        """Run one cycle if this process leads and there is something to detect.

        Population models (``[stream] slow_codes``) run only in a full cycle, due
        every ``slow_every_s`` seconds (or when ``full`` says so); other rules run on
        every cycle. Withdrawals only ever concern the rules that ran. A cycle sees
        what every partition has passed (``next_horizon``); ``whole`` (the last cycle
        before stopping) sees everything.
        """
        self.summary.cycles += 1
        self.leading = self.lease.acquire()
        if not self.leading:
            return False
        head = log_head(self.workbench, SYSTEM)
        now = time.monotonic()
        horizon = None if whole else self.next_horizon(head, now)
        if full is None:
            full = not self.slow_codes or now - self._last_full >= self.slow_every_s
        if head <= self.detected_upto and horizon == self.horizon \
                and (not full or self.full_upto >= head):
            return False
        started = time.perf_counter()
        self._prepare_outbox()
        codes = None if full else self._fast_codes()
        report = detect_cycle(self.workbench, SYSTEM, codes=codes, cache=self.rows,
                              workers=self.workers, weights=self._weights, horizon=horizon)
        self.horizon = horizon
        self._weights.update(report.seconds)
        after = log_head(self.workbench, SYSTEM)
        # covered everything up to `after` unless other consumers stored meanwhile
        covered = after if after == report.head_position + report.appended \
            else report.head_position
        self.detected_upto = covered
        if full:
            self.full_upto, self._last_full = covered, now
        s = self.summary
        s.detections += 1
        s.raised += report.new + report.changed
        s.withdrawn += report.withdrawn
        self.publish_alerts()
        s.last_cycle_s = time.perf_counter() - started
        if report.new or report.changed or report.withdrawn:
            log.info("detection%s: %d new, %d changed, %d withdrawn findings in %.2f s "
                     "(log position %d) / 检测完成", " (all rules)" if full else "",
                     report.new, report.changed, report.withdrawn, s.last_cycle_s,
                     report.head_position)
        return True

    def _fast_codes(self) -> list[str]:
        from detectors.registry import registry

        return [code for code in registry() if code not in self.slow_codes]

    def _prepare_outbox(self) -> None:
        """A new alerts outbox starts after the findings already in the log (batch runs
        before streaming began are listed by `findings`, not re-sent as alerts)."""
        if self._outbox_ready or self.settings is None or not self.settings.alerts_topic:
            return
        outbox_position(self.engine, self.settings.alerts_topic,
                        latest_change_position(self.workbench, SYSTEM))
        self._outbox_ready = True

    def publish_alerts(self) -> int:
        """Send findings raised or withdrawn since the outbox position, then move it."""
        if self.settings is None or not self.settings.alerts_topic:
            return 0
        topic = self.settings.alerts_topic
        after = outbox_position(self.engine, topic, 0)
        alerts = finding_changes(self.workbench, SYSTEM, after)
        if not alerts:
            return 0
        if self._producer is None:
            self._producer = KafkaProducer(**self.settings.producer_config())
        send_alerts(self._producer, topic, alerts)
        set_outbox_position(self.engine, topic, alerts[-1][0])
        self.summary.alerts += len(alerts)
        return len(alerts)

    def close(self, *, final: bool = True) -> None:
        """With ``final``, run one last full cycle so findings cover the log; release all."""
        if final:
            self.cycle(full=True, whole=True)
        if self._producer is not None:
            self._producer.close(timeout=5)
        self.rows.close()
        self.lease.release()
        self.workbench.close(release=True)


class FollowerProcess:
    """The follower in a child process, so detection never holds the storing loop's GIL.

    The child exits when told to (after a last full cycle) or when it notices its
    parent is gone (a SIGKILLed consumer), which releases the lease for another.
    """

    def __init__(self, db_url: str, rules_path: str | None, settings: KafkaSettings | None,
                 *, interval: float = 1.0, workers: int = 1):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._stop = ctx.Event()
        self._caught_up = ctx.Event()
        self._receiver, sender = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(
            target=_follow_main, name="skillaudit-follow", daemon=True,
            args=(db_url, rules_path, settings, interval, workers, self._stop, self._caught_up,
                  sender, os.getpid()))
        self.summary: dict[str, object] = {}

    def start(self) -> None:
        with sigint_ignored():  # Ctrl-C is the consumer's: it asks for a last cycle, then stops
            self.proc.start()

    def caught_up(self) -> bool:
        return self._caught_up.is_set() or not self.proc.is_alive()

    def stop(self, *, timeout: float = 600.0) -> dict[str, object]:
        """Ask for a last full cycle and the summary; wait for the child to end."""
        self._stop.set()
        if self._receiver.poll(timeout):
            with contextlib.suppress(EOFError):
                self.summary = self._receiver.recv()
        self.proc.join(timeout=30)
        if self.proc.is_alive():
            self.proc.kill()
        return self.summary


def _follow_main(db_url: str, rules_path: str | None, settings: KafkaSettings | None,
                 interval: float, workers: int, stop: Any, caught_up: Any, sender: Any,
                 parent: int) -> None:
    """Child process: cycle until stopped or orphaned, then report the summary."""
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    workbench = Workbench.held_open(db_url, rules_path)
    use_string_storage(workbench.rules.stream.get("string_storage", "python"))
    follower = Follower(workbench, Lease(db_url), settings, workers=workers)
    orphaned = False
    try:
        while not stop.is_set():
            if os.getppid() != parent:
                orphaned = True
                break
            started = time.monotonic()
            try:
                follower.cycle()
            except Exception as exc:  # logged; the next cycle retries
                log.exception("detection cycle failed (it is retried): %s", exc)
            if not follower.summary.frozen and follower.summary.detections:
                follower.summary.frozen = freeze_heap()  # after the first cycle read it all
            (caught_up.set if follower.caught_up() else caught_up.clear)()
            stop.wait(max(0.0, interval - (time.monotonic() - started)))
        if not orphaned:
            follower.cycle(full=True, whole=True)
    finally:
        follower.close(final=False)
        with contextlib.suppress(OSError):
            sender.send(follower.summary.as_json())
        sender.close()


def freeze_heap() -> int:
    """Keep every object alive now out of the garbage collector's full passes; how many.

    Called once in the follower's process, after its first cycle has imported every
    module and read every table. Before, a full collection walked those 200,000 or so
    long-lived objects (mostly the modules' functions, classes and tuples; a frame's
    columns are not tracked) every three to five cycles, 100–290 ms each time, on top
    of whichever cycle it fell in. Each forked detect worker ran its own full
    collection too, and copied every page it touched. After the freeze, a full
    collection sees only what was made since: 5–40 ms. Reference counting still frees
    the frozen objects that are let go. Only a reference cycle among them would never
    be collected, and the collection just before the freeze has cleared every cycle
    that was garbage then.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def use_string_storage(storage: str) -> None:
    """Set how this process's frames hold text (``[stream] string_storage``, checked when
    the rules file is read).

    Only in the follower's own process: a cycle is thousands of small pandas operations,
    and taking or hashing arrow-backed strings costs more per call than object arrays.
    The detectors' findings are the same either way (``tests/detectors``).
    """
    import pandas as pd

    pd.set_option("mode.string_storage", storage)

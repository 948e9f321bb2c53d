"""CLI commands for Kafka: ``skillaudit publish`` and ``skillaudit consume``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from typing import Any

BOOTSTRAP_ENV = "SKILLAUDIT_BOOTSTRAP"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    from skillaudit.args import add_db
    from streams.settings import DEFAULT_ALERTS, DEFAULT_GROUP, DEFAULT_TOPIC

    def common(s: argparse.ArgumentParser) -> None:
        s.add_argument("--bootstrap", default=os.environ.get(BOOTSTRAP_ENV, "localhost:9092"),
                       metavar="HOST:PORT[,…]",
                       help=f"Kafka brokers (default ${BOOTSTRAP_ENV} or localhost:9092)")
        s.add_argument("--topic", default=DEFAULT_TOPIC, help=f"events topic ({DEFAULT_TOPIC})")
        s.add_argument("--partitions", type=int, default=12,
                       help="partitions when the topic has to be created (12)")
        s.add_argument("--json", action="store_true", help="print the summary as JSON")
        s.add_argument("-v", "--verbose", action="store_true",
                       help="also show kafka-python's own log lines")

    s = sub.add_parser("publish", help="send JSONL events to a Kafka topic 发布事件到 Kafka")
    s.add_argument("files", nargs="+", metavar="FILE", help="JSONL files (.gz ok, - = stdin)")
    common(s)
    s.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="keep retrying a message this long before reporting it unsent (120)")
    s.add_argument("--unsent", metavar="FILE",
                   help="where lines that could not be sent are written (default "
                        "unsent-<time>.jsonl)")
    s.set_defaults(func=cmd_publish)

    s = sub.add_parser("consume", help="store events from Kafka; detect; send alerts 消费事件")
    common(s)
    add_db(s)
    s.add_argument("--group", default=DEFAULT_GROUP, help=f"consumer group ({DEFAULT_GROUP})")
    s.add_argument("--dlq-topic", help="dead-letter topic (default <topic>.dlq)")
    s.add_argument("--alerts-topic", default=DEFAULT_ALERTS,
                   help=f"where findings are published ({DEFAULT_ALERTS})")
    s.add_argument("--no-alerts", action="store_true", help="publish no alerts")
    s.add_argument("--no-detect", action="store_true",
                   help="only store (a consumer with detection, or `skillaudit detect`, "
                        "finds the findings)")
    s.add_argument("--detect-interval", type=float, default=1.0, metavar="SECONDS",
                   help="at most one detection run per this many seconds (1)")
    s.add_argument("--detect-workers", type=int, default=min(2, os.cpu_count() or 1),
                   metavar="N", help="processes the detectors are split over (2, or 1 on "
                                     "one core); the frames are loaded once and shared")
    s.add_argument("--rules", help="TOML rules merged over the defaults")
    s.add_argument("--exit-when-idle", type=float, metavar="SECONDS",
                   help="stop after no message came for this long once the group assigned "
                        "partitions (and detection caught up); exit 1 if nothing was consumed")
    s.add_argument("--heartbeat-file", metavar="PATH",
                   help="touched every second while running (for container health checks)")
    s.add_argument("--batch", type=int, default=5_000, help="most messages per poll (5000)")
    s.add_argument("--parse-helper-min", type=int, default=1_000, metavar="N",
                   help="polls of at least N messages (a backlog) are validated in a helper "
                        "process while the one before is stored (1000; 0: never)")
    timing = "consumer-group timing (Kafka's default; lower it for faster group joins)"
    s.add_argument("--max-poll-interval-ms", type=int, default=300_000, help=timing)
    s.add_argument("--session-timeout-ms", type=int, default=45_000, help=timing)
    s.add_argument("--heartbeat-interval-ms", type=int, default=3_000, help=timing)
    s.set_defaults(func=cmd_consume)


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING if verbose else logging.CRITICAL)


def cmd_publish(a: argparse.Namespace) -> int:
    from engine.sources import Source
    from skillaudit.console import EXIT_FAIL, EXIT_OK, print_json, print_pairs
    from skillaudit.progress import ProgressLine
    from streams.publish import PublishProgress, publish
    from streams.settings import KafkaSettings
    from streams.topics import ensure_topics, reachable

    _logging(a.verbose)
    for path in a.files:
        Source.of(path)  # a missing file fails before anything is sent
    settings = KafkaSettings(a.bootstrap, topic=a.topic, partitions=a.partitions,
                             delivery_timeout_ms=int(a.timeout * 1000))
    try:
        if reachable(settings.servers):  # else the sends wait up to --timeout and report
            ensure_topics(settings, {a.topic: a.partitions})
    except Exception as exc:  # reported; the sends below retry on their own
        print(f"warning 警告: could not check topic {a.topic} on {a.bootstrap} "
              f"({type(exc).__name__}); sending anyway, failed sends are reported",
              file=sys.stderr)
    bar = ProgressLine("publish 发布")

    def show(p: PublishProgress) -> None:
        bar.update(p.bytes_done, p.source.size, "msg", p.lines, p.elapsed,
                   f"{p.lines:,} messages")

    unsent = a.unsent or time.strftime("unsent-%Y%m%d-%H%M%S.jsonl")
    try:
        s = publish(settings, a.files, progress=show, unsent_path=unsent)
    finally:
        bar.close()
    if a.json:
        print_json(s.as_json())
    else:
        rows = [("published 已发布", f"{s.sent:,}", f"of {s.lines:,} messages to {s.topic} "
                 f"in {s.seconds:.1f} s ({s.per_s:,.0f}/s)")]
        if s.unkeyed:
            rows.append(("without a key 无分区键", f"{s.unkeyed:,}", "(not valid events: the "
                         "consumer quarantines them with the reason)"))
        print_pairs(rows, indent=0)
        if s.unsent:
            print_pairs([("NOT sent 未发送", f"{len(s.unsent):,}", "messages the broker never "
                          f"acknowledged, written to {s.unsent_file}; publish that file again "
                          "once the broker is back (nothing is stored twice)")],
                        indent=0, file=sys.stderr)
            for source, n, err in s.unsent[:5]:
                print(f"  {source}:{n}: {err}", file=sys.stderr)
    return EXIT_FAIL if s.unsent else EXIT_OK


def cmd_consume(a: argparse.Namespace) -> int:
    from engine.store.factory import open_store
    from skillaudit.console import EXIT_FAIL, EXIT_OK, print_json, print_pairs
    from skillaudit.wiring import db_url, workbench_of
    from streams.consume import StreamConsumer
    from streams.follow import FollowerProcess
    from streams.progress import PartitionProgress
    from streams.settings import KafkaSettings
    from streams.topics import consumer_topics, ensure_topics_waiting

    _logging(a.verbose)
    log = logging.getLogger("skillaudit.streams")
    wb = workbench_of(a)
    wb.rules  # noqa: B018 (a bad rules file fails here, before anything is consumed)
    settings = KafkaSettings(
        a.bootstrap, topic=a.topic, group=a.group, dlq_topic=a.dlq_topic,
        alerts_topic=None if a.no_alerts else a.alerts_topic, partitions=a.partitions,
        max_poll_records=a.batch, parse_helper_min=a.parse_helper_min,
        max_poll_interval_ms=a.max_poll_interval_ms,
        session_timeout_ms=a.session_timeout_ms, heartbeat_interval_ms=a.heartbeat_interval_ms)
    ensure_topics_waiting(settings, consumer_topics(settings), log)
    store = open_store(wb.url)
    # the read-model tables exist before two processes use them. Every member records
    # its partitions' progress, with detection or not: whichever member leads detection
    # bounds its horizon by all of them (streams/progress.py)
    progress = PartitionProgress(wb.engine, settings.topic)
    follower = None
    if not a.no_detect:
        follower = FollowerProcess(db_url(a.db), a.rules, settings, interval=a.detect_interval,
                                   workers=max(1, a.detect_workers))
    consumer = StreamConsumer(store, settings, heartbeat_file=a.heartbeat_file,
                              progress=progress)

    def stop(signum: int, _frame: Any) -> None:
        log.info("%s received: finishing the current batch, then stopping / 正在停止",
                 signal.Signals(signum).name)
        consumer.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("consuming %s as group %s into %s / 开始消费", settings.topic, settings.group,
             db_url(a.db).split("@")[-1])
    if follower:
        follower.start()
    try:
        summary = consumer.run(exit_when_idle=a.exit_when_idle,
                               idle_check=follower.caught_up if follower else None)
    finally:
        consumer.close()
        follow = follower.stop() if follower else {}
        store.close()
    out: dict[str, Any] = {**summary.as_json(), **follow}
    if a.json:
        print_json(out)
    else:
        rows = [("messages 消息", f"{summary.messages:,}", f"in {summary.seconds:.1f} s"),
                ("stored 已存储", f"{summary.stored:,}"),
                ("already stored 已存在", f"{summary.duplicates:,}"),
                ("quarantined + dead-lettered 隔离", f"{summary.quarantined:,}",
                 f"(sent to {settings.dlq}: {summary.dead_lettered:,})")]
        if summary.outages:
            rows.append(("broker outages 中断", f"{summary.outages:,}", "(reconnected)"))
        if follow:
            rows.append(("detection runs 检测次数", f"{follow['detection_cycles']:,}",
                         f"{follow['findings_new_or_changed']:,} new or changed, "
                         f"{follow['findings_withdrawn']:,} withdrawn; "
                         f"{follow['alerts_sent']:,} alerts sent"))
        print_pairs(rows, indent=0)
    if summary.ended_idle and not summary.messages:
        # a run meant to drain a topic that drained nothing is a failure, not a quiet success
        print(f"nothing consumed 未消费任何消息: no message came on {settings.topic} within "
              f"{a.exit_when_idle:g} s of group {settings.group} being assigned partitions "
              f"(the topic is empty, or the group has read it all already)\n"
              f"  消费组 {settings.group} 分配到分区后 {a.exit_when_idle:g} 秒内，主题 "
              f"{settings.topic} 没有任何消息（主题为空，或该消费组已全部读完）",
              file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK

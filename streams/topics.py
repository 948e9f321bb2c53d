"""Make sure the topics exist; see whether the broker is reachable at all."""

from __future__ import annotations

import contextlib
import logging
import socket
import time

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from streams.settings import KafkaSettings


def ensure_topics(settings: KafkaSettings, topics: dict[str, int]) -> list[str]:
    """Create each missing topic with its partition count; return the ones created.

    Brokers in production usually refuse automatic creation, and a topic created
    by a consumer's metadata request would get the broker's default partitions.
    """
    admin = KafkaAdminClient(bootstrap_servers=settings.servers, client_id=settings.client_id,
                             request_timeout_ms=settings.request_timeout_ms)
    try:
        existing = set(admin.list_topics())
        wanted = [NewTopic(name, num_partitions=n, replication_factor=1)
                  for name, n in topics.items() if name not in existing]
        created = []
        for topic in wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process was first
                admin.create_topics([topic])
                created.append(topic.name)
        return created
    finally:
        admin.close()


def reachable(servers: list[str], timeout: float = 1.0) -> bool:
    """Whether any bootstrap server accepts a TCP connection (a cheap liveness probe)."""
    for server in servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "localhost", int(port)),
                                          timeout=timeout):
                return True
        except OSError:
            continue
    return False


def consumer_topics(settings: KafkaSettings) -> dict[str, int]:
    """The topics a consumer needs and their partitions when created: the events topic,
    its dead letters and the alerts, the last two a quarter as wide (they carry little)."""
    side = max(1, settings.partitions // 4)
    topics = {settings.topic: settings.partitions, settings.dlq: side}
    if settings.alerts_topic:
        topics[settings.alerts_topic] = side
    return topics


def ensure_topics_waiting(settings: KafkaSettings, topics: dict[str, int],
                          log: logging.Logger, pause_s: float = 2.0) -> None:
    """Create missing topics, waiting (with one clear log line) while the broker is down."""
    warned = False
    while True:
        try:
            ensure_topics(settings, topics)
            return
        except (KafkaError, OSError) as exc:  # the broker is not there yet
            if not warned:
                log.warning("Kafka broker %s not reachable yet (%s): waiting / 等待 Kafka",
                            settings.bootstrap, type(exc).__name__)
                warned = True
            time.sleep(pause_s)

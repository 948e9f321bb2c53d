"""Connection and topic settings for the Kafka adapters, built by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_TOPIC = "skillaudit.events"
DEFAULT_GROUP = "skillaudit"
DEFAULT_ALERTS = "skillaudit.alerts"


def dlq_topic_for(topic: str) -> str:
    """The dead-letter topic of an input topic (``<topic>.dlq``)."""
    return f"{topic}.dlq"


@dataclass(frozen=True)
class KafkaSettings:
    """Where the broker is, which topics, and the client timings.

    The timings default to Kafka's own; tests lower ``max_poll_interval_ms`` and
    ``session_timeout_ms`` because consumer-group joins wait about that long.
    """

    bootstrap: str
    topic: str = DEFAULT_TOPIC
    group: str = DEFAULT_GROUP
    dlq_topic: str | None = None  # default <topic>.dlq
    alerts_topic: str | None = DEFAULT_ALERTS  # None: no alerts
    partitions: int = 12  # when a topic has to be created
    max_poll_records: int = 5_000
    # polls this large (a backlog) are validated in a helper process while the one before
    # is stored (streams/parsing.py); smaller ones, a steady stream, in the consumer (0: never)
    parse_helper_min: int = 1_000
    max_poll_interval_ms: int = 300_000
    session_timeout_ms: int = 45_000
    heartbeat_interval_ms: int = 3_000
    request_timeout_ms: int = 30_000
    delivery_timeout_ms: int = 120_000  # how long a send is retried before it is reported
    client_id: str = "skillaudit"

    @property
    def dlq(self) -> str:
        return self.dlq_topic or dlq_topic_for(self.topic)

    @property
    def servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]

    def producer_config(self) -> dict[str, Any]:
        """Idempotent, acknowledged by all replicas: retries never write a message twice."""
        return {
            "bootstrap_servers": self.servers, "client_id": self.client_id,
            "acks": "all", "enable_idempotence": True, "linger_ms": 20,
            "batch_size": 256 * 1024, "compression_type": None,
            "request_timeout_ms": min(self.request_timeout_ms, self.delivery_timeout_ms - 1),
            "delivery_timeout_ms": self.delivery_timeout_ms,
            # waiting for a broker (first connection, metadata, a full buffer) is bounded
            # by the same time a message may take to be delivered
            "bootstrap_timeout_ms": self.delivery_timeout_ms,
            "max_block_ms": self.delivery_timeout_ms,
            "reconnect_backoff_max_ms": 2_000,
        }

    def consumer_config(self) -> dict[str, Any]:
        """Manual commits, from the earliest offset, never creating topics by reading them."""
        return {
            "bootstrap_servers": self.servers, "client_id": self.client_id,
            "group_id": self.group, "enable_auto_commit": False,
            "auto_offset_reset": "earliest", "allow_auto_create_topics": False,
            "max_poll_records": self.max_poll_records,
            "max_poll_interval_ms": self.max_poll_interval_ms,
            "session_timeout_ms": self.session_timeout_ms,
            "heartbeat_interval_ms": self.heartbeat_interval_ms,
            "request_timeout_ms": max(self.request_timeout_ms, self.session_timeout_ms + 1),
            "metadata_max_age_ms": 10_000, "reconnect_backoff_max_ms": 2_000,
            "fetch_max_bytes": 32 << 20, "max_partition_fetch_bytes": 8 << 20,
            # how long the broker may hold a fetch that found nothing. Kafka answers as soon
            # as a message arrives; Tansu answers late (55-60 ms median on a quiet topic,
            # polls stalled 0.4 s at p99 under load with Kafka's default of 500 ms)
            "fetch_max_wait_ms": 100,
        }

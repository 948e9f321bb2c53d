"""Fixtures for the Kafka tests: a running broker and fast consumer-group settings."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from streams.settings import KafkaSettings
from tests.streams.broker import Broker

# Consumer-group joins on Tansu take about max_poll_interval_ms: keep them short.
FAST = {"max_poll_interval_ms": 4_000, "session_timeout_ms": 4_000,
        "heartbeat_interval_ms": 400, "request_timeout_ms": 5_000}
FAST_ARGS = ["--max-poll-interval-ms", "4000", "--session-timeout-ms", "4000",
             "--heartbeat-interval-ms", "400"]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    b = Broker(tmp_path_factory.mktemp("tansu"))
    b.start()
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker of this test alone (for tests that stop and restart it)."""
    b = Broker(tmp_path)
    b.start()
    try:
        yield b
    finally:
        b.stop()


def settings_for(bootstrap: str, **over: object) -> KafkaSettings:
    """Unique topic and group names per call, fast group timings."""
    tag = uuid.uuid4().hex[:8]
    values: dict[str, object] = {"topic": f"ev-{tag}", "group": f"g-{tag}",
                                 "alerts_topic": f"alerts-{tag}", "partitions": 4, **FAST}
    values.update(over)
    return KafkaSettings(bootstrap, **values)  # type: ignore[arg-type]

"""Stream test inputs: a prefix of a generated city, and a paced publisher."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from kafka import KafkaProducer

from streams.publish import message_key
from streams.settings import KafkaSettings
from synth import generate


def city_lines(tmp_path: Path, lines: int, seed: int = 5) -> list[bytes]:
    """The first ``lines`` events of a generated city (time-ordered, so a consistent past)."""
    out = tmp_path / "city.jsonl"
    generate(50, seed, out, tmp_path / "city.truth.json")
    with open(out, "rb") as f:
        return [next(f).rstrip(b"\n") for _ in range(lines)]


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(x + b"\n" for x in lines))
    return path


def event_ids(lines: list[bytes]) -> set[str]:
    return {json.loads(x)["event_id"] for x in lines}


class PacedPublisher(threading.Thread):
    """Publish lines at a steady rate in the background (a source system's feed)."""

    def __init__(self, settings: KafkaSettings, lines: list[bytes], per_s: float):
        super().__init__(daemon=True)
        self.settings, self.lines, self.per_s = settings, lines, per_s
        self.sent = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            producer = KafkaProducer(**self.settings.producer_config())
            started = time.monotonic()
            for i, line in enumerate(self.lines):
                due = started + i / self.per_s
                if (delay := due - time.monotonic()) > 0:
                    time.sleep(delay)
                producer.send(self.settings.topic, value=line, key=message_key(line))
                self.sent += 1
            producer.flush()
            producer.close()
        except BaseException as exc:  # reported by the test
            self.error = exc

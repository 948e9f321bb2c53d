"""How late a quiet topic's next message reaches a consumer, by its fetch_max_wait_ms.

    python bench/fetch_wait.py [--messages 40] [--every 0.37] [--waits 500,100,50]

Why: a consumer's fetch that finds nothing is held by the broker for up to
``fetch_max_wait_ms``. Kafka answers it as soon as a message arrives; the Tansu
broker used here answers late. This decides ``KafkaSettings.consumer_config``'s
``fetch_max_wait_ms`` and the latency bench's alert watcher. It starts Tansu, sends
one message every ``--every`` seconds to a fresh topic, and prints how long each
took from send to poll, per setting, alternating the settings twice.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402

from bench.stream import start_broker  # noqa: E402


def delays(bootstrap: str, wait_ms: int, messages: int, every: float) -> list[float]:
    """Seconds from send to poll for ``messages`` messages sent ``every`` seconds apart."""
    topic = f"fw-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    producer.send(topic, b"first").get(timeout=30)  # creates the topic
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, fetch_max_wait_ms=wait_ms,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    consumer.assign([TopicPartition(topic, p) for p in producer.partitions_for(topic)])
    got: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            for batch in consumer.poll(timeout_ms=100).values():
                now = time.time()
                got.extend(now - float(m.value) for m in batch if m.value != b"first")

    reader = threading.Thread(target=poll)
    reader.start()
    time.sleep(1.0)
    for _ in range(messages):
        producer.send(topic, str(time.time()).encode())
        producer.flush()
        time.sleep(every)
    time.sleep(1.0)
    stop.set()
    reader.join()
    consumer.close()
    producer.close()
    return sorted(got)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=40)
    p.add_argument("--every", type=float, default=0.37)
    p.add_argument("--waits", default="500,100,50")
    a = p.parse_args()
    waits = [int(w) for w in a.waits.split(",")]
    with tempfile.TemporaryDirectory(prefix="skillaudit-bench-") as tmp:
        broker = start_broker(Path(tmp))
        try:
            for wait in waits * 2:
                d = delays(broker.bootstrap, wait, a.messages, a.every)
                print(f"fetch_max_wait_ms={wait:>4}: {len(d)}/{a.messages} messages, "
                      f"send → poll p50 {statistics.median(d) * 1000:.0f} ms, "
                      f"max {d[-1] * 1000:.0f} ms")
        finally:
            broker.stop()


if __name__ == "__main__":
    main()

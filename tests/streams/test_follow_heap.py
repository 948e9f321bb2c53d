"""The follower's process keeps its long-lived objects out of the collector's full passes
(``streams.follow.freeze_heap``) once its first cycle has read everything, and garbage
is still freed after that."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from engine.parse import parse_line
from engine.store.factory import open_store
from streams.follow import FollowerProcess
from tests.streams.cities import city_lines

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: a freeze is for the life of the process, and this one is
# pytest's. Cyclic garbage made before the freeze is collected by it, not frozen; a
# live object is frozen; cyclic garbage made after it is still collected.
PROBE = """
import gc, weakref
from streams.follow import freeze_heap

class Node:
    'One end of a reference cycle.'

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)

gc.disable()  # nothing collects behind the test's back
before = cycle()
kept = {"alive": Node()}
assert any(o is kept for o in gc.get_objects())
frozen = freeze_heap()
assert before() is None, "cyclic garbage from before the freeze was frozen, not freed"
assert frozen > 1000 and frozen == gc.get_freeze_count(), frozen
assert not any(o is kept for o in gc.get_objects()), "a live object is still collected"
after = cycle()
assert after() is not None
gc.collect()
assert after() is None, "cyclic garbage made after the freeze was not collected"
assert gc.get_freeze_count() == frozen
print("ok", frozen)
"""


def test_freeze_heap_frees_garbage_before_and_after() -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok ")


def test_the_follower_process_freezes_after_its_first_cycle(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    lines = city_lines(tmp_path, 400)
    store.append([parse_line(line, "city.jsonl", n) for n, line in enumerate(lines, 1)])
    store.close()
    follower = FollowerProcess(url, None, None, interval=0.2)
    follower.start()
    deadline = time.monotonic() + 120
    while not follower.caught_up() and time.monotonic() < deadline:
        time.sleep(0.2)
    summary = follower.stop()
    assert summary["detection_cycles"] >= 1
    # the modules' functions, classes and tuples alone are tens of thousands of objects;
    # the freeze waits for a detection (the first cycle read every table), hence the >= 1
    assert summary["heap_frozen_objects"] > 10_000, summary

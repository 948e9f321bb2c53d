"""One event as one line of the interchange format (events.md), built without detours.

Rare events go through msgspec (compact, UTF-8, keys in insertion order); the hot
attendance records are formatted directly in ``emit_training``, in the same
compact style. Each emitted line is paired with its recording time in seconds so a
day's events can be put in recording order with one stable sort.
"""

from __future__ import annotations

import random
from typing import Any

import msgspec

from synth import timeline
from synth.model import World

Out = list[tuple[int, str]]
"""(recorded_at in seconds since day 1, line) pairs of one day."""


class Ctx:
    """What every emitter needs: the plan, its own RNG, ID numbers by person, type counts."""

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.rng = random.Random(f"emit-{seed}")
        self.pid = [p.pid for p in world.persons]
        self.counts: dict[str, int] = {}

    def count(self, etype: str, n: int = 1) -> None:
        """Add ``n`` events of ``etype`` to the summary."""
        self.counts[etype] = self.counts.get(etype, 0) + n


def line(event_id: str, etype: str, day: int, sec: int, rday: int, rsec: int, source: str,
         data: dict[str, Any]) -> str:
    """The JSON line of one event; ``day``/``sec`` is occurred_at, ``rday``/``rsec`` recorded_at."""
    body = msgspec.json.encode(data).decode()
    occurred = timeline.stamp(day, sec)
    recorded = timeline.stamp(rday, rsec)
    return (f'{{"event_id":"{event_id}","type":"{etype}","occurred_at":"{occurred}",'
            f'"recorded_at":"{recorded}","source":"{source}","data":{body}}}')


def put(ctx: Ctx, out: Out, event_id: str, etype: str, day: int, sec: int, source: str,
        data: dict[str, Any], lag: int | None = None, rday: int | None = None,
        rsec: int | None = None) -> None:
    """Append one event; recorded ``lag`` seconds after it occurred unless given explicitly."""
    if rday is None:
        rday = day
        rsec = sec + (lag if lag is not None else 1 + int(ctx.rng.random() * 30))
    assert rsec is not None
    out.append((rday * timeline.DAY_SECONDS + rsec,
                line(event_id, etype, day, sec, rday, rsec, source, data)))
    ctx.count(etype)

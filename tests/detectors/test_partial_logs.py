"""Every detector copes with a log cut anywhere, in any partition interleaving.

A stream sees what a batch never does: a class before its institution, claims
before the class completes, payments before their review. A generated city is
split by partition key into six partitions, merged again in a random order that
keeps each key's order (as consumers of a keyed topic see it), and every prefix
cut below is ingested, projected and run through every registered detector,
none of which may fail.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pytest

from detectors.rules import load_rules
from detectors.run import run_detectors
from projections.views import Views
from streams.publish import message_key
from synth import generate
from tests.detectors.city import projected

pytestmark = pytest.mark.slow


def interleaved(lines: list[bytes], seed: int, partitions: int = 6) -> list[bytes]:
    """Lines as consumers of a keyed topic may store them: per-key order only."""
    queues: list[list[bytes]] = [[] for _ in range(partitions)]
    for line in lines:
        queues[zlib.crc32(message_key(line) or b"") % partitions].append(line)
    rnd = random.Random(seed)
    out: list[bytes] = []
    while any(queues):
        q = rnd.choice([q for q in queues if q])
        n = rnd.randint(1, 400)
        out.extend(q[:n])
        del q[:n]
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    out = tmp_path_factory.mktemp("partial") / "city.jsonl"
    generate(50, 5, out, out.with_suffix(".truth.json"))
    return out.read_bytes().splitlines()[:30_000]


@pytest.mark.parametrize(("seed", "cut"), [(0, 30_000), (1, 3_000), (1, 9_000), (2, 6_000),
                                           (2, 15_000), (3, 12_000), (4, 20_000), (5, 25_000)])
def test_no_detector_fails_on_a_partial_log(city: list[bytes], seed: int, cut: int,
                                            tmp_path: Path) -> None:
    path = tmp_path / "prefix.jsonl"
    path.write_bytes(b"\n".join(interleaved(city, seed)[:cut]) + b"\n")
    engine = projected(path, f"sqlite:///{tmp_path / 'p.db'}")
    result = run_detectors(Views(engine), load_rules(None))
    assert result.errors == {}
    assert set(result.counts) == set(result.seconds)  # every detector ran

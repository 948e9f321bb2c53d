"""Run the registered detectors over one set of frames: pure, timed, per category.

One detector that fails (a bug meeting data it was not written for) must not
stop the others: its error is kept in ``errors`` and it gets no count, so a
detection run withdraws none of its findings and says which rule did not run.
"""

from __future__ import annotations

import logging
import os
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from detectors.base import Finding, Frames
from detectors.registry import registry
from detectors.rules import Rules

log = logging.getLogger("skillaudit.detectors")


@dataclass
class DetectionResult:
    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # code -> "TypeError: …"


def run_detectors(frames: Frames, rules: Rules, *, codes: Iterable[str] | None = None,
                  categories: Iterable[str] | None = None,
                  progress: Callable[[str, int, int], None] | None = None,
                  workers: int = 1, weights: dict[str, float] | None = None) -> DetectionResult:
    """Every selected detector's findings, with its time and count.

    With ``workers`` > 1 (where the system can fork) the frames are loaded once and
    the detectors split over forked processes that share them copy-on-write,
    balanced by ``weights`` (seconds each took last time); the result is the same.
    """
    wanted_codes = set(codes) if codes else None
    wanted_categories = set(categories) if categories else None
    selected = [(code, m) for code, m in registry().items()
                if (wanted_codes is None or code in wanted_codes)
                and (wanted_categories is None or m.CATEGORY in wanted_categories)]
    if workers > 1 and len(selected) > 1 and hasattr(os, "fork"):
        return _run_forked(frames, rules, selected, workers, weights or {})
    return _run(frames, rules, selected, progress)


def _run(frames: Frames, rules: Rules, selected: list[tuple[str, Any]],
         progress: Callable[[str, int, int], None] | None = None) -> DetectionResult:
    result = DetectionResult()
    if hasattr(frames, "read_ahead") and len(selected) > 1:
        frames.read_ahead()
    for n, (code, module) in enumerate(selected, 1):
        if progress:
            progress(code, n, len(selected))
        params = rules.params(code, module.Params)
        started = time.perf_counter()
        try:
            found = module.detect(frames, params)
        except Exception as exc:
            log.exception("detector %s failed; the other detectors go on", code)
            result.errors[code] = f"{type(exc).__name__}: {exc}"
            continue
        finally:
            result.seconds[code] = time.perf_counter() - started
        result.counts[code] = len(found)
        result.findings.extend(found)
    return result


def _run_forked(frames: Frames, rules: Rules, selected: list[tuple[str, Any]], workers: int,
                weights: dict[str, float]) -> DetectionResult:
    names = list(Frames.__annotations__)
    if hasattr(frames, "read_ahead"):
        frames.read_ahead()
        names = frames.load_order(names)
    for name in names:  # load every frame here, shared by the children
        getattr(frames, name)
    groups: list[list[tuple[str, Any]]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for item in sorted(selected, key=lambda it: -weights.get(it[0], 1.0)):
        i = load.index(min(load))
        groups[i].append(item)
        load[i] += weights.get(item[0], 1.0)
    children = []
    for group in groups[1:]:
        if not group:
            continue
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: detect, send the result, leave without cleanup
            os.close(read_end)
            try:
                payload = pickle.dumps(_run(frames, rules, group))
            except BaseException as exc:
                failed = DetectionResult(errors={c: f"worker failed: {exc!r}" for c, _ in group})
                payload = pickle.dumps(failed)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            os._exit(0)
        os.close(write_end)
        children.append((pid, read_end, group))
    parts = [_run(frames, rules, groups[0])]
    for pid, read_end, group in children:
        with os.fdopen(read_end, "rb") as src:
            payload = src.read()
        os.waitpid(pid, 0)
        try:
            parts.append(pickle.loads(payload))
        except Exception as exc:  # the child died before it could answer
            parts.append(DetectionResult(errors={c: f"worker lost: {exc!r}" for c, _ in group}))
    order = {code: n for n, (code, _) in enumerate(selected)}
    result = DetectionResult()
    for part in parts:
        result.seconds.update(part.seconds)
        result.counts.update(part.counts)
        result.errors.update(part.errors)
        result.findings.extend(part.findings)
    result.findings.sort(key=lambda f: order[f.code])  # stable: each detector's own order
    return result

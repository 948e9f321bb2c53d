"""Run the registered detectors over one set of frames: pure, timed, per category."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from detectors.base import Finding, Frames
from detectors.registry import registry
from detectors.rules import Rules


@dataclass
class DetectionResult:
    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def run_detectors(frames: Frames, rules: Rules, *, codes: Iterable[str] | None = None,
                  categories: Iterable[str] | None = None,
                  progress: Callable[[str, int, int], None] | None = None) -> DetectionResult:
    """Every selected detector's findings, with its time and count."""
    wanted_codes = set(codes) if codes else None
    wanted_categories = set(categories) if categories else None
    selected = [(code, m) for code, m in registry().items()
                if (wanted_codes is None or code in wanted_codes)
                and (wanted_categories is None or m.CATEGORY in wanted_categories)]
    result = DetectionResult()
    for n, (code, module) in enumerate(selected, 1):
        if progress:
            progress(code, n, len(selected))
        params = rules.params(code, module.Params)
        started = time.perf_counter()
        found = module.detect(frames, params)
        result.seconds[code] = time.perf_counter() - started
        result.counts[code] = len(found)
        result.findings.extend(found)
    return result

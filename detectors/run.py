"""Run the registered detectors over one set of frames: pure, timed, per category.

One detector that fails (a bug meeting data it was not written for) must not
stop the others: its error is kept in ``errors`` and it gets no count, so a
detection run withdraws none of its findings and says which rule did not run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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

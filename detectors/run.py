"""Run the registered detectors over one set of frames: pure, timed, per category.

One detector that fails (a bug meeting data it was not written for) must not
stop the others: its error is kept in ``errors`` and it gets no count, so a
detection run withdraws none of its findings and says which rule did not run.

Beside its findings, each rule says what it could not check for want of a local
standard (``unchecked``, keyed as a rules file names it) and, when it flagged at
least ``guard.min_flagged`` subjects, whether it flagged more than
``max_flagged_share`` of what it examined (``guards``): a rule that flags most of
a city is more likely mis-set for that city than facing that much fraud.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from detectors.base import Examined, Finding, Frames, examined_by_subject
from detectors.registry import registry
from detectors.rules import Rules
from engine.processes import ignore_sigint

log = logging.getLogger("skillaudit.detectors")


@dataclass
class DetectionResult:
    findings: list[Finding] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # code -> "TypeError: …"
    # code -> what it did not check: [{key, count, en, zh}] (only rules with something)
    unchecked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # code -> the guard's warning (only rules that flagged too large a share)
    guards: dict[str, dict[str, Any]] = field(default_factory=dict)


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
        try:  # a rule's findings stand even if its self-report fails
            notes = unchecked_of(module, frames, params, rules, code)
            guard = guard_of(module, frames, params, found, rules, code)
        except Exception:
            log.exception("detector %s: what it examined could not be counted", code)
            continue
        if notes:
            result.unchecked[code] = notes
        if guard:
            result.guards[code] = guard
    return result


def unchecked_of(module: Any, frames: Frames, params: Any, rules: Rules,
                 code: str) -> list[dict[str, Any]]:
    """What the rule did not check, each with the rules key that would let it."""
    report = getattr(module, "unchecked", None)
    if report is None:
        return []
    return [{"key": rules.key_of(code, u.key), "count": u.count, "en": u.what_en,
             "zh": u.what_zh} for u in report(frames, params) if u.count]


def examined_of(module: Any, frames: Frames, params: Any,
                subject_types: Iterable[str]) -> list[Examined]:
    """The rule's own account of what it examined, else every subject of the types it flagged."""
    own = getattr(module, "examined", None)
    if own is not None:
        return list(own(frames, params))
    return [examined_by_subject(frames, t) for t in sorted(set(subject_types))]


def guard_of(module: Any, frames: Frames, params: Any, found: list[Finding], rules: Rules,
             code: str) -> dict[str, Any] | None:
    """The guard's warning when the rule flagged too large a share of a group it examined.

    Share = distinct subjects flagged in the group / subjects in the group, compared
    exactly (``Decimal``); of several groups the one flagged most is reported. Rules
    that flagged fewer than ``guard.min_flagged`` subjects are not doubted: a handful
    of findings is read one by one, whatever the share.
    """
    flagged: dict[str, set[str]] = {}
    for f in found:
        flagged.setdefault(f.subject_type, set()).add(f.subject_id)
    least = rules.min_flagged()
    if sum(len(v) for v in flagged.values()) < least:
        return None
    limit = rules.max_flagged_share(code)
    worst: tuple[float, int, Examined] | None = None
    for group in examined_of(module, frames, params, flagged):
        n = group.count_of(flagged.get(group.subject_type, set()))
        if n < least or Decimal(n) <= limit * len(group.ids):
            continue
        share = n / len(group.ids)
        if worst is None or share > worst[0]:
            worst = (share, n, group)
    if worst is None:
        return None
    share, n, group = worst
    keys = [rules.key_of(code, k) for k in group.keys]
    shown = _percent(share, limit)
    where_en = f"check {', '.join(keys)}" if keys else f"check [rules.{code}]"
    where_zh = f"请核对 {'、'.join(keys)}" if keys else f"请核对 [rules.{code}]"
    return {
        "share": round(share, 4), "flagged": n, "examined": len(group.ids),
        "subjects_en": group.noun_en, "subjects_zh": group.noun_zh, "keys": keys,
        "max_flagged_share": str(limit),
        "en": (f"flagged {shown} of {group.noun_en} ({n} of {len(group.ids)}): the local "
               f"standard probably differs from the rules file; {where_en}"),
        "zh": (f"标记了 {shown} 的{group.noun_zh}（{len(group.ids)} 个中 {n} 个）："
               f"当地标准可能与规则文件不同，{where_zh}"),
    }


def _percent(share: float, limit: Decimal) -> str:
    """A share as whole percent, with a decimal when rounding would hide it is above the limit."""
    whole = f"{share * 100:.0f} %"
    return whole if round(share * 100) > limit * 100 else f"{share * 100:.1f} %"


def _run_queue(frames: Frames, rules: Rules, selected: list[tuple[str, Any]],
               queue: int) -> DetectionResult:
    """Take detectors one at a time from the shared queue and run each, until it is empty."""
    parts = []
    while index := os.read(queue, 1):
        parts.append(_run(frames, rules, [selected[index[0]]]))
    return _merged(parts)


def _merged(parts: list[DetectionResult]) -> DetectionResult:
    """One result from the results of several workers or detectors."""
    result = DetectionResult()
    for part in parts:
        result.seconds.update(part.seconds)
        result.counts.update(part.counts)
        result.errors.update(part.errors)
        result.unchecked.update(part.unchecked)
        result.guards.update(part.guards)
        result.findings.extend(part.findings)
    return result


def _run_forked(frames: Frames, rules: Rules, selected: list[tuple[str, Any]], workers: int,
                weights: dict[str, float]) -> DetectionResult:
    """Fork ``workers`` − 1 children that share the loaded frames; the parent works too.

    The detectors wait in a pipe, slowest first by last time's ``weights``, and each
    worker takes the next one when it is free (one byte each: a read that small is
    atomic). So the workers finish within about one detector of each other, whatever
    the load on the machine does to their speed, instead of one waiting on the other.
    """
    names = list(Frames.__annotations__)
    if hasattr(frames, "read_ahead"):
        frames.read_ahead()
        names = frames.load_order(names)
    for name in names:  # load every frame here, shared by the children
        getattr(frames, name)
    if len(selected) > 255:  # the queue numbers detectors in one byte
        log.warning("%d detectors: more than the work queue holds; running them in one "
                    "process", len(selected))
        return _run(frames, rules, selected)
    queue, feed = os.pipe()
    os.write(feed, bytes(sorted(range(len(selected)),
                                key=lambda i: -weights.get(selected[i][0], 1.0))))
    os.close(feed)  # an empty queue then reads as the end
    children = []
    try:
        for _ in range(workers - 1):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: detect, send the result, leave without cleanup
                ignore_sigint()  # Ctrl-C is the parent's, which ends its children
                os.close(read_end)
                try:
                    payload = pickle.dumps(_run_queue(frames, rules, selected, queue))
                except BaseException:  # what it took is reported as not run, below
                    log.exception("a detection worker failed")
                    payload = pickle.dumps(DetectionResult())
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                os._exit(0)
            os.close(write_end)
            children.append((pid, read_end))
        parts = [_run_queue(frames, rules, selected, queue)]
        for pid, read_end in children:
            with os.fdopen(read_end, "rb") as src:
                payload = src.read()
            os.waitpid(pid, 0)
            try:
                parts.append(pickle.loads(payload))
            except Exception:  # the child died before it could answer
                log.exception("a detection worker died before it answered")
    except KeyboardInterrupt:  # the children ignore Ctrl-C: end them with their parent
        for pid, _ in children:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        raise
    finally:
        os.close(queue)
    order = {code: n for n, (code, _) in enumerate(selected)}
    result = _merged(parts)
    for code, _ in selected:  # taken by a worker that failed: not run, so nothing withdrawn
        if code not in result.counts and code not in result.errors:
            result.errors[code] = "not run: its detection worker failed (see the log)"
    result.findings.sort(key=lambda f: order[f.code])  # stable: each detector's own order
    return result

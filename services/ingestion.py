"""Use cases of the log itself: ingest, counts, chain verification, the quarantine."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.chain import VerifyResult
from engine.errors import NotFound, UsageError
from engine.ingest import IngestSummary, Progress, RetrySummary, ingest, retry_quarantine
from engine.rowformats import correction_of, row_view
from services.actor import Actor, Permission
from services.workbench import Workbench


def ingest_files(wb: Workbench, actor: Actor, files: Sequence[str], *,
                 batch_lines: int = 20_000,
                 progress: Callable[[Progress], None] | None = None) -> IngestSummary:
    """Store every valid line once; quarantine the rest with its reason."""
    actor.require(Permission.INGEST)
    with wb.store() as store:
        return ingest(store, list(files), batch_lines=batch_lines, progress=progress)


def store_stats(wb: Workbench, actor: Actor) -> dict[str, Any]:
    """Events by type, open quarantine entries and the chain head."""
    actor.require(Permission.READ)
    with wb.store(create=False) as store:
        by_type = store.count_by_type()
        return {"events": sum(by_type.values()), "by_type": by_type,
                "quarantined": store.quarantine_count(), "chain_head": str(store.head())}


def log_head(wb: Workbench, actor: Actor) -> int:
    """The position of the last stored event (0: an empty log)."""
    actor.require(Permission.READ)
    with wb.store() as store:
        return store.head().position


def verify_chain(wb: Workbench, actor: Actor, *, expect_head: str | None = None,
                 progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Recompute every link of the hash chain (and compare the head noted earlier)."""
    actor.require(Permission.READ)
    with wb.store(create=False) as store:
        return store.verify(progress=progress, expect_head=expect_head)


def quarantine_entries(wb: Workbench, actor: Actor, *, include_resolved: bool = False
                       ) -> list[dict[str, Any]]:
    """Quarantined lines as records; bytes that are not UTF-8 also as base64, exactly.

    In full: correcting a line needs what it said. Reading it is an ingest task.
    """
    actor.require(Permission.INGEST)
    with wb.store() as store:
        return [_entry(e) for e in store.quarantine_list(None if include_resolved else "open")]


def _entry(e: Any) -> dict[str, Any]:
    record = {"id": e.id, "source": e.source, "line": e.line_no, "reason": str(e.reason),
              "reason_zh": e.reason.zh, "message": e.message,
              "raw": e.raw.decode("utf-8", "replace"), "received_at": e.received_at,
              "status": e.status, "attempts": e.attempts,
              "resolved_event_id": e.resolved_event_id}
    try:
        e.raw.decode("utf-8")
    except UnicodeDecodeError:
        record["raw_base64"] = base64.b64encode(e.raw).decode("ascii")
    record.update(row_view(e.raw))  # a spreadsheet row: its cells, to correct as a row
    return record


def export_quarantine(wb: Workbench, actor: Actor, out: str | Path) -> int:
    """Write the open entries as JSON Lines to correct; the count written."""
    entries = quarantine_entries(wb, actor)
    with open(out, "w", encoding="utf-8") as f:
        for e in entries:
            e.pop("reason_zh", None)
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
    return len(entries)


def read_corrections(path: str | Path) -> dict[int, bytes]:
    """``{"id", "raw"}`` lines as ``quarantine export`` wrote them, edited."""
    corrections: dict[int, bytes] = {}
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the corrections file {path}: {exc}; save it as UTF-8 "
                         "JSON Lines as `quarantine export` wrote it") from None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            corrections[int(obj["id"])] = correction_of(obj)
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"{path}:{n}: each line must be an object with \"id\" and \"raw\" "
                             f"(as written by `quarantine export`): {exc}") from None
    return corrections


def retry(wb: Workbench, actor: Actor, ids: Sequence[int] | None = None,
          corrections: dict[int, bytes] | None = None) -> RetrySummary:
    """Validate open entries again, corrected where a correction is given."""
    actor.require(Permission.INGEST)
    ids = list(ids or (sorted(corrections) if corrections else []))
    with wb.store() as store:
        if ids:
            open_ids = {e.id for e in store.quarantine_list("open")}
            unknown = sorted(set(ids) - open_ids)
            if unknown:
                raise NotFound(f"no open quarantine entry {', '.join(f'#{i}' for i in unknown)}"
                               " 无此待处理隔离记录: see `skillaudit quarantine list`")
        return retry_quarantine(store, ids or None, corrections)


def preview_lines(actor: Actor, path: str | Path, *, show: int = 20) -> dict[str, Any]:
    """Validate a JSONL file of events without storing anything: counts by type and reason,
    and the first ``show`` lines as they would be stored or quarantined (masked)."""
    from engine.parse import parse_line
    from engine.privacy import mask_record
    from engine.quarantine import Malformed

    actor.require(Permission.INGEST)
    by_type: dict[str, int] = {}
    reasons: dict[str, int] = {}
    first: list[dict[str, Any]] = []
    lines = 0
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            lines += 1
            try:
                e = parse_line(line, str(path), n)
            except Malformed as m:
                reasons[m.reason.value] = reasons.get(m.reason.value, 0) + 1
                if len(first) < show:
                    first.append({"line": n, "ok": False, "reason": m.reason.value,
                                  "message": mask_record(m.message)})
                continue
            by_type[e.type] = by_type.get(e.type, 0) + 1
            if len(first) < show:
                first.append({"line": n, "ok": True, "event_id": e.event_id, "type": e.type,
                              "event": mask_record(json.loads(e.state))})
    return {"lines": lines, "valid": sum(by_type.values()), "by_type": by_type,
            "malformed": sum(reasons.values()), "reasons": reasons, "first": first}

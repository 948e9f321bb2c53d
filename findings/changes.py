"""What changed among the findings after a log position: raised, changed, withdrawn.

The feed the stream's alerts are sent from: each finding raised or withdrawn is a
stored event, so reading the read models after a position gives every change
once, in log order, with an ``alert_id`` (the finding and its event's position)
that lets a reader recognise a repeat.
"""

from __future__ import annotations

from typing import Any

from engine.privacy import mask_record
from findings.listing import as_records
from projections.tables import metadata as rm
from projections.views import Views


def latest_change_position(views: Views) -> int:
    """The last finding or withdrawal event position (where a new alerts outbox starts)."""
    last = 0
    for table in ("rm_findings", "rm_findings_withdrawn"):
        rows = views.rows(table, ["position"])
        if not rows.empty:
            last = max(last, int(rows["position"].max()))
    return last


def changes_after(views: Views, after: int) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, finding id, alert) for each finding raised or withdrawn after ``after``.

    ``raised`` is a finding that was not current before (first found, or found
    again after a withdrawal), ``changed`` a current finding whose facts changed
    (more money, more evidence), ``withdrawn`` one no longer found. Raised and
    changed alerts carry the finding in the spec's form, masked whole like every
    output (``engine.privacy``: alerts leave the system); a withdrawal names the
    finding and its last facts, its reason masked too.
    """
    raised = views.rows("rm_findings", where=[rm.tables["rm_findings"].c.position > after],
                        few=True)
    gone = views.rows("rm_findings_withdrawn",
                      where=[rm.tables["rm_findings_withdrawn"].c.position > after], few=True)
    steps: list[tuple[int, str, dict[str, Any] | None]] = []
    if not raised.empty:
        frame = raised.set_index("finding_id", drop=True)
        frame["first_raised_at"] = frame["occurred_at"]
        frame["new"] = True
        for (fid, row), rec in zip(frame.iterrows(), as_records(frame), strict=True):
            steps.append((int(row["position"]), str(fid), rec))
    for r in gone.itertuples(index=False):
        steps.append((int(r.position), r.finding_id, None))
    # withdrawals keep their own fields
    withdrawn = {int(r.position): r for r in gone.itertuples(index=False)}
    if not steps:
        return []
    steps.sort(key=lambda st: st[0])
    current = _current_before(views, {fid for _, fid, _ in steps}, steps[0][0])
    out: list[tuple[int, str, dict[str, Any]]] = []
    for pos, fid, rec in steps:
        if rec is not None:
            kind = "changed" if current.get(fid) else "raised"
            current[fid] = True
            out.append((pos, fid, {"alert": kind, "alert_id": f"{fid}@{pos}", **rec}))
        else:
            current[fid] = False
            r = withdrawn[pos]
            out.append((pos, fid, mask_record({
                "alert": "withdrawn", "alert_id": f"{fid}@{pos}", "finding_id": fid,
                "code": r.code, "facts_digest": r.facts_digest, "run_id": r.run_id,
                "reason": r.reason, "detected_at": r.occurred_at})))
    return out


def _current_before(views: Views, ids: set[str], first: int) -> dict[str, bool]:
    """Whether each finding was current just before position ``first``: raised, and not
    withdrawn after its last raise."""
    history: list[tuple[int, str, bool]] = []
    wanted = sorted(ids)
    for table, raise_ in (("rm_findings", True), ("rm_findings_withdrawn", False)):
        t = rm.tables[table]
        for i in range(0, len(wanted), 500):  # only these findings' rows, not every finding's
            rows = views.rows(table, ["finding_id", "position"],
                              where=[t.c.position < first,
                                     t.c.finding_id.in_(wanted[i:i + 500])], few=True)
            history.extend((int(p), f, raise_) for f, p in zip(
                rows["finding_id"], rows["position"], strict=True))
    return {fid: raise_ for _, fid, raise_ in sorted(history)}

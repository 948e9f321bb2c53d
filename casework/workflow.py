"""The order of a case's steps, as data: which step may follow which state.

open → assigned → confirmed | dismissed → recovered → closed; notes at any
time; a dismissed case may be closed; a dismissed (or reopened) case must be
opened again before it can be confirmed. Pure: no store, no views, so the
whole table is tested without a database.
"""

from __future__ import annotations

from casework.errors import CaseError

STATES: dict[str, str] = {
    "open": "已立案",
    "assigned": "已分派",
    "confirmed": "已认定",
    "dismissed": "已排除",
    "reopened": "事实变化待复核",
    "recovered": "已追回",
    "closed": "已结案",
}
"""Every state a case can be in, with its Chinese label."""

NONE = "none"  # no case yet on the finding

ALLOWED: dict[str, frozenset[str]] = {
    "open": frozenset({NONE, "dismissed", "reopened"}),
    "assign": frozenset({"open", "assigned", "confirmed", "recovered"}),
    "confirm": frozenset({"assigned"}),
    "dismiss": frozenset({"assigned"}),
    "note": frozenset(STATES),
    "recover": frozenset({"confirmed", "recovered"}),
    "close": frozenset({"confirmed", "recovered", "dismissed"}),
}
"""The states from which each step may be taken."""

_HINTS: dict[tuple[str, str], str] = {
    ("open", "open"): "it is already open; assign it: `skillaudit case assign CASE --to NAME`",
    ("confirm", "open"): "assign it first: `skillaudit case assign CASE --to NAME`",
    ("dismiss", "open"): "assign it first: `skillaudit case assign CASE --to NAME`",
    ("confirm", "dismissed"): "it was dismissed; re-open it first: "
                              "`skillaudit case open FINDING_ID --reason WHY`",
    ("confirm", "reopened"): "its facts changed since it was dismissed; re-open it first: "
                             "`skillaudit case open FINDING_ID --reason WHY`",
    ("dismiss", "reopened"): "its facts changed since it was dismissed; re-open it first: "
                             "`skillaudit case open FINDING_ID --reason WHY`",
    ("recover", "assigned"): "confirm it first: `skillaudit case confirm CASE --reason WHY`",
    ("recover", "dismissed"): "a dismissed case recovers no money",
    ("close", "assigned"): "confirm or dismiss it first (with --reason)",
    ("close", "open"): "assign it, then confirm or dismiss it first",
    ("close", "reopened"): "its facts changed since it was dismissed; re-open it first",
}


def check_step(step: str, state: str, case_id: str) -> None:
    """Raise ``CaseError`` unless ``step`` may follow ``state`` (``none``: no case yet)."""
    if state in ALLOWED[step]:
        return
    if state == NONE:
        raise CaseError(f"there is no case {case_id} 案件不存在; open it first: "
                        "`skillaudit case open FINDING_ID`")
    if state == "closed":
        hint = "a closed case is final; only notes can be added: `skillaudit case note`"
    else:
        hint = _HINTS.get((step, state)) or (
            f"from {state} the next steps are: "
            + ", ".join(s for s, ok in ALLOWED.items() if state in ok and s != "note"))
    raise CaseError(f"cannot {step} case {case_id}: it is {state} {STATES.get(state, '')} "
                    f"(不能执行此步骤); {hint}")


def require_reason(reason: str | None, step: str) -> str:
    """A reason in words, stripped; a blank one is refused (who decides must say why)."""
    text = (reason or "").strip()
    if not text:
        raise CaseError(f"a reason is required to {step} a case 须填写理由: "
                        f"add --reason \"...\"")
    return text

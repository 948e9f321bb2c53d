"""CLI commands for the case workflow: ``skillaudit case list|show|open|assign|confirm|…``.

Every step names who takes it (``--by``, default: the logged-in user) and is
stored as an event; ``--json`` prints one JSON document. Refused steps print
what to do instead and exit 1.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Any

from skillaudit.args import add_db
from skillaudit.console import EXIT_FAIL, EXIT_OK, label, print_json
from skillaudit.wiring import store_for, views_for

STEP_ZH = {"CaseOpened": "立案", "CaseAssigned": "分派", "CaseConfirmed": "认定",
           "CaseDismissed": "排除", "CaseNoteAdded": "备注", "CaseRecoveryLinked": "追回",
           "CaseClosed": "结案"}
UNMASK_HELP = "show ID numbers, phones, accounts and names in full (masked by default 默认脱敏)"


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers): make the user say who
        return ""


# -- reads -------------------------------------------------------------------------------------

def cmd_list(a: argparse.Namespace) -> int:
    from casework.listing import case_records

    records = case_records(views_for(a.db), states=a.state, unmask=a.unmask)
    if a.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No cases. 暂无案件。Open one with `skillaudit case open FINDING_ID`.")
        return EXIT_OK
    print(f"{len(records)} case(s) 件案件:")
    print("  " + label("case 案件", 30) + label("state 状态", 24) + label("code 规则", 28)
          + label("subject 对象", 22) + label("at risk 金额", 14) + label("assignee 承办", 14)
          + "last step 最近步骤")
    for r in records:
        last = r["last_step"]
        print("  " + label(r["case_id"], 30) + label(f"{r['state']} {r['state_zh']}", 24)
              + label(str(r["code"]), 28) + label(f"{r['subject_type']} {r['subject_id']}", 22)
              + label(str(r["amount_at_risk"]), 14) + label(str(r["assignee"] or "-"), 14)
              + f"{last['type']} {STEP_ZH.get(last['type'], '')} by {last['by']} {last['at']}")
    return EXIT_OK


def cmd_show(a: argparse.Namespace) -> int:
    from casework.listing import case_detail
    from casework.status import resolve_case_id

    case_id = resolve_case_id(a.case)
    detail = case_detail(views_for(a.db), case_id, unmask=a.unmask)
    if detail is None:
        print(f"error 错误: no case {case_id} 案件不存在; see `skillaudit case list`",
              file=sys.stderr)
        return EXIT_FAIL
    if a.json:
        print_json(detail)
        return EXIT_OK
    print(f"Case 案件 {detail['case_id']} — {detail['state']} {detail['state_zh']}"
          + ("  (facts changed since dismissal 事实已变化, review 需复核)"
             if detail["facts_changed"] else ""))
    print(f"  finding 问题 {detail['finding_id']} {detail['code']} [{detail['severity']}] "
          f"{detail['subject_type']} {detail['subject_id']}")
    if "finding" in detail:
        print(f"      {detail['finding']['explanation_zh']}")
        print(f"      {detail['finding']['explanation_en']}")
    print(f"  at risk 涉及金额 {detail['amount_at_risk']}  recovered 已追回 {detail['recovered']}"
          f"  assignee 承办人 {detail['assignee'] or '-'}")
    print(f"History 办理记录 ({len(detail['history'])} steps):")
    for s in detail["history"]:
        extra = "; ".join(f"{k}={s[k]}" for k in ("assignee", "payment_id", "recovery_event_id",
                                                  "amount") if k in s)
        why = s.get("reason") or s.get("text") or ""
        print(f"  {s['at']}  {label(s['type'] + ' ' + STEP_ZH.get(s['type'], ''), 26)}"
              f"by 操作人 {s['by']}" + (f"  {extra}" if extra else "")
              + (f"  — {why}" if why else ""))
    return EXIT_OK


# -- steps -------------------------------------------------------------------------------------

def _step(build: Callable[[argparse.Namespace], Any], run_name: str
          ) -> Callable[[argparse.Namespace], int]:
    """A sub-command running one casework step and printing what it recorded."""

    def run(a: argparse.Namespace) -> int:
        from casework import commands
        from casework.errors import CaseError
        from casework.workflow import STATES

        store = store_for(a.db)
        try:
            done = getattr(commands, run_name)(build(a), store, views_for(a.db))
        except CaseError as exc:
            print(f"error 错误: {exc}", file=sys.stderr)
            return EXIT_FAIL
        finally:
            store.close()
        if a.json:
            print_json({"case_id": done.case_id, "event_id": done.event_id, "type": done.type,
                         "occurred_at": done.occurred_at, "by": a.by, "state": done.state,
                         "state_zh": STATES.get(done.state, "")})
        else:
            print(f"Case 案件 {done.case_id}: {done.type} {STEP_ZH.get(done.type, '')} recorded "
                  f"已记录 by {a.by} at {done.occurred_at} → {done.state} "
                  f"{STATES.get(done.state, '')}  (event {done.event_id})")
        return EXIT_OK

    return run


class _Commands:
    """The command classes of ``casework.commands``, imported when a step runs."""

    def __getattr__(self, name: str) -> Any:
        from casework import commands

        return getattr(commands, name)


def _common(p: argparse.ArgumentParser, *, reason: str | None = "why (optional) 理由") -> None:
    add_db(p)
    p.add_argument("--json", action="store_true", help="print the recorded step as JSON")
    p.add_argument("--by", default=_default_user(), metavar="NAME",
                   help="who takes the step 操作人 (default: the logged-in user)")
    if reason:
        p.add_argument("--reason", help=reason)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    from casework.workflow import STATES

    cw = _Commands()

    c = sub.add_parser("case", help="investigators' cases on findings 案件办理")
    csub = c.add_subparsers(dest="case_cmd", required=True, metavar="ACTION")

    s = csub.add_parser("list", help="every case with its state 案件列表")
    add_db(s)
    s.add_argument("--state", action="append", choices=sorted(STATES),
                   help="only cases in this state (repeatable)")
    s.add_argument("--unmask", action="store_true", help=UNMASK_HELP)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = csub.add_parser("show", help="one case and its history: who, when, why 案件详情")
    s.add_argument("case", metavar="CASE_ID", help="case id (or the finding id)")
    add_db(s)
    s.add_argument("--unmask", action="store_true", help=UNMASK_HELP)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    s = csub.add_parser("open", help="open (or re-open) the case of a finding 立案")
    s.add_argument("finding", metavar="FINDING_ID")
    _common(s, reason="why (required to re-open a dismissed case) 理由")
    s.set_defaults(func=_step(lambda a: cw.OpenCase(a.finding, a.by, a.reason), "open_case"))

    s = csub.add_parser("assign", help="assign a case to an investigator 分派")
    s.add_argument("case", metavar="CASE_ID")
    s.add_argument("--to", required=True, metavar="NAME", help="the investigator 承办人")
    _common(s)
    s.set_defaults(func=_step(lambda a: cw.AssignCase(a.case, a.to, a.by, a.reason), "assign"))

    s = csub.add_parser("confirm", help="confirm the irregularity (--reason required) 认定")
    s.add_argument("case", metavar="CASE_ID")
    _common(s, reason="why it is confirmed (required) 认定理由")
    s.set_defaults(func=_step(lambda a: cw.ConfirmCase(a.case, a.by, a.reason), "confirm"))

    s = csub.add_parser("dismiss", help="dismiss the finding (--reason required) 排除")
    s.add_argument("case", metavar="CASE_ID")
    _common(s, reason="why it is not an irregularity (required) 排除理由")
    s.set_defaults(func=_step(lambda a: cw.DismissCase(a.case, a.by, a.reason), "dismiss"))

    s = csub.add_parser("note", help="add a note at any time 备注")
    s.add_argument("case", metavar="CASE_ID")
    s.add_argument("text", metavar="TEXT")
    _common(s, reason=None)
    s.set_defaults(func=_step(lambda a: cw.AddNote(a.case, a.by, a.text), "note"))

    s = csub.add_parser("recover", help="link a PaymentRecovered event to the case 追回")
    s.add_argument("case", metavar="CASE_ID")
    s.add_argument("--recovery", metavar="EVENT_ID",
                   help="event id of a stored PaymentRecovered of the finding's payments "
                        "(omit it to list them)")
    _common(s)
    s.set_defaults(func=_step(lambda a: cw.LinkRecovery(a.case, a.recovery, a.by, a.reason),
                              "link_recovery"))

    s = csub.add_parser("close", help="close a recovered or dismissed case 结案")
    s.add_argument("case", metavar="CASE_ID")
    _common(s, reason="why (required to close a confirmed case with nothing recovered) 理由")
    s.set_defaults(func=_step(lambda a: cw.CloseCase(a.case, a.by, a.reason), "close"))

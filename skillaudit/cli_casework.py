"""CLI commands for the case workflow: ``skillaudit case list|show|open|assign|confirm|…``.

Every step names who takes it (``--by``, default: the logged-in user) and is
stored as an event; ``--json`` prints one JSON document. Refused steps print
what to do instead and exit 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from services import cases
from skillaudit.args import add_db
from skillaudit.console import EXIT_OK, print_json, print_table
from skillaudit.wiring import actor_of, login_name, workbench_of

STEP_ZH = {"CaseOpened": "立案", "CaseAssigned": "分派", "CaseConfirmed": "认定",
           "CaseDismissed": "排除", "CaseNoteAdded": "备注", "CaseRecoveryLinked": "追回",
           "CaseClosed": "结案"}
UNMASK_HELP = "show ID numbers, phones, accounts and names in full (masked by default 默认脱敏)"


# -- reads -------------------------------------------------------------------------------------

def cmd_list(a: argparse.Namespace) -> int:
    records = cases.list_cases(workbench_of(a), actor_of(a), states=a.state, unmask=a.unmask)
    if a.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No cases. 暂无案件。Open one with `skillaudit case open FINDING_ID`.")
        return EXIT_OK
    print(f"{len(records)} case(s) 件案件:")
    print_table(["case 案件", "state 状态", "code 规则", "subject 对象", "at risk 金额",
                 "assignee 承办", "last step 最近步骤"],
                [(r["case_id"], f"{r['state']} {r['state_zh']}", str(r["code"]),
                  f"{r['subject_type']} {r['subject_id']}", str(r["amount_at_risk"]),
                  r["assignee"] or "-", f"{r['last_step']['type']} "
                  f"{STEP_ZH.get(r['last_step']['type'], '')} by {r['last_step']['by']} "
                  f"{r['last_step']['at']}") for r in records], right={4})
    return EXIT_OK


def cmd_show(a: argparse.Namespace) -> int:
    detail = cases.show_case(workbench_of(a), actor_of(a), a.case, unmask=a.unmask)
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
    rows = []
    for s in detail["history"]:
        extra = "; ".join(f"{k}={s[k]}" for k in ("assignee", "payment_id", "recovery_event_id",
                                                  "amount") if k in s)
        why = s.get("reason") or s.get("text") or ""
        rows.append((s["at"], f"{s['type']} {STEP_ZH.get(s['type'], '')}", s["by"],
                     "  — ".join(x for x in (extra, why) if x)))
    print_table(["at 时间", "step 步骤", "by 操作人", "details 说明"], rows)
    return EXIT_OK


# -- steps -------------------------------------------------------------------------------------

def _step(take: Callable[[Any, Any, argparse.Namespace], Any]
          ) -> Callable[[argparse.Namespace], int]:
    """A sub-command taking one case step and printing what it recorded."""

    def run(a: argparse.Namespace) -> int:
        from casework.workflow import STATES

        if not (a.by or "").strip():
            from casework.errors import CaseError

            raise CaseError("say who takes the step 须注明操作人: --by NAME")
        actor = actor_of(a)
        done = take(workbench_of(a), actor, a)
        if a.json:
            print_json({"case_id": done.case_id, "event_id": done.event_id, "type": done.type,
                         "occurred_at": done.occurred_at, "by": actor.name,
                         "role": actor.role.value, "state": done.state,
                         "state_zh": STATES.get(done.state, "")})
        else:
            print(f"Case 案件 {done.case_id}: {done.type} {STEP_ZH.get(done.type, '')} recorded "
                  f"已记录 by {actor.name} at {done.occurred_at} → {done.state} "
                  f"{STATES.get(done.state, '')}  (event {done.event_id})")
        return EXIT_OK

    return run


def _common(p: argparse.ArgumentParser, *, reason: str | None = "why (optional) 理由") -> None:
    add_db(p)
    p.add_argument("--json", action="store_true", help="print the recorded step as JSON")
    p.add_argument("--by", default=login_name(), metavar="NAME",
                   help="who takes the step 操作人 (default: the logged-in user)")
    if reason:
        p.add_argument("--reason", help=reason)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    from casework.workflow import STATES

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
    s.set_defaults(func=_step(lambda wb, who, a: cases.open_case(wb, who, a.finding, a.reason)))

    s = csub.add_parser("assign", help="assign a case to an investigator 分派")
    s.add_argument("case", metavar="CASE_ID")
    s.add_argument("--to", required=True, metavar="NAME", help="the investigator 承办人")
    _common(s)
    s.set_defaults(func=_step(lambda wb, who, a: cases.assign(wb, who, a.case, a.to, a.reason)))

    s = csub.add_parser("confirm", help="confirm the irregularity (--reason required) 认定")
    s.add_argument("case", metavar="CASE_ID")
    _common(s, reason="why it is confirmed (required) 认定理由")
    s.set_defaults(func=_step(lambda wb, who, a: cases.confirm(wb, who, a.case, a.reason)))

    s = csub.add_parser("dismiss", help="dismiss the finding (--reason required) 排除")
    s.add_argument("case", metavar="CASE_ID")
    _common(s, reason="why it is not an irregularity (required) 排除理由")
    s.set_defaults(func=_step(lambda wb, who, a: cases.dismiss(wb, who, a.case, a.reason)))

    s = csub.add_parser("note", help="add a note at any time 备注")
    s.add_argument("case", metavar="CASE_ID")
    s.add_argument("text", metavar="TEXT")
    _common(s, reason=None)
    s.set_defaults(func=_step(lambda wb, who, a: cases.note(wb, who, a.case, a.text)))

    s = csub.add_parser("recover", help="link a PaymentRecovered event to the case 追回")
    s.add_argument("case", metavar="CASE_ID")
    s.add_argument("--recovery", metavar="EVENT_ID",
                   help="event id of a stored PaymentRecovered of the finding's payments "
                        "(omit it to list them)")
    _common(s)
    s.set_defaults(func=_step(lambda wb, who, a: cases.recover(wb, who, a.case, a.recovery,
                                                           a.reason)))

    s = csub.add_parser("close", help="close a recovered or dismissed case 结案")
    s.add_argument("case", metavar="CASE_ID")
    _common(s, reason="why (required to close a confirmed case with nothing recovered) 理由")
    s.set_defaults(func=_step(lambda wb, who, a: cases.close(wb, who, a.case, a.reason)))

"""CLI commands for institution credit (信用评价): list, show, history, repair, publish.

Reading the present (no ``--as-of``) first records any rating that changed
(``CreditRated``, nothing twice), so the log keeps every score ever shown;
with ``--as-of``/``--as-of-position`` ratings are recomputed from that prefix
of the log and nothing is stored.
"""

from __future__ import annotations

import argparse

from credit.params import GRADE_ZH
from services import credit
from skillaudit.args import add_as_of, add_db, in_file, out_file
from skillaudit.console import EXIT_OK, print_json, print_pairs, print_table
from skillaudit.wiring import actor_of, as_of_of, workbench_of

TYPES = ("institution", "agency", "all")


def cmd_list(a: argparse.Namespace) -> int:
    got = credit.ratings(workbench_of(a), actor_of(a), as_of=as_of_of(a))
    params, position = got.params, got.position
    shown = [r for r in got.ratings if a.type == "all" or r.subject_type == a.type]
    if a.grade:
        shown = [r for r in shown if r.grade in a.grade]
    shown.sort(key=lambda r: (-r.score, r.subject_type, r.subject_id))
    if a.json:
        print_json([got.record_of(r) for r in shown])
        return EXIT_OK
    print(f"Credit ratings 信用评价 ({len(shown)}) as of position 截至位置 {position}, "
          f"rules 规则 {params.version} ({params.digest})")
    rows = []
    for r in shown:
        top = min(r.reasons, key=lambda x: int(x["points"]), default=None)
        why = f" · {top['zh']}" if top and int(top["points"]) < 0 else ""
        rows.append((f"{r.grade} {GRADE_ZH[r.grade]}", str(r.score), r.subject_type,
                     r.subject_id, f"{r.name or ''}{why}"))
    print_table(["grade 等级", "score 分", "type 类型", "id 编号",
                 "name 名称 · main reason 主要原因"], rows, right={1})
    return EXIT_OK


def cmd_show(a: argparse.Namespace) -> int:
    rec = credit.show(workbench_of(a), actor_of(a), a.id, subject_type=a.type, as_of=as_of_of(a))
    if a.json:
        print_json(rec)
        return EXIT_OK
    print(f"{rec['subject_type']} {rec['subject_id']} {rec['name'] or ''} "
          f"{rec['credit_code'] or ''}".rstrip())
    pairs = [("score 信用分", str(rec["score"])), ("grade 信用等级", rec["grade_label"]),
             ("as of 截至位置", f"{rec['as_of_position']} (rules 规则 {rec['rules_version']}, "
                                f"{rec['rules_digest']})")]
    s = rec["stored"]
    if s:
        same = "yes 一致" if s["reproduced"] else "no 不一致 (facts or rules differ)"
        pairs.append(("stored rating 已存评价", f"{s['event_id']} at position {s['position']} "
                      f"(as of {s['as_of_position']}): {s['grade']} {s['score']}; "
                      f"reproduced 复现 {same}"))
    print_pairs(pairs, right=())
    print("  reasons 扣分依据:" if rec["reasons"] else "  reasons 扣分依据: none 无")
    print_table(None, [(str(int(x["points"])), "\n".join(
        [x["zh"], x["en"], *(f"{key}: {', '.join(x[key])}" for key in
                             ("finding_ids", "complaint_ids", "checks") if x.get(key))]))
        for x in rec["reasons"]], right={0}, indent=4)
    return EXIT_OK


def cmd_history(a: argparse.Namespace) -> int:
    events = credit.credit_history(workbench_of(a), actor_of(a), a.id)
    if a.json:
        print_json(events)
        return EXIT_OK
    if not events:
        print(f"No stored rating for {a.id} 暂无评价记录: `skillaudit credit list` records the "
              "current ratings")
        return EXIT_OK
    print(f"Credit history 信用记录 of {a.id} ({len(events)} events):")
    print_table(["position 位置", "at 时间", "event 事件", "grade 等级", "details 说明"],
                [(f"#{e['position']}", e["at"], "rated 评价", f"{e['grade']} {e['score']}",
                  f"as of position {e['as_of_position']}, {len(e['reasons'])} reasons")
                 if e["event"] == "CreditRated" else
                 (f"#{e['position']}", e["at"], "repaired 修复",
                  f"{e['from_grade']} → {e['to_grade']}", f"by {e['by']}: {e['note']}")
                 for e in events])
    return EXIT_OK


def cmd_repair(a: argparse.Namespace) -> int:
    data, rating = credit.repair_credit(workbench_of(a), actor_of(a), a.id, note=a.note,
                                        subject_type=a.type)
    if a.json:
        print_json({"repair": data, "rating": rating})
        return EXIT_OK
    print(f"Credit repaired 信用修复 {a.id}: {data['from_grade']} → {data['to_grade']} "
          f"(clean 无新问题 {data['clean_days']} days since {data['clean_since']}) "
          f"by {data['by']} — {data['event_id']}")
    print(f"  now 现为 {rating['grade_label']}, score 信用分 {rating['score']}")
    return EXIT_OK


def cmd_publish(a: argparse.Namespace) -> int:
    path, n, position = credit.publish(workbench_of(a), actor_of(a), a.out, subject_type=a.type,
                                       as_of=as_of_of(a))
    print(f"Published 已公示 {n} ratings as of position {position} → {path}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    p = sub.add_parser("credit", help="institution credit ratings 信用评价")
    cs = p.add_subparsers(dest="credit_command", required=True)

    def common(s: argparse.ArgumentParser, *, as_of: bool = True, rules: bool = True) -> None:
        add_db(s)
        if as_of:
            add_as_of(s)
        if rules:
            s.add_argument("--rules", type=in_file,
                           help="TOML rules merged over the defaults ([credit])")

    s = cs.add_parser("list", help="every rating, best first 评价列表")
    common(s)
    s.add_argument("--type", choices=TYPES, default="all")
    s.add_argument("--grade", action="append", choices=["A", "B", "C", "D"])
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = cs.add_parser("show", help="one rating and the facts that moved it 评价详情")
    s.add_argument("id", help="institution or agency id")
    common(s)
    s.add_argument("--type", choices=TYPES[:2])
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_show)

    s = cs.add_parser("history", help="stored ratings and repairs of one subject 信用记录")
    s.add_argument("id")
    common(s, as_of=False, rules=False)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_history)

    s = cs.add_parser("repair", help="credit repair after a clean period 信用修复")
    s.add_argument("id")
    common(s, as_of=False)
    s.add_argument("--note", required=True, help="the remediation done 整改说明")
    s.add_argument("--by", required=True, help="who grants the repair 审批人")
    s.add_argument("--type", choices=TYPES[:2])
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_repair)

    s = cs.add_parser("publish", help="public list without personal data 信用公示")
    common(s)
    s.add_argument("--out", required=True, type=out_file, help="FILE.csv or FILE.xlsx")
    s.add_argument("--type", choices=TYPES, default="all")
    s.set_defaults(func=cmd_publish)

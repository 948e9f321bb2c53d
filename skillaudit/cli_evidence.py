"""CLI commands for evidence packs: ``evidence`` builds one, ``verify-evidence`` checks one."""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_FAIL = 0, 1


def cmd_evidence(a: argparse.Namespace) -> int:
    from services.evidence import build_evidence
    from skillaudit.console import print_json, print_pairs
    from skillaudit.wiring import actor_of, workbench_of

    report = build_evidence(workbench_of(a), actor_of(a), a.finding_id, a.out, unmask=a.unmask)
    if a.json:
        print_json({"out": str(report.out), "finding_id": report.finding_id,
                     "events": report.events, "chain_head": str(report.head),
                     "head_position": report.head.position, "merkle_root": report.root.hex(),
                     "leaves": report.leaves,
                     "seconds": {k: round(v, 3) for k, v in report.seconds.items()}})
        return EXIT_OK
    print(f"Evidence pack 证据包 → {report.out}")
    print_pairs([("finding 问题", report.finding_id),
                 ("events 事件", f"{report.events} (evidence + the FindingRaised event)"),
                 ("chain head 链头", str(report.head)),
                 ("Merkle root 默克尔根", f"{report.root.hex()} over {report.leaves:,} chain "
                                       f"hashes ({report.seconds.get('merkle', 0):.1f}s)"),
                 ("summary 摘要", str(report.out / "summary.html"))], right=())
    print(f"Check it anywhere 校验: skillaudit verify-evidence {report.out}")
    return EXIT_OK


def cmd_verify_evidence(a: argparse.Namespace) -> int:
    from services.evidence import verify_evidence
    from skillaudit.console import print_json
    from skillaudit.wiring import actor_of, workbench_of

    check = verify_evidence(actor_of(a), a.dir, expect_head=a.head,
                            against=workbench_of(a) if a.db else None)
    if a.json:
        print_json({**check.as_json(), "checked_against_store": bool(a.db and check.ok)})
        return EXIT_OK if check.ok else EXIT_FAIL
    if check.ok:
        where = " and matches the store 与存储一致" if a.db else ""
        print(f"Evidence pack verified 证据包校验通过{where}: {check.events} events, finding 问题 "
              f"{check.finding_id}, head 链头 {check.head.get('seq')}:{check.head.get('hash')}, "
              f"Merkle root 默克尔根 {check.root} ({check.leaves:,} leaves)")
        if check.masked and not a.db:
            print("  masked pack 脱敏证据包: every link and proof was checked from the events' "
                  "content digests; that the masked copies are the stored events masked is "
                  "checked with --db STORE 脱敏副本需与存储比对")
        return EXIT_OK
    first = check.problems[0]
    print(f"EVIDENCE PACK FAILED 证据包校验失败: {first}", file=sys.stderr)
    for p in check.problems[1:]:
        print(f"  also 另见: {p}", file=sys.stderr)
    print("Do not rely on this pack 此证据包不可采信: rebuild it from the store with "
          "`skillaudit evidence FINDING_ID --out NEW_DIR`.", file=sys.stderr)
    return EXIT_FAIL


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    from skillaudit.args import add_db

    s = sub.add_parser("evidence", help="write a verifiable evidence pack for a finding 证据包")
    s.add_argument("finding_id", metavar="FINDING_ID")
    s.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory")
    add_db(s)
    s.add_argument("--unmask", action="store_true",
                   help="keep personal data (ID numbers, phones, accounts, names) in full and "
                        "each event's stored bytes; masked by default 默认脱敏")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_evidence)

    s = sub.add_parser("verify-evidence", help="check an evidence pack, no database needed "
                                               "校验证据包")
    s.add_argument("dir", metavar="DIR")
    s.add_argument("--db", help="also check the pack's head and Merkle root against this store")
    s.add_argument("--head", help="also require this chain head (SEQ:HASH or HASH) noted earlier")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_verify_evidence)

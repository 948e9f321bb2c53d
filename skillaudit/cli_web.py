"""CLI commands of the web workbench: ``skillaudit serve`` and ``skillaudit user …``."""

from __future__ import annotations

import argparse
import sys

from skillaudit.args import add_db, in_file, positive_int

ROLES = ["investigator", "finance", "inspector", "admin"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this family's sub-commands to the ``skillaudit`` parser."""
    s = sub.add_parser("serve", help="start the web workbench 启动网页工作台")
    add_db(s)
    s.add_argument("--rules", type=in_file, help="TOML rules merged over the defaults")
    s.add_argument("--targets", type=in_file, help="plan targets per county (TOML) 年度计划目标")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    s.add_argument("--port", type=positive_int, default=8000)
    s.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="server processes (default 1; one per core serves more clients at "
                        "once) 进程数")
    s.add_argument("--files", metavar="DIR", default="skillaudit-files",
                   help="folder for case attachments, evidence packs and uploads "
                        "(default ./skillaudit-files) 附件与证据包目录")
    s.add_argument("--secure-cookies", action="store_true",
                   help="send the login cookie over HTTPS only (behind a TLS proxy)")
    s.add_argument("--lockout-after", type=positive_int, default=5, metavar="N",
                   help="wrong passwords in a row before an account is locked (default 5)")
    s.add_argument("--lockout-minutes", type=positive_int, default=15, metavar="M",
                   help="how long a locked account stays locked (default 15)")
    s.add_argument("--login-minutes", type=positive_int, default=480, metavar="M",
                   help="how long a login lasts (default 480: a working day)")
    s.set_defaults(func=cmd_serve)

    u = sub.add_parser("user", help="accounts of the web workbench 工作台账号")
    usub = u.add_subparsers(dest="ucmd", required=True, metavar="ACTION")
    s = usub.add_parser("add", help="add an account; its password is printed once")
    s.add_argument("name")
    s.add_argument("--role", dest="account_role", required=True, choices=ROLES)
    s.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input instead of generating one")
    add_db(s)
    s = usub.add_parser("list", help="list accounts")
    add_db(s)
    s.add_argument("--json", action="store_true")
    s = usub.add_parser("disable", help="disable an account (its logins end now)")
    s.add_argument("name")
    add_db(s)
    s = usub.add_parser("enable", help="enable a disabled or locked account again")
    s.add_argument("name")
    add_db(s)
    s = usub.add_parser("reset", help="a new password (printed once), lock lifted, logins ended")
    s.add_argument("name")
    s.add_argument("--password-stdin", action="store_true",
                   help="read the password from standard input instead of generating one")
    add_db(s)
    u.set_defaults(func=cmd_user)


SETTINGS_ENV = "SKILLAUDIT_WEB_SETTINGS"  # what `serve` hands its worker processes


def _settings(a: argparse.Namespace, url: str) -> dict[str, object]:
    return {"url": url, "rules_path": a.rules, "targets_path": a.targets,
            "policy": [a.lockout_after, a.lockout_minutes, a.login_minutes],
            "secure_cookies": a.secure_cookies, "files_dir": a.files}


def worker_app() -> object:
    """The app of one worker process of `serve --workers N`, from the settings its
    parent wrote to the environment (uvicorn starts workers by an import path)."""
    import json
    import os
    from pathlib import Path

    from services.logins import LoginPolicy
    from web.app import create_app
    from web.settings import Settings

    s = json.loads(os.environ[SETTINGS_ENV])
    settings = Settings(url=s["url"], rules_path=s["rules_path"],
                        targets_path=s["targets_path"], policy=LoginPolicy(*s["policy"]),
                        secure_cookies=s["secure_cookies"], files_dir=Path(s["files_dir"]))
    return create_app(settings.url, settings=settings)


def cmd_serve(a: argparse.Namespace) -> int:
    import json
    import os

    import uvicorn

    from skillaudit.console import EXIT_OK
    from skillaudit.wiring import db_url, workbench_of

    url = db_url(a.db)
    workbench_of(a).require_store()
    os.environ[SETTINGS_ENV] = json.dumps(_settings(a, url))
    shown = f"[{a.host}]" if ":" in a.host else a.host
    print(f"skillaudit workbench 审计工作台: http://{shown}:{a.port}/ (API: /api/docs) "
          f"on {url}; stop with Ctrl-C 按 Ctrl-C 停止", flush=True)
    if a.workers == 1:
        uvicorn.run(worker_app(), host=a.host, port=a.port, log_level="warning",
                    server_header=False)
    else:
        uvicorn.run("skillaudit.cli_web:worker_app", factory=True, workers=a.workers,
                    host=a.host, port=a.port, log_level="warning", server_header=False)
    return EXIT_OK


def _password(a: argparse.Namespace) -> str | None:
    if not a.password_stdin:
        return None
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user(a: argparse.Namespace) -> int:
    from services import accounts
    from skillaudit.console import EXIT_OK, label, print_json
    from skillaudit.wiring import actor_of, workbench_of

    wb, actor = workbench_of(a), actor_of(a)
    wb.require_store()
    if a.ucmd == "list":
        found = accounts.list_accounts(wb, actor)
        if a.json:
            print_json([x.as_json() for x in found])
        elif not found:
            print("No accounts yet 尚无账号: `skillaudit user add NAME --role ROLE`")
        for x in [] if a.json else found:
            j = x.as_json()
            state = "disabled 已停用" if j["disabled"] else ("locked 已锁定" if j["locked"]
                                                             else "active 正常")
            print(f"  {label(j['name'], 22)}{label(j['role'], 14)}{label(state, 16)}"
                  f"since 创建于 {j['created_at']}")
        return EXIT_OK
    if a.ucmd == "add":
        account, password = accounts.add_account(wb, actor, a.name, a.account_role,
                                                 _password(a))
        print(f"Added 已添加 {account.name} ({account.role})")
    elif a.ucmd == "reset":
        account, password = accounts.reset_password(wb, actor, a.name, _password(a))
        print(f"New password for 新密码 {account.name}; its logins ended 已注销登录")
    else:
        change = accounts.disable_account if a.ucmd == "disable" else accounts.enable_account
        account = change(wb, actor, a.name)
        print(f"{account.name}: {'disabled 已停用' if account.disabled else 'enabled 已启用'}")
        return EXIT_OK
    if not a.password_stdin:
        print(f"  password 密码: {password}  (shown once 仅显示一次)")
    return EXIT_OK

"""Who acts, in which role, and what each role may see and do.

The one permission table of the product: the web workbench, the command line
and the stream follower all ask it. Personal data in full (ID numbers, names,
phones, accounts) is for investigators and admins; case steps for
investigators; credit repair for inspectors; adopting rules and managing
accounts for admins. ``operator`` is the console of whoever holds the
database itself: they can read and write the file directly, so the console
does not pretend to restrict them. ``system`` is the stream follower.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from engine.errors import Forbidden


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    FINANCE = "finance"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    OPERATOR = "operator"
    SYSTEM = "system"


class Permission(StrEnum):
    READ = "read"  # findings, timelines, ledgers, reports, credit lists
    SEE_PERSONAL_DATA = "see_personal_data"  # ID numbers, names, phones, accounts in full
    INGEST = "ingest"  # store events, imports, quarantine retries
    DETECT = "detect"  # run the detectors and record findings
    CASE_STEP = "case_step"  # open, assign, confirm, dismiss, note, recover, close
    EVIDENCE = "evidence"  # build evidence packs
    CREDIT_RATE = "credit_rate"  # record current ratings
    CREDIT_REPAIR = "credit_repair"
    ADOPT_RULES = "adopt_rules"
    MANAGE_USERS = "manage_users"
    READ_ACCESS_LOG = "read_access_log"
    PROJECT = "project"  # rebuild read models


P = Permission
_EVERYONE = {P.READ, P.CREDIT_RATE}
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.INVESTIGATOR: frozenset(_EVERYONE | {P.SEE_PERSONAL_DATA, P.CASE_STEP, P.EVIDENCE,
                                              P.DETECT}),
    Role.FINANCE: frozenset(_EVERYONE),
    Role.INSPECTOR: frozenset(_EVERYONE | {P.CREDIT_REPAIR}),
    Role.ADMIN: frozenset(_EVERYONE | {P.SEE_PERSONAL_DATA, P.INGEST, P.DETECT, P.EVIDENCE,
                                       P.ADOPT_RULES, P.MANAGE_USERS, P.READ_ACCESS_LOG,
                                       P.PROJECT}),
    Role.OPERATOR: frozenset(Permission),
    Role.SYSTEM: frozenset({P.READ, P.INGEST, P.DETECT, P.PROJECT, P.CREDIT_RATE}),
}

WHAT = {  # each permission in words, for refusals
    P.READ: "read findings and reports 查阅", P.SEE_PERSONAL_DATA:
    "see personal data in full 查看完整个人信息", P.INGEST: "store events 导入",
    P.DETECT: "run detection 运行检测", P.CASE_STEP: "take case steps 办理案件",
    P.EVIDENCE: "build evidence packs 制作证据包", P.CREDIT_RATE: "record credit ratings 信用评价",
    P.CREDIT_REPAIR: "repair credit 信用修复", P.ADOPT_RULES: "adopt rules 启用规则",
    P.MANAGE_USERS: "manage accounts 管理账号", P.READ_ACCESS_LOG: "read the access log 访问日志",
    P.PROJECT: "rebuild read models 重建投影",
}


@dataclass(frozen=True)
class Actor:
    """Someone (or the stream follower) acting in one role; recorded with what they do."""

    name: str
    role: Role

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def require(self, permission: Permission) -> None:
        """Refuse, naming the roles that may, unless this actor's role grants it."""
        if not self.may(permission):
            allowed = ", ".join(r.value for r in Role if permission in GRANTS[r]
                                and r not in (Role.OPERATOR, Role.SYSTEM))
            raise Forbidden(f"{self.name} ({self.role.value}) may not {WHAT[permission]}: "
                            f"this needs the role {allowed} 当前角色无此权限")

    def unmasked(self, asked: bool) -> bool:
        """Whether to show personal data in full: asked for, and the role allows it."""
        if asked:
            self.require(Permission.SEE_PERSONAL_DATA)
        return asked

    @property
    def stamp(self) -> tuple[str, str]:
        """(name, role) as events record them."""
        return self.name, self.role.value


SYSTEM = Actor("stream-follower", Role.SYSTEM)

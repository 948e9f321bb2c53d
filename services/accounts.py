"""Use cases of the workbench's accounts: add, list, disable, reset (admins only).

An account has a name, one role (investigator, finance, inspector or admin:
``services.actor``) and a password hashed with argon2id. A new or reset
password is generated unless one is given, and shown once; the hash is all that
is kept. Disabling or resetting an account ends its open logins. Each change is
recorded in the log as an access event by the admin who made it.
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.errors import NotFound, UsageError
from services.access import Access, record_access
from services.accounts_db import VERIFIED, accounts, logins
from services.actor import Actor, Permission, Role
from services.workbench import Workbench

ACCOUNT_ROLES = (Role.INVESTIGATOR, Role.FINANCE, Role.INSPECTOR, Role.ADMIN)
LANGUAGES = ("zh", "en")  # the pages' language, chosen by each account
MIN_PASSWORD, MAX_PASSWORD = 10, 256
# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane): ~70 ms a check on one core, so a
# login costs little to the server and a stolen hash much to whoever guesses at it
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def now_us() -> int:
    return time.time_ns() // 1_000


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    locked_until_us: int
    failed: int
    created_us: int
    created_by: str
    changed_us: int
    language: str = "zh"

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "disabled": self.disabled,
                "locked": self.locked_until_us > now_us(), "failed_logins": self.failed,
                "created_at": _iso(self.created_us), "created_by": self.created_by,
                "password_changed_at": _iso(self.changed_us), "language": self.language}


def _iso(us: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(us / 1e6, UTC).isoformat(timespec="seconds")


def check_name(name: str) -> str:
    """An account name: 1–40 printable characters, no spaces at the ends."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not 1 <= len(name) <= 40 or any(unicodedata.category(c)[0] in "CZ" and c != " "
                                       for c in name):
        raise UsageError("an account name is 1 to 40 printable characters 账号名为1至40个字符")
    return name


def check_role(role: str) -> Role:
    try:
        r = Role(role)
    except ValueError:
        r = None
    if r not in ACCOUNT_ROLES:
        raise UsageError(f"role {role!r} is not an account role: one of "
                         f"{', '.join(r.value for r in ACCOUNT_ROLES)} 角色无效")
    return r  # type: ignore[return-value]


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UsageError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters "
                         f"密码长度须为{MIN_PASSWORD}至{MAX_PASSWORD}位")
    return password


def new_password() -> str:
    """16 random URL-safe characters (96 bits)."""
    return secrets.token_urlsafe(12)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _row(r: Any) -> Account:
    return Account(r.name, r.role, bool(r.disabled), int(r.locked_until_us), int(r.failed),
                   int(r.created_us), r.created_by, int(r.changed_us), r.language)


def find_account(wb: Workbench, name: str) -> Account | None:
    """The account of this name (for login; no permission: nothing personal in it)."""
    with wb.accounts.connect() as conn:
        r = conn.execute(sa.select(accounts).where(accounts.c.name == name)).first()
    return None if r is None else _row(r)


def list_accounts(wb: Workbench, actor: Actor) -> list[Account]:
    actor.require(Permission.MANAGE_USERS)
    with wb.accounts.connect() as conn:
        return [_row(r) for r in conn.execute(sa.select(accounts).order_by(accounts.c.name))]


def add_account(wb: Workbench, actor: Actor, name: str, role: str,
                password: str | None = None) -> tuple[Account, str]:
    """A new account; its password (generated unless given) is returned, to show once."""
    actor.require(Permission.MANAGE_USERS)
    name, r = check_name(name), check_role(role)
    password = check_password(password) if password is not None else new_password()
    t = now_us()
    try:
        with wb.accounts.begin() as conn:
            conn.execute(accounts.insert().values(
                name=name, role=r.value, password_hash=HASHER.hash(password), disabled=False,
                failed=0, locked_until_us=0, created_us=t, created_by=actor.name,
                changed_us=t, language="zh"))
    except sa.exc.IntegrityError:
        raise UsageError(f"an account named {name} exists already 账号已存在; "
                         "`skillaudit user reset` gives it a new password") from None
    record_access(wb, [Access.of(actor, "account.add", subject_type="account",
                                 subject_id=name, detail=f"role {r.value}")])
    found = find_account(wb, name)
    assert found is not None
    return found, password


def _change(wb: Workbench, actor: Actor, name: str, action: str, **values: Any) -> Account:
    actor.require(Permission.MANAGE_USERS)
    with wb.accounts.begin() as conn:
        done = conn.execute(accounts.update().where(accounts.c.name == name).values(**values))
        if done.rowcount == 0:
            raise NotFound(f"no account named {name} 账号不存在; see `skillaudit user list`")
        conn.execute(logins.update().where(logins.c.name == name).values(revoked=True))
    VERIFIED.forget(name)  # the logins this process verified end now too
    record_access(wb, [Access.of(actor, action, subject_type="account", subject_id=name)])
    found = find_account(wb, name)
    assert found is not None
    return found


def disable_account(wb: Workbench, actor: Actor, name: str) -> Account:
    """No more logins; the account's open logins end now. Its history stays."""
    return _change(wb, actor, name, "account.disable", disabled=True)


def enable_account(wb: Workbench, actor: Actor, name: str) -> Account:
    return _change(wb, actor, name, "account.enable", disabled=False, failed=0,
                   locked_until_us=0)


def reset_password(wb: Workbench, actor: Actor, name: str, password: str | None = None
                   ) -> tuple[Account, str]:
    """A new password (generated unless given), the lock lifted, open logins ended."""
    password = check_password(password) if password is not None else new_password()
    actor.require(Permission.MANAGE_USERS)
    account = _change(wb, actor, name, "account.reset", password_hash=HASHER.hash(password),
                      failed=0, locked_until_us=0, changed_us=now_us())
    return account, password


def set_language(wb: Workbench, actor: Actor, language: str) -> Account:
    """The language the actor's own pages speak (zh or en)."""
    if language not in LANGUAGES:
        raise UsageError(f"language {language!r} is one of {', '.join(LANGUAGES)} 语言无效")
    with wb.accounts.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.name == actor.name)
                     .values(language=language))
    found = find_account(wb, actor.name)
    if found is None:
        raise NotFound(f"no account named {actor.name} 账号不存在")
    return found

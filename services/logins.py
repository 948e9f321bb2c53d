"""Logging in to the workbench: passwords checked, lockout, login sessions that expire.

A login hands back a random token (kept by the browser in a cookie) and a CSRF
token; the database keeps only the token's SHA-256, so whoever reads the table
cannot log in with it. A login session ends at its expiry, at logout, or when
an admin disables the account or resets its password. After ``max_failures``
wrong passwords in a row an account is locked for ``lock_minutes`` (even the
right password is refused meanwhile). An unknown name costs the same hash
check as a known one and gets the same answer, so names cannot be probed.
Every login, refused ones included, is recorded as an access event. A server
process trusts a login it verified for ``RECHECK_SECONDS`` (one second) before
asking the database again; a logout, a disabled or reset account or a changed
password ends it at once in the process that made the change, and within that
second in the others.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from engine.errors import SkillauditError, UsageError
from services.access import Access, record_access
from services.accounts import HASHER, find_account, now_us, verify_password
from services.accounts_db import VERIFIED, accounts, logins
from services.actor import Actor, Role
from services.workbench import Workbench

_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))  # an unknown name costs the same


@dataclass(frozen=True)
class LoginPolicy:
    """Lockout and expiry; the defaults are the documented ones (docs/guides/web.md)."""

    max_failures: int = 5  # wrong passwords in a row before the account is locked
    lock_minutes: int = 15
    login_minutes: int = 480  # a login session's life: one working day


class LoginRefused(SkillauditError):
    """A wrong name or password, a disabled or a locked account (``locked``: until when)."""

    def __init__(self, message: str, locked_until_us: int = 0) -> None:
        super().__init__(message)
        self.locked_until_us = locked_until_us


@dataclass(frozen=True)
class Login:
    """An open login session: the raw token is known only to the one who logged in."""

    token: str
    csrf: str
    actor: Actor
    expires_us: int


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


WRONG = "wrong account name or password 账号或密码错误"


def log_in(wb: Workbench, name: str, password: str, policy: LoginPolicy = LoginPolicy()
           ) -> Login:
    """Check the password and open a login session; refuse (and count) otherwise."""
    account = find_account(wb, name)
    now = now_us()
    if account is None:
        verify_password(_DUMMY_HASH, password)
        _note(wb, name, "unknown", "refused", "no such account")
        raise LoginRefused(WRONG)
    role = account.role
    if account.disabled:
        verify_password(_DUMMY_HASH, password)
        _note(wb, name, role, "refused", "account disabled")
        raise LoginRefused(WRONG)
    if account.locked_until_us > now:
        _note(wb, name, role, "refused", "account locked")
        raise LoginRefused(_locked_message(account.locked_until_us), account.locked_until_us)
    with wb.accounts.connect() as conn:
        stored = conn.execute(sa.select(accounts.c.password_hash)
                              .where(accounts.c.name == name)).scalar_one()
    if not verify_password(stored, password):
        locked = _count_failure(wb, name, policy, now)
        _note(wb, name, role, "refused", "wrong password" + (", account locked" if locked else ""))
        if locked:
            raise LoginRefused(_locked_message(locked), locked)
        raise LoginRefused(WRONG)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + policy.login_minutes * 60_000_000
    with wb.accounts.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.name == name)
                     .values(failed=0, locked_until_us=0))
        conn.execute(logins.insert().values(token_sha256=token_digest(token), name=name,
                                            csrf=csrf, created_us=now, expires_us=expires,
                                            revoked=False))
    _note(wb, name, role, "ok", None)
    return Login(token, csrf, Actor(name, Role(role)), expires)


def _count_failure(wb: Workbench, name: str, policy: LoginPolicy, now: int) -> int:
    """One more failure in a row; the lock's end when this one reaches the limit (else 0)."""
    with wb.accounts.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.name == name)
                     .values(failed=accounts.c.failed + 1))
        failed = conn.execute(sa.select(accounts.c.failed).where(accounts.c.name == name)
                              ).scalar_one()
        if failed < policy.max_failures:
            return 0
        until = now + policy.lock_minutes * 60_000_000
        conn.execute(accounts.update().where(accounts.c.name == name)
                     .values(failed=0, locked_until_us=until))
        return until


def _locked_message(until_us: int) -> str:
    minutes = max(1, -(-(until_us - now_us()) // 60_000_000))
    return (f"too many wrong passwords: the account is locked for {minutes} more minute(s), "
            f"or until an admin resets it 密码错误次数过多，账号已锁定{minutes}分钟")


def _note(wb: Workbench, name: str, role: str, outcome: str, why: str | None) -> None:
    record_access(wb, [Access(name or "-", role, "login", outcome, "account", name or None,
                              detail=why)])


RECHECK_SECONDS = 1.0  # how long a verified login is trusted before the table is asked again


def cached_login(wb: Workbench, token: str) -> Login | None:
    """The login of a token verified less than ``RECHECK_SECONDS`` ago and not expired since
    (None: ask ``logged_in``). A busy page then costs no query for its login."""
    if not token or len(token) > 200:
        return None
    login = VERIFIED.get((wb.url, token_digest(token)), RECHECK_SECONDS)
    if not isinstance(login, Login) or login.token != token or login.expires_us <= now_us():
        return None
    return login


def forget_logins(name: str | None = None) -> None:
    """Verified logins forgotten (one account's, or all): the next request asks the table."""
    VERIFIED.forget(name)


def logged_in(wb: Workbench, token: str) -> Login | None:
    """The open login session of a token: not revoked, not expired, account enabled."""
    if not token or len(token) > 200:
        return None
    now = now_us()
    key = (wb.url, token_digest(token))
    with wb.accounts.connect() as conn:
        r = conn.execute(
            sa.select(logins.c.csrf, logins.c.expires_us, accounts.c.name, accounts.c.role)
            .join(accounts, accounts.c.name == logins.c.name)
            .where(logins.c.token_sha256 == key[1], logins.c.revoked.is_(False),
                   logins.c.expires_us > now, accounts.c.disabled.is_(False))).first()
    if r is None:
        VERIFIED.drop(key)
        return None
    login = Login(token, r.csrf, Actor(r.name, Role(r.role)), int(r.expires_us))
    VERIFIED.put(key, login.actor.name, login)
    return login


def log_out(wb: Workbench, login: Login) -> None:
    with wb.accounts.begin() as conn:
        conn.execute(logins.update().where(logins.c.token_sha256 == token_digest(login.token))
                     .values(revoked=True))
    VERIFIED.drop((wb.url, token_digest(login.token)))
    record_access(wb, [Access.of(login.actor, "logout", subject_type="account",
                                 subject_id=login.actor.name)])


def change_password(wb: Workbench, login: Login, current: str, new: str,
                    policy: LoginPolicy = LoginPolicy()) -> None:
    """The account's own new password; its other logins end. A wrong current password
    counts towards the lockout, as at login: a stolen cookie cannot guess it freely."""
    from services.accounts import check_password

    name = login.actor.name
    check_password(new)
    with wb.accounts.connect() as conn:
        stored = conn.execute(sa.select(accounts.c.password_hash)
                              .where(accounts.c.name == name)).scalar_one()
    if not verify_password(stored, current):
        locked = _count_failure(wb, name, policy, now_us())
        _note(wb, name, login.actor.role.value, "refused", "wrong current password")
        if locked:
            raise LoginRefused(_locked_message(locked), locked)
        raise UsageError("the current password is wrong 当前密码错误")
    with wb.accounts.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.name == name).values(
            password_hash=HASHER.hash(new), changed_us=now_us(), failed=0))
        conn.execute(logins.update().where(logins.c.name == name,
                                           logins.c.token_sha256 != token_digest(login.token))
                     .values(revoked=True))
    forget_logins(name)
    record_access(wb, [Access.of(login.actor, "account.password", subject_type="account",
                                 subject_id=name)])

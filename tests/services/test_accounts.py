"""Accounts, logins and the access log as use cases, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.errors import Forbidden, NotFound, UsageError
from services import access, accounts, logins
from services.access import Access
from services.actor import Actor, Role
from services.logins import LoginPolicy, LoginRefused
from services.workbench import Workbench

ADMIN = Actor("管理员", Role.ADMIN)
FINANCE = Actor("李会计", Role.FINANCE)
POLICY = LoginPolicy(max_failures=2, lock_minutes=5, login_minutes=10)


@pytest.fixture
def wb(store_url: str) -> Workbench:
    bench = Workbench(store_url)
    yield bench
    bench.close(release=True)


def test_only_admins_manage_accounts_and_names_are_one_each(wb: Workbench) -> None:
    with pytest.raises(Forbidden):
        accounts.add_account(wb, FINANCE, "x", "finance")
    account, password = accounts.add_account(wb, ADMIN, "张三", "investigator")
    assert account.role == "investigator" and len(password) >= accounts.MIN_PASSWORD
    with pytest.raises(UsageError):
        accounts.add_account(wb, ADMIN, "张三", "finance")
    for role in ("operator", "system", "root"):
        with pytest.raises(UsageError):
            accounts.add_account(wb, ADMIN, f"n-{role}", role)
    with pytest.raises(UsageError):
        accounts.add_account(wb, ADMIN, "short-pw", "finance", "123")
    with pytest.raises(NotFound):
        accounts.disable_account(wb, ADMIN, "nobody")
    with wb.accounts.connect() as conn:
        stored = conn.execute(sa.select(sa.text("password_hash")).select_from(
            sa.table("web_accounts"))).scalar_one()
    assert stored.startswith("$argon2id$") and password not in stored


def test_login_lockout_reset_and_the_log_of_it_all(wb: Workbench) -> None:
    _, password = accounts.add_account(wb, ADMIN, "王督查", "inspector")
    done = logins.log_in(wb, "王督查", password, POLICY)
    assert logins.logged_in(wb, done.token).actor == Actor("王督查", Role.INSPECTOR)
    with pytest.raises(LoginRefused) as first:
        logins.log_in(wb, "王督查", "wrong password", POLICY)
    assert not first.value.locked_until_us
    with pytest.raises(LoginRefused) as second:
        logins.log_in(wb, "王督查", "wrong password", POLICY)
    assert second.value.locked_until_us  # the second in a row locks
    with pytest.raises(LoginRefused):
        logins.log_in(wb, "王督查", password, POLICY)
    _, fresh = accounts.reset_password(wb, ADMIN, "王督查")
    assert logins.logged_in(wb, done.token) is None  # a reset ends open logins
    assert logins.log_in(wb, "王督查", fresh, POLICY).actor.role is Role.INSPECTOR
    total, rows = access.access_log(wb, ADMIN, by="王督查", action="login")
    assert total == 5 and [r["outcome"] for r in rows].count("refused") == 3
    with pytest.raises(Forbidden):
        access.access_log(wb, FINANCE)


def test_accesses_are_stored_in_one_batch_and_read_newest_first(wb: Workbench,
                                                                 store_url: str) -> None:
    person = "141102199005010031"
    many = [Access.of(ADMIN, "view.person", subject_type="person", subject_id=person,
                      unmasked=True) for _ in range(300)]
    assert access.record_access(wb, many) == 300
    total, rows = access.access_log(wb, ADMIN, subject_id=person, limit=10)
    assert total == 300 and len(rows) == 10 and rows[0]["position"] > rows[-1]["position"]
    assert rows[0]["subject_id"] == person
    exported = list(access.iter_access_log(wb, ADMIN, subject_id=person, page=128))
    assert len(exported) == 300
    assert [r["position"] for r in exported] == sorted(r["position"] for r in exported)


def test_an_accounts_table_of_an_earlier_layout_grows_in_place(store_url: str) -> None:
    """Accounts cannot be rebuilt from the log: a new column is added, rows kept."""
    from services.accounts_db import open_accounts

    bench = Workbench(store_url)
    with bench.store():
        pass
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE web_accounts (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
            "password_hash TEXT NOT NULL, disabled BOOLEAN NOT NULL, failed INTEGER NOT NULL, "
            "locked_until_us BIGINT NOT NULL, created_us BIGINT NOT NULL, "
            "created_by TEXT NOT NULL, changed_us BIGINT NOT NULL)")
        conn.exec_driver_sql(
            "INSERT INTO web_accounts VALUES ('老账号', 'finance', 'x', false, 0, 0, 1, 'a', 1)")
    engine.dispose()
    open_accounts(bench.url).dispose()
    found = accounts.find_account(bench, "老账号")
    assert found is not None and found.language == "zh" and found.role == "finance"
    bench.close(release=True)

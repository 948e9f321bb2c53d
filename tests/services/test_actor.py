"""The permission table: who may see and do what (one table for CLI, stream and web)."""

from __future__ import annotations

import pytest

from engine.errors import Forbidden
from services.actor import GRANTS, SYSTEM, Actor, Permission, Role

P = Permission


@pytest.mark.parametrize(("role", "permission", "allowed"), [
    (Role.INVESTIGATOR, P.SEE_PERSONAL_DATA, True),
    (Role.ADMIN, P.SEE_PERSONAL_DATA, True),
    (Role.FINANCE, P.SEE_PERSONAL_DATA, False),
    (Role.INSPECTOR, P.SEE_PERSONAL_DATA, False),
    (Role.INVESTIGATOR, P.CASE_STEP, True),
    (Role.ADMIN, P.CASE_STEP, False),
    (Role.FINANCE, P.CASE_STEP, False),
    (Role.INSPECTOR, P.CASE_STEP, False),
    (Role.INSPECTOR, P.CREDIT_REPAIR, True),
    (Role.INVESTIGATOR, P.CREDIT_REPAIR, False),
    (Role.ADMIN, P.CREDIT_REPAIR, False),
    (Role.ADMIN, P.ADOPT_RULES, True),
    (Role.ADMIN, P.MANAGE_USERS, True),
    (Role.INVESTIGATOR, P.MANAGE_USERS, False),
    (Role.FINANCE, P.READ, True),
    (Role.SYSTEM, P.DETECT, True),
    (Role.SYSTEM, P.CASE_STEP, False),
])
def test_the_matrix(role: Role, permission: Permission, allowed: bool) -> None:
    assert Actor("x", role).may(permission) is allowed


def test_every_role_reads_and_only_the_console_does_everything() -> None:
    assert all(P.READ in granted for granted in GRANTS.values())
    assert [r for r, g in GRANTS.items() if g == frozenset(Permission)] == [Role.OPERATOR]


def test_a_refusal_names_the_roles_that_may() -> None:
    with pytest.raises(Forbidden, match="investigator") as refused:
        Actor("会计", Role.FINANCE).require(P.CASE_STEP)
    assert refused.value.exit_code == 3 and "finance" in str(refused.value)


def test_unmasking_is_asked_for_and_granted() -> None:
    assert Actor("a", Role.INVESTIGATOR).unmasked(True) is True
    assert Actor("a", Role.INVESTIGATOR).unmasked(False) is False
    assert Actor("b", Role.FINANCE).unmasked(False) is False
    with pytest.raises(Forbidden):
        Actor("b", Role.FINANCE).unmasked(True)
    assert SYSTEM.stamp == ("stream-follower", "system")

"""Accounts, for admins: list, add, disable, enable, reset a password."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import Field

from services import accounts
from web.auth import UserManager
from web.json import FastRoute
from web.params import Body

router = APIRouter(prefix="/api/users", route_class=FastRoute, tags=["accounts 账号"])

Name = Annotated[str, Path(min_length=1, max_length=40)]
Password = Annotated[str, Field(min_length=accounts.MIN_PASSWORD,
                                max_length=accounts.MAX_PASSWORD)]


class NewAccount(Body):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    role: Literal["investigator", "finance", "inspector", "admin"]
    password: Password | None = None  # generated when left out, and returned once


class Reset(Body):
    password: Password | None = None


@router.get("", summary="every account 账号列表")
def list_accounts(request: Request, actor: UserManager) -> dict[str, Any]:
    return {"accounts": [a.as_json() for a in accounts.list_accounts(request.app.state.wb,
                                                                      actor)]}


@router.post("", summary="add an account 新增账号")
def add(request: Request, body: NewAccount, actor: UserManager) -> dict[str, Any]:
    account, password = accounts.add_account(request.app.state.wb, actor, body.name,
                                             body.role, body.password)
    return {"account": account.as_json(),
            "password": None if body.password is not None else password}


@router.post("/{name}/disable", summary="disable an account 停用账号")
def disable(request: Request, name: Name, actor: UserManager) -> dict[str, Any]:
    return {"account": accounts.disable_account(request.app.state.wb, actor, name).as_json()}


@router.post("/{name}/enable", summary="enable an account again 启用账号")
def enable(request: Request, name: Name, actor: UserManager) -> dict[str, Any]:
    return {"account": accounts.enable_account(request.app.state.wb, actor, name).as_json()}


@router.post("/{name}/reset", summary="a new password 重置密码")
def reset(request: Request, name: Name, body: Reset, actor: UserManager) -> dict[str, Any]:
    account, password = accounts.reset_password(request.app.state.wb, actor, name,
                                                body.password)
    return {"account": account.as_json(),
            "password": None if body.password is not None else password}

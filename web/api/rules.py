"""The rules lab: the rules in force, a what-if run of other rules (nothing recorded), adopting.

A candidate rules file comes as an upload (``file``) or as its text (``text``), as
the page's textarea sends it; it is checked as ``--rules`` is, and a bad one is
refused naming the key. Any reader may run a what-if (``services.rules_lab``);
only a role that may adopt rules adopts them, and the adoption is an event
with the file's digest.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from engine.errors import UsageError
from services import rules_lab
from services.actor import Actor, Permission
from web.access import Seen, SeenDep
from web.auth import Reader, need
from web.json import FastRoute
from web.params import AsOfDep, Unmask

router = APIRouter(prefix="/api/rules", route_class=FastRoute, tags=["rules lab 规则实验室"])

Adopter = Annotated[Actor, Depends(need(Permission.ADOPT_RULES))]
MAX_RULES = 1024 * 1024  # bytes of a rules file
RulesUpload = Annotated[UploadFile | None, File(description="a rules file (TOML) 规则文件")]
RulesText = Annotated[str | None, Form(max_length=MAX_RULES,
                                       description="the text of a rules file 规则文本")]


def in_force_json(request: Request, actor: Actor, as_of: Any) -> dict[str, Any]:
    """The rules in force as of a point, with their text (the defaults' when none adopted)."""
    shown = rules_lab.rules_in_force(request.app.state.wb, actor, as_of=as_of).as_json()
    defaults = shown["text"] is None
    if defaults:
        shown["text"] = rules_lab.default_rules_text()
    return {**shown, "defaults": defaults}


async def candidate_of(file: UploadFile | None, text: str | None) -> tuple[str, str | None]:
    """(the candidate's text, its name): an upload wins over text; one of them is needed."""
    if file is not None and (file.filename or file.size):
        raw = await file.read(MAX_RULES + 1)
        if len(raw) > MAX_RULES:
            raise UsageError("the rules file is larger than 1 MB 规则文件过大")
        try:
            return raw.decode("utf-8-sig"), file.filename or None
        except UnicodeDecodeError:
            raise UsageError(f"{file.filename}: not UTF-8 text; save it as UTF-8 "
                             "规则文件须为UTF-8编码") from None
    if text is not None and text.strip():
        return text.replace("\r\n", "\n"), None
    raise UsageError("give a rules file (file) or its text (text) 请提供规则文件或规则文本")


def note_what_if(seen: Seen, result: rules_lab.WhatIf) -> None:
    """The persons a what-if showed in full, noted as views."""
    seen.view("person", sorted({d["subject_id"] for d in result.differences
                                if d["subject_type"] == "person"}), unmasked=result.unmasked)


@router.get("", summary="the rules in force and every adoption 现行规则")
def in_force(request: Request, actor: Reader, as_of: AsOfDep) -> dict[str, Any]:
    return in_force_json(request, actor, as_of)


@router.post("/what-if", summary="the difference other rules would make; nothing recorded "
                                 "规则试算")
async def what_if(request: Request, actor: Reader, seen: SeenDep, as_of: AsOfDep,
                  file: RulesUpload = None, text: RulesText = None, unmask: Unmask = False
                  ) -> dict[str, Any]:
    rules, name = await candidate_of(file, text)
    result = await run_in_threadpool(rules_lab.what_if, request.app.state.wb, actor, rules,
                                     as_of=as_of, unmask=unmask, name=name)
    note_what_if(seen, result)
    return result.as_json()


@router.post("/adopt", summary="make a rules file the rules in force 启用规则")
async def adopt(request: Request, actor: Adopter, seen: SeenDep, file: RulesUpload = None,
                text: RulesText = None) -> dict[str, Any]:
    rules, name = await candidate_of(file, text)
    done = await run_in_threadpool(rules_lab.adopt, request.app.state.wb, actor, rules,
                                   name=name)
    if done.stored:
        seen.note("adopt_rules", "rules", [done.rules.digest])
    return {"stored": done.stored, "rules": done.rules.__dict__,
            "previous": done.previous.__dict__, "event_id": done.event_id,
            "position": done.position}

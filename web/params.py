"""Query parameters many routes share: as of a point, a page, unmasking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import BaseModel, ConfigDict, model_validator

from services.workbench import AsOf, as_of

MAX_PAGE = 500


async def as_of_point(
    as_of_time: Annotated[str | None, Query(
        alias="as_of", max_length=40,
        description="read as of this recording time, with its UTC offset "
                    "(2024-03-01T00:00:00+08:00) 截至时间")] = None,
    as_of_position: Annotated[int | None, Query(
        ge=0, le=2**62, description="read as of this log position 截至日志位置")] = None,
    as_of_day: Annotated[str | None, Query(
        max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="read what was recorded by the end of this day, Beijing time "
                    "(YYYY-MM-DD) 截至日期")] = None,
) -> AsOf:
    return as_of(as_of_time, as_of_position, as_of_day)


AsOfDep = Annotated[AsOf, Depends(as_of_point)]


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


async def page(limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="rows per page")] = 50,
         offset: Annotated[int, Query(ge=0, le=10**9, description="rows skipped")] = 0
         ) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page)]
Unmask = Annotated[bool, Query(description="show personal data in full (investigators and "
                                           "admins) 显示完整个人信息")]


def _nul_free(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, dict):
        return all(_nul_free(k) and _nul_free(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_nul_free(v) for v in value)
    return True


class Body(BaseModel):
    """A JSON body: no NUL character anywhere in it (PostgreSQL's text refuses them)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if not _nul_free(data):
            raise ValueError("a NUL character is not allowed 不允许空字符")
        return data

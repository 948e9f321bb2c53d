"""The mapping file: header names, fixed values and, for a folder, which file is which kind.

```toml
[files]                      # file-name patterns → kind (optionally a sheet)
"*花名册*" = "persons"
"考勤*.csv" = "attendance"
"开班*.xlsx" = { kind = "classes", sheet = "开班信息" }

[columns]                    # header → field, for every kind
"学员证件号" = "person_id"

[attendance.columns]         # header → field, for one kind; "-" leaves a column out
"刷脸时间" = "occurred_at"
"操作" = "-"

[persons.fixed]              # a value the sheet lacks, for every row
county = "交口县"
occurred_at = "2023-01-01"
```

Everything is checked when the file is read: an unknown kind or field, a fixed
value its field refuses, a pattern naming no kind — each a ``UsageError`` naming
the file and the key, before anything is stored.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import UsageError
from imports.headers import names_of, normalise
from imports.kinds import ENVELOPE, KINDS
from imports.values import Refusal

LEAVE_OUT = "-"


@dataclass(frozen=True)
class FilePattern:
    pattern: str
    kind: str
    sheet: str | None = None


@dataclass(frozen=True)
class Mapping:
    """Header names and fixed values over the built-in ones; file patterns for folders."""

    path: str | None = None
    files: tuple[FilePattern, ...] = ()
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # kind or "" → name → field
    fixed: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind → field → value

    def names(self, kind: str) -> dict[str, str]:
        """Normalised header → field (or ``LEAVE_OUT``) for a kind, this file's names first."""
        return {**names_of(kind), **self.columns.get("", {}), **self.columns.get(kind, {})}

    def fixed_values(self, kind: str) -> dict[str, Any]:
        """The fields the mapping fixes for every row of a kind, as written in the file."""
        return dict(self.fixed.get(kind, {}))

    def match(self, file_name: str) -> FilePattern | None:
        """The first pattern the file's name matches, or None."""
        for p in self.files:
            if fnmatch.fnmatch(file_name, p.pattern):
                return p
        return None


def _wrong(path: str, key: str, what: str) -> UsageError:
    return UsageError(f"mapping file {path}: {key}: {what} 映射文件有误")


def _kind_name(path: str, key: str, value: Any) -> str:
    if value not in KINDS:
        raise _wrong(path, key, f"{value!r} is not a kind; kinds: {', '.join(KINDS)}")
    return str(value)


def _columns(path: str, key: str, table: Any, kinds: list[str]) -> dict[str, str]:
    if not isinstance(table, dict):
        raise _wrong(path, key, "must be a table of header = field")
    known = {LEAVE_OUT, *ENVELOPE}.union(*(KINDS[k].fields for k in kinds))
    out: dict[str, str] = {}
    for header, target in table.items():
        if not isinstance(target, str) or target not in known:
            raise _wrong(path, f"{key}.{header}",
                         f"{target!r} is not a field of {'/'.join(kinds)}; fields: "
                         f"{', '.join(sorted(known - {LEAVE_OUT}))}, or \"-\" to leave it out")
        out[normalise(header)] = target
    return out


def _fixed(path: str, kind: str, table: Any) -> dict[str, Any]:
    key = f"{kind}.fixed"
    if not isinstance(table, dict):
        raise _wrong(path, key, "must be a table of field = value")
    parsers = KINDS[kind].parsers
    for name, value in table.items():
        if name not in parsers:
            raise _wrong(path, f"{key}.{name}", f"{kind} has no field {name!r}; fields: "
                                                f"{', '.join(parsers)}")
        try:
            parsers[name](value)
        except Refusal as r:
            raise _wrong(path, f"{key}.{name}", r.en) from None
    return dict(table)


def load_mapping(path: str | Path | None) -> Mapping:
    """The mapping file at ``path`` (None: the built-in names only)."""
    if path is None:
        return Mapping()
    name = str(path)
    try:
        doc = tomllib.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"cannot read the mapping file {name}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"mapping file {name} is not valid UTF-8 TOML: {exc} "
                         "映射文件不是有效的 TOML") from None
    files: list[FilePattern] = []
    for pattern, target in (doc.pop("files", None) or {}).items():
        if isinstance(target, dict):
            kind = _kind_name(name, f"files.{pattern}.kind", target.get("kind"))
            sheet = target.get("sheet")
            files.append(FilePattern(pattern, kind, None if sheet is None else str(sheet)))
        else:
            files.append(FilePattern(pattern, _kind_name(name, f"files.{pattern}", target)))
    columns = {"": _columns(name, "columns", doc.pop("columns", {}), list(KINDS))}
    fixed: dict[str, dict[str, Any]] = {}
    for kind, table in doc.items():
        _kind_name(name, kind, kind)
        if not isinstance(table, dict) or set(table) - {"columns", "fixed"}:
            raise _wrong(name, kind, "a kind's table holds only `columns` and `fixed`")
        columns[kind] = _columns(name, f"{kind}.columns", table.get("columns", {}), [kind])
        fixed[kind] = _fixed(name, kind, table.get("fixed", {}))
    return Mapping(name, tuple(files), columns, fixed)

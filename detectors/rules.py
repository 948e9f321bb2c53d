"""Rules as data: thresholds, subsidy tables, caps, deadlines and ages in a TOML file.

``rules.default.toml`` (beside this module) holds the spec's defaults. A user's
file (``--rules my.toml``) is merged over it key by key; unknown rule codes or
keys are rejected with the file and key named, values are converted to each
detector's ``Params`` field types, and the digest of the merged rules is
recorded with every finding so each one traces to the exact rules it ran under.

A ``[credit]`` table holds the institution credit model's weights and grade
bands (``credit/``). A ``[policy]`` table holds values several rules share (working ages, per-day
rates, the payment deadline); a rule's ``Params`` field takes the policy value
of the same name unless the rule's own table sets it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import tomllib
import typing
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from engine.errors import UsageError

DEFAULT_RULES = Path(__file__).with_name("rules.default.toml")


class RulesFileError(UsageError, ValueError):
    """A rules file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Rules:
    """The merged rules: version, digest, the policy table and each rule's table."""

    version: str
    digest: str
    policy: dict[str, Any]
    tables: dict[str, dict[str, Any]]
    source: str
    credit: dict[str, Any] = dataclasses.field(default_factory=dict)
    stream: dict[str, Any] = dataclasses.field(default_factory=dict)

    def params(self, code: str, params_cls: type) -> Any:
        """Build a detector's ``Params`` from its table (and the shared policy)."""
        table = self.tables.get(code, {})
        hints = typing.get_type_hints(params_cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(params_cls):
            if f.name in table:
                raw = table[f.name]
            elif f.name in self.policy:
                raw = self.policy[f.name]
            else:
                continue
            values[f.name] = _convert(raw, hints[f.name], f"rules.{code}.{f.name}", self.source)
        return params_cls(**values)


def _convert(raw: Any, hint: Any, key: str, source: str) -> Any:
    origin = typing.get_origin(hint)
    try:
        if hint is Decimal:
            return Decimal(str(raw))
        if hint is bool:
            if not isinstance(raw, bool):
                raise TypeError("expected true or false")
            return raw
        if hint is int:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise TypeError("expected an integer")
            return raw
        if hint is float:
            return float(raw)
        if hint is str:
            if not isinstance(raw, str):
                raise TypeError("expected a string")
            return raw
        if origin is tuple:
            inner = typing.get_args(hint)[0]
            return tuple(_convert(v, inner, key, source) for v in raw)
        if origin is dict:
            return {str(k): v for k, v in dict(raw).items()}
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise RulesFileError(f"{source}: {key} = {raw!r}: {exc}") from None
    return raw


# [stream] settings that take one of a few words (the stream's numbers are checked where used)
STREAM_CHOICES = {"string_storage": ("python", "pyarrow", "auto")}


def _merge(base: dict[str, Any], over: dict[str, Any], source: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for section in over:
        if section not in ("version", "policy", "rules", "credit", "stream"):
            raise RulesFileError(f"{source}: unknown top-level key {section!r} "
                                 "(expected version, [policy], [rules.CODE], [credit] or "
                                 "[stream])")
    for key, value in over.get("stream", {}).items():
        if key not in merged.get("stream", {}):
            raise RulesFileError(f"{source}: unknown key stream.{key}; known: "
                                 f"{', '.join(sorted(merged.get('stream', {})))}")
        if key in STREAM_CHOICES and value not in STREAM_CHOICES[key]:
            raise RulesFileError(f"{source}: stream.{key} = {value!r}; expected one of "
                                 f"{', '.join(STREAM_CHOICES[key])}")
        merged["stream"][key] = value
    for key, value in over.get("credit", {}).items():
        if key not in merged.get("credit", {}):
            raise RulesFileError(f"{source}: unknown key credit.{key}; known: "
                                 f"{', '.join(sorted(merged.get('credit', {})))}")
        if isinstance(value, dict):
            unknown = set(value) - set(merged["credit"][key])
            if unknown:
                raise RulesFileError(f"{source}: unknown key(s) credit.{key}."
                                     f"{', '.join(sorted(unknown))}")
            merged["credit"][key] = {**merged["credit"][key], **value}
        else:
            merged["credit"][key] = value
    if "version" in over:
        merged["version"] = str(over["version"])
    for key, value in over.get("policy", {}).items():
        if key not in merged["policy"]:
            raise RulesFileError(f"{source}: unknown key policy.{key}; known: "
                                 f"{', '.join(sorted(merged['policy']))}")
        merged["policy"][key] = value
    for code, table in over.get("rules", {}).items():
        if code not in merged["rules"]:
            raise RulesFileError(f"{source}: unknown rule code rules.{code}; known: "
                                 f"{', '.join(sorted(merged['rules']))}")
        for key, value in table.items():
            if key not in merged["rules"][code]:
                raise RulesFileError(f"{source}: unknown key rules.{code}.{key}; known: "
                                     f"{', '.join(sorted(merged['rules'][code]))}")
            merged["rules"][code][key] = value
    return merged


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesFileError(f"cannot read rules file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{path}: not valid TOML: {exc}") from None


def load_rules(path: str | Path | None = None) -> Rules:
    """The default rules, merged with ``path`` when given."""
    merged = _read(DEFAULT_RULES)
    merged.setdefault("policy", {})
    merged.setdefault("rules", {})
    source = str(DEFAULT_RULES.name)
    if path is not None:
        merged = _merge(merged, _read(Path(path)), str(path))
        source = str(path)
    # the detectors' digest: the credit model's table has its own, and a stream's cadence
    # changes when findings are looked for, not what they are: neither may move finding ids
    detecting = {k: v for k, v in merged.items() if k not in ("credit", "stream")}
    canonical = json.dumps(detecting, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return Rules(str(merged.get("version", "0")), digest, merged["policy"], merged["rules"],
                 source, merged.get("credit", {}), merged.get("stream", {}))

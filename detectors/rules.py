"""Rules as data: thresholds, subsidy tables, caps, deadlines and ages in a TOML file.

``rules.default.toml`` (beside this module) holds the spec's defaults. A user's
file (``--rules my.toml``) is merged over it key by key; unknown rule codes or
keys are rejected with the file and key named, every value is checked, when the
file is read, against the type and range its ``Params`` field declares
(``detectors/constraints.py``), and the digest of the merged rules is recorded
with every finding so each one traces to the exact rules it ran under.

A ``[credit]`` table holds the institution credit model's weights and grade
bands (``credit/``). A ``[policy]`` table holds values several rules share (working ages, per-day
rates, the payment deadline); a rule's ``Params`` field takes the policy value
of the same name unless the rule's own table sets it.

A local standard neither the spec nor the seed reports give (certification
amounts by level, minimum hours by level, the local minimum income …) is
*unset* by default: an empty table ``{}`` or an empty string ``""``, which a
``Params`` field typed ``X | None`` reads as ``None``. The rule then checks
nothing for it and says so (``detectors.base.Unchecked``) until a user's file
sets it.

A ``[guard]`` table holds the product's own guard against a mis-set rule (not a
policy value): ``max_flagged_share`` (any ``[rules.CODE]`` table may override it)
and ``min_flagged``. Neither changes what a rule finds, so neither is in the digest.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import tomllib
import typing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from msgspec import Meta

from detectors.constraints import RulesFileError, Whole, check

DEFAULT_RULES = Path(__file__).with_name("rules.default.toml")

GUARD_KEY = "max_flagged_share"  # allowed in every [rules.CODE] table: a per-rule guard
# the values of [guard] and [stream] a rules file may set (the stream's numbers are checked
# where they are used); a rule's own values are declared by the types of its Params
GUARD = {
    GUARD_KEY: Annotated[Decimal, Meta(gt=0, le=1,
                                       description='a share above 0 and at most 1, e.g. "0.20"')],
    "min_flagged": Whole,
}
STREAM = {"string_storage": Literal["python", "pyarrow", "auto"]}


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
    guard: dict[str, Any] = dataclasses.field(default_factory=dict)

    def params(self, code: str, params_cls: type) -> Any:
        """Build a detector's ``Params`` from its table (and the shared policy), each value
        checked against the type its field declares (``detectors.constraints``)."""
        table = self.tables.get(code, {})
        hints = typing.get_type_hints(params_cls, include_extras=True)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(params_cls):
            if f.name in table:
                raw = table[f.name]
            elif f.name in self.policy:
                raw = self.policy[f.name]
            else:
                continue
            values[f.name] = check(raw, hints[f.name], self.key_of(code, f.name), self.source)
        return params_cls(**values)

    def key_of(self, code: str, name: str) -> str:
        """How a user's rules file names a rule's parameter: its own table's, else the policy's."""
        if name in self.tables.get(code, {}) or name not in self.policy:
            return f"rules.{code}.{name}"
        return f"policy.{name}"

    def max_flagged_share(self, code: str) -> Decimal:
        """The share of its examined subjects above which a rule's findings are doubted."""
        own = GUARD_KEY in self.tables.get(code, {})
        raw = self.tables[code][GUARD_KEY] if own else self.guard.get(GUARD_KEY, "1")
        key = f"rules.{code}.{GUARD_KEY}" if own else f"guard.{GUARD_KEY}"
        share: Decimal = check(raw, GUARD[GUARD_KEY], key, self.source)
        return share

    def canonical(self) -> dict[str, Any]:
        """Every table as merged, plain data: what an adoption stores and loads back
        (``rules_from_canonical``) to the same digest."""
        return copy.deepcopy({"version": self.version, "policy": self.policy,
                              "rules": self.tables, "credit": self.credit,
                              "stream": self.stream, "guard": self.guard})

    def canonical_digest(self) -> str:
        """The digest of every table, the guard, credit and stream ones too: two adoptions
        of rules that differ only there are two adoptions, though findings keep their ids."""
        text = json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def min_flagged(self) -> int:
        """Fewer distinct subjects flagged than this are read one by one: no flood to doubt."""
        least: int = check(self.guard.get("min_flagged", 1), GUARD["min_flagged"],
                           "guard.min_flagged", self.source)
        return least


def _merge(base: dict[str, Any], over: dict[str, Any], source: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for section in over:
        if section not in ("version", "policy", "rules", "credit", "stream", "guard"):
            raise RulesFileError(f"{source}: unknown top-level key {section!r} "
                                 "(expected version, [policy], [rules.CODE], [credit], "
                                 "[stream] or [guard])")
    for key, value in over.get("guard", {}).items():
        if key not in merged.get("guard", {}):
            raise RulesFileError(f"{source}: unknown key guard.{key}; known: "
                                 f"{', '.join(sorted(merged.get('guard', {})))}")
        merged["guard"][key] = value
    for key, value in over.get("stream", {}).items():
        if key not in merged.get("stream", {}):
            raise RulesFileError(f"{source}: unknown key stream.{key}; known: "
                                 f"{', '.join(sorted(merged.get('stream', {})))}")
        merged["stream"][key] = check(value, STREAM[key], f"stream.{key}", source) \
            if key in STREAM else value
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
            if key not in merged["rules"][code] and key != GUARD_KEY:
                raise RulesFileError(f"{source}: unknown key rules.{code}.{key}; known: "
                                     f"{', '.join(sorted(merged['rules'][code]))}")
            merged["rules"][code][key] = value
    return merged


def read_rules_text(path: Path) -> str:
    """A rules file's text; one that cannot be read is refused, naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesFileError(f"cannot read rules file {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise RulesFileError(f"{path}: not UTF-8 text ({exc}); save it as UTF-8") from None


def _read(path: Path) -> dict[str, Any]:
    return _parse(read_rules_text(path), str(path))


def _parse(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{source}: not valid TOML: {exc}") from None


def _defaults() -> dict[str, Any]:
    merged = _read(DEFAULT_RULES)
    merged.setdefault("policy", {})
    merged.setdefault("rules", {})
    return merged


def load_rules(path: str | Path | None = None) -> Rules:
    """The default rules, merged with ``path`` when given."""
    if path is None:
        return _built(_defaults(), str(DEFAULT_RULES.name))
    return _built(_merge(_defaults(), _read(Path(path)), str(path)), str(path))


def load_rules_text(text: str, source: str) -> Rules:
    """Rules from the text of a rules file (an upload, a stored adoption), merged over the
    defaults and checked as a file is; ``source`` names it in every message."""
    return _built(_merge(_defaults(), _parse(text, source), source), source)


def rules_from_canonical(canonical: dict[str, Any], source: str) -> Rules:
    """Rules from their canonical form (``Rules.canonical``, as an adoption stores it),
    merged over the defaults so that a rule added since finds its own defaults."""
    return _built(_merge(_defaults(), canonical, source), source)


def _built(merged: dict[str, Any], source: str) -> Rules:
    """The merged tables as ``Rules``: digested, and every value checked."""
    # the detectors' digest: the credit model's table has its own, a stream's cadence
    # changes when findings are looked for and the guard how they are read, not what they
    # are: none of them may move finding ids
    detecting = {k: v for k, v in merged.items() if k not in ("credit", "stream", "guard")}
    detecting["rules"] = {code: {k: v for k, v in table.items() if k != GUARD_KEY}
                          for code, table in merged["rules"].items()}
    canonical = json.dumps(detecting, sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    rules = Rules(str(merged.get("version", "0")), digest, merged["policy"], merged["rules"],
                  source, merged.get("credit", {}), merged.get("stream", {}),
                  merged.get("guard", {}))
    _check_all(rules)
    return rules


def _check_all(rules: Rules) -> None:
    """Every value of the merged rules checked against what it declares, now, before any
    rule runs: a file error surfaces when the file is read, not halfway through a run."""
    from detectors.registry import registry

    for code, module in registry().items():
        rules.params(code, module.Params)
    for code in rules.tables:
        rules.max_flagged_share(code)
    rules.min_flagged()

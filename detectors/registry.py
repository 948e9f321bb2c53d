"""Every detector module in this package, found by its ``CODE``: adding one is adding a file."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import detectors
from detectors.base import CATEGORIES, DetectorModule

_NOT_DETECTORS = {"base", "registry", "rules", "run", "explain", "geo", "common"}


@cache
def registry() -> dict[str, DetectorModule]:
    """Detector modules by code, in code order."""
    found: dict[str, DetectorModule] = {}
    for info in pkgutil.iter_modules(detectors.__path__):
        if info.name in _NOT_DETECTORS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"detectors.{info.name}")
        code = getattr(module, "CODE", None)
        if code is None:
            continue
        if code in found:
            raise RuntimeError(f"two detectors claim {code}: {found[code]} and {module}")
        if module.CATEGORY not in CATEGORIES:
            raise RuntimeError(f"{module.__name__}: unknown category {module.CATEGORY}")
        found[code] = module  # type: ignore[assignment]
    return dict(sorted(found.items()))

"""No failure is swallowed unseen: a broad ``except`` raises, logs or hands the exception on.

Read with ``ast`` over every Python file of the repository (the product, its tests and
benches): a new ``except Exception: pass``, an ``except ImportError`` that quietly does
without, or a ``suppress(Exception)`` fails here, naming file and line. Catch the
exception meant instead (``except RuntimeError``, ``suppress(ValueError)``), or log
what is swallowed and why. The rule is in ``tests/architecture/handlers.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.architecture.handlers import hidden
from tests.architecture.imports import ROOT

SKIP = {".venv", ".git", "site"}


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py")
                  if not SKIP & set(p.relative_to(ROOT).parts))


def test_no_broad_handler_hides_a_failure() -> None:
    files = _sources()
    assert len(files) > 200, "too few files: is the repository where the test looks?"
    found = [f"{path.relative_to(ROOT)}: {h}" for path in files
             for h in hidden(path.read_text(encoding="utf-8"), str(path))]
    assert not found, ("catch the exception you mean, or log what you swallow and why:\n"
                       + "\n".join(found))


@pytest.mark.parametrize("source", [
    "try:\n    f()\nexcept Exception:\n    pass\n",
    "try:\n    f()\nexcept:\n    x = None\n",
    "try:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
    "try:\n    f()\nexcept (ValueError, BaseException):\n    return None\n",
    "try:\n    f()\nexcept Exception as exc:\n    def later():\n        raise exc\n",
    "try:\n    f()\nexcept Exception:\n    print('failed')\n",
    "try:\n    f()\nexcept ModuleNotFoundError:\n    g()\n",
    "with contextlib.suppress(Exception):\n    f()\n",
    "with suppress(OSError, BaseException):\n    f()\n",
])
def test_a_planted_hiding_handler_is_caught(source: str) -> None:
    assert list(hidden(source)), source


@pytest.mark.parametrize("source", [
    "try:\n    f()\nexcept Exception:\n    cleanup()\n    raise\n",
    "try:\n    f()\nexcept Exception as exc:\n    raise Usage(str(exc)) from None\n",
    "try:\n    f()\nexcept Exception:\n    log.exception('f failed; going on')\n",
    "try:\n    f()\nexcept Exception:\n    self.log.warning('f failed', exc_info=True)\n",
    "try:\n    f()\nexcept Exception:\n    logging.getLogger(__name__).debug('f failed')\n",
    "try:\n    f()\nexcept Exception as exc:\n    result.errors[code] = str(exc)\n",
    "try:\n    f()\nexcept Exception as exc:\n    print(f'warning: {exc}', file=sys.stderr)\n",
    "try:\n    f()\nexcept (KeyError, ValueError):\n    pass\n",
    "with contextlib.suppress(ProcessLookupError):\n    os.kill(pid, 9)\n",
])
def test_a_handler_that_raises_logs_hands_on_or_is_narrow_passes(source: str) -> None:
    assert not list(hidden(source)), source

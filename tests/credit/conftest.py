"""Credit tests share the e2e ``cli`` fixture (``python -m skillaudit …`` in a subprocess)."""

from tests.e2e.conftest import cli  # noqa: F401  (a fixture, used by name)

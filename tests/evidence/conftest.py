"""Evidence tests reuse the end-to-end ``cli`` fixture."""

from tests.e2e.conftest import cli  # noqa: F401

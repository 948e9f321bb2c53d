"""The e2e ``cli`` fixture, for the report command's tests here."""

from tests.e2e.conftest import cli

__all__ = ["cli"]

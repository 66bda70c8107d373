"""Fixtures of the security tests (the helpers themselves are in `support`)."""

from tests.security.support import run_cli

__all__ = ["run_cli"]

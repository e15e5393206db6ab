"""The account tests' cheap Argon2 serves here too: these tests make several staff accounts."""

from __future__ import annotations

from tests.accounts.conftest import _cheap_argon2

__all__ = ["_cheap_argon2"]

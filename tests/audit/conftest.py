"""The account tests' cheap Argon2 serves here too (staff log in), and raw SQL helpers that
tamper with the log as someone with database access would, past the ORM's and the trigger's
refusals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from tests.accounts.conftest import _cheap_argon2

__all__ = ["_cheap_argon2", "raw", "trigger_off"]


@contextmanager
def trigger_off() -> Iterator[None]:
    """The append-only trigger out of the way, within the test's transaction only."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_entry_append_only")
    yield


def raw(sql: str, *params: str | int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))

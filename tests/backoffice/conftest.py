"""The account tests' cheap Argon2 serves here too: these tests make several staff accounts; the
roles' personas (tests/backoffice/personas.py) serve every back-office test."""

from __future__ import annotations

from tests.accounts.conftest import _cheap_argon2
from tests.backoffice.personas import (
    capa_lyon,
    national_roll,
    observer,
    organizer,
    organizer_dijon,
    reader_dijon,
)

__all__ = [
    "_cheap_argon2",
    "capa_lyon",
    "national_roll",
    "observer",
    "organizer",
    "organizer_dijon",
    "reader_dijon",
]

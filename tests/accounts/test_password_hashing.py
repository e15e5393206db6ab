"""Passwords are hashed with Argon2id at OWASP's costs, so that a login costs a fraction of a
core; hashes made with Django's heavier defaults are made again at the next successful login."""

from __future__ import annotations

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from urne.accounts.models import User

LOGIN = reverse("accounts:login")
# OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 passes, 1 lane.
OWASP = {"type": argon2.Type.ID, "memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


@pytest.fixture
def _cheap_argon2() -> None:
    """The real costs in this module (it replaces the accounts tests' cheap ones): they are
    what it checks."""


def costs(encoded: str) -> dict[str, object]:
    params = argon2.extract_parameters("$" + encoded.split("$", 1)[1])
    return {
        "type": params.type,
        "memory_cost": params.memory_cost,
        "time_cost": params.time_cost,
        "parallelism": params.parallelism,
    }


def with_old_hash(user: User) -> str:
    """Give the account a hash made with Django's default Argon2 costs (100 MiB, 2 passes,
    8 lanes), as every account had before; return it."""
    old = Argon2PasswordHasher()
    encoded = old.encode(PASSWORD, old.salt())
    assert costs(encoded)["memory_cost"] == 102400
    User.objects.filter(pk=user.pk).update(password=encoded)
    return encoded


def test_a_new_password_is_hashed_with_owasp_argon2id_costs(voter_bob: User) -> None:
    assert voter_bob.password.startswith("argon2$argon2id$")
    assert costs(voter_bob.password) == OWASP


@pytest.mark.parametrize("persona", ["voter_bob", "staff_dijon"])
def test_an_old_hash_is_made_again_with_the_new_costs_at_a_successful_login(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    user: User = request.getfixturevalue(persona)
    old = with_old_hash(user)

    response = client.post(LOGIN, {"email": user.email, "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password != old
    assert costs(user.password) == OWASP
    assert user.check_password(PASSWORD)


def test_a_failed_login_keeps_the_old_hash(client: Client, voter_bob: User) -> None:
    old = with_old_hash(voter_bob)

    response = client.post(LOGIN, {"email": voter_bob.email, "password": "Mauvais1x"})

    assert response.status_code == 200
    voter_bob.refresh_from_db()
    assert voter_bob.password == old

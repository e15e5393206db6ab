"""Helpers of the second-factor tests: the TOTP clock, codes as an application makes them, and
the sign-in's pages driven as a browser would."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import _cheap_argon2  # noqa: F401 (autouse: cheap hashing)
from tests.conftest import PASSWORD, TotpClock
from urne.accounts.models import User

LOGIN = reverse("accounts:login")
ENROL = reverse("staffauth:enrol")
VERIFY = reverse("staffauth:verify")
RECOVERY_CODES = reverse("staffauth:recovery_codes")
BACK_OFFICE = reverse("admin:index")
HOME = reverse("backoffice:home")
"""Where staff land after signing in when they asked for no page: the back office's home."""
RECOVERY_CODE = re.compile(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>")


def give_password(client: Client, email: str, password: str = PASSWORD, next_url: str = ""):
    data = {"email": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def pending_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return device


def enrol(client: Client, user: User, clock: TotpClock) -> list[str]:
    """Sign in for the first time: password, the enrolment page, a code; the recovery codes."""
    assert give_password(client, user.email)["Location"] == ENROL
    client.get(ENROL)
    response = client.post(ENROL, {"code": clock.code(pending_device(user))})
    assert response["Location"] == RECOVERY_CODES
    return RECOVERY_CODE.findall(client.get(RECOVERY_CODES).content.decode())


@pytest.fixture
def recovery_codes(staff_dijon: User, totp_clock: TotpClock) -> list[str]:
    """The recovery codes staff_dijon noted when she enrolled her application, a step ago."""
    codes = enrol(Client(), staff_dijon, totp_clock)
    totp_clock.step()
    return codes


@pytest.fixture
def enrolled_dijon(staff_dijon: User, recovery_codes: list[str]) -> User:
    """staff_dijon, who enrolled her application earlier (in another session)."""
    return staff_dijon


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def wrong(code: str, n: int = 0) -> str:
    """A six-digit code that is not `code` (the n-th after it)."""
    return f"{(int(code) + 1 + n) % 1_000_000:06d}"


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session

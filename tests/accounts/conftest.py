"""Helpers of the account tests: an elector without an account, form data, mail links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.conftest import CALENDAR_2014, PASSWORD, make_academy, make_campaign, make_elector
from urne.accounts.hashers import SizedArgon2PasswordHasher
from urne.accounts.models import User
from urne.accounts.tokens import confirmation_token_generator
from urne.campaign.models import Academy, Campaign, Elector

NEW_PASSWORD = "Printemps2014z"
LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 still hashes every password, with its smallest costs: these tests check what is
    hashed and when, not how hard (test_password_hashing.py checks the real costs)."""
    monkeypatch.setattr(SizedArgon2PasswordHasher, "time_cost", 1)
    monkeypatch.setattr(SizedArgon2PasswordHasher, "memory_cost", 8)
    monkeypatch.setattr(SizedArgon2PasswordHasher, "parallelism", 1)


@pytest.fixture
def elector_alice(campaign: Campaign, dijon: Academy) -> Elector:
    """An elector of Dijon on the roll, who has not created her account yet."""
    return make_elector(campaign, dijon, "Alice", "Bernard", civilite="MME")


def signup_data(email: str, password: str = NEW_PASSWORD, **extra: str) -> dict[str, str]:
    """The "CRÉER MON COMPTE" form, with the captcha answered as the test switch allows."""
    data = {
        "email": email,
        "password1": password,
        "password2": password,
        "captcha_0": "any-key",
        "captcha_1": "PASSED",
    }
    data.update(extra)
    return data


@pytest.fixture
def post(client: Client, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """POST as a browser would, then run what the request scheduled after its commit (the
    mail tasks), as the end of a real request's transaction does."""

    def go(url: str, data: dict[str, str], **extra: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **extra)

    return go


def links_in(message: mail.EmailMessage) -> list[str]:
    return LINK.findall(str(message.body))


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def confirm_path(user: User, token: str | None = None) -> str:
    """The confirmation link's path for this account (a valid token unless one is given)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = token if token is not None else confirmation_token_generator.make_token(user)
    return reverse("accounts:confirm", kwargs={"uidb64": uidb64, "token": token})


def strip_csrf(html: str) -> str:
    """Pages compared byte for byte, but for the CSRF token, which is masked anew each time."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def unconfirmed_alice(elector_alice: Elector) -> User:
    """Alice created her account but has not followed the confirmation link yet."""
    return User.objects.create_user(
        elector_alice.email, PASSWORD, elector=elector_alice, is_active=False
    )


@pytest.fixture
def campaign_2014(db: None) -> Campaign:
    """The seed's calendar (2014), with Alice on the roll of Dijon."""
    campaign = make_campaign(**CALENDAR_2014)
    make_elector(
        campaign,
        make_academy(campaign, "Dijon", "03.80.44.89.95"),
        "Alice",
        "Bernard",
        civilite="MME",
    )
    return campaign

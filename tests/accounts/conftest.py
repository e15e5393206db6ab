"""Helpers of the account tests: an elector without an account, form data, mail links."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD, make_elector
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Elector

PARIS = ZoneInfo("Europe/Paris")
NEW_PASSWORD = "Printemps2014z"
LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 still hashes every password, with its smallest costs: these tests check what is
    hashed and when, not how hard (the production costs take ~0.4 s a hash on a test runner)."""
    monkeypatch.setattr(Argon2PasswordHasher, "time_cost", 1)
    monkeypatch.setattr(Argon2PasswordHasher, "memory_cost", 8)
    monkeypatch.setattr(Argon2PasswordHasher, "parallelism", 1)


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


def strip_csrf(html: str) -> str:
    """Pages compared byte for byte, but for the CSRF token, which is masked anew each time."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def unconfirmed_alice(elector_alice: Elector) -> User:
    """Alice created her account but has not followed the confirmation link yet."""
    return User.objects.create_user(
        elector_alice.email, PASSWORD, elector=elector_alice, is_active=False
    )


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment on the clocks of Paris, where the calendar is decided."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def campaign_2014(db: None) -> Campaign:
    """The seed's calendar (2014), with Alice on the roll of Dijon."""
    campaign = Campaign.objects.create(
        name="Élections professionnelles 2014",
        year=2014,
        organizer="Ministère",
        accounts_open_at=paris(2014, 9, 22, 9, 0),
        rolls_published_at=paris(2014, 10, 15, 9, 0),
        candidacies_published_at=paris(2014, 10, 28, 9, 0),
        identifiers_available_at=paris(2014, 11, 12, 9, 0),
        corrections_deadline=paris(2014, 11, 14, 18, 0),
        vote_opens_at=paris(2014, 11, 27, 10, 0),
        vote_closes_at=paris(2014, 12, 4, 17, 0),
    )
    academy = Academy.objects.create(
        campaign=campaign,
        code="dijon",
        name="Dijon",
        mail_domain="ac-dijon.fr",
        assistance_email="elections2014@ac-dijon.fr",
        assistance_phone="03.80.44.89.95",
    )
    make_elector(campaign, academy, "Alice", "Bernard", civilite="MME")
    return campaign

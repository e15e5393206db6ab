"""Shared fixtures: the time seam, a campaign whose every step is open, and the personas.

Personas (after healthchecks' alice/bob/charlie):
- voter_bob: an elector of Dijon with a confirmed account, on the rolls of two scrutins;
- staff_dijon: a staff member whose perimeter is the academy of Dijon (no permission yet: each
  test grants what it needs);
- staff_organizer: a staff member whose perimeter is the whole campaign;
- outsider_charlie: a confirmed elector of another academy (Lyon), on no roll of Bob's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from urne import clock
from urne.accounts.models import User
from urne.backoffice.models import StaffScope
from urne.campaign.models import (
    CALENDAR_ORDER,
    Academy,
    Campaign,
    Elector,
    RollEntry,
    Scrutin,
)

PASSWORD = "Bonjour2014x"
PARIS = ZoneInfo("Europe/Paris")


def paris(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """A moment on the clocks of Paris, where the calendar is decided: paris(2014, 11, 27, 10)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


# The seed's calendar (2014).
CALENDAR_2014: dict[str, Any] = {
    "accounts_open_at": paris(2014, 9, 22, 9),
    "rolls_published_at": paris(2014, 10, 15),
    "candidacies_published_at": paris(2014, 10, 28),
    "identifiers_available_at": paris(2014, 11, 12),
    "corrections_deadline": paris(2014, 11, 14, 23, 59, 59),
    "vote_opens_at": paris(2014, 11, 27, 10),
    "vote_closes_at": paris(2014, 12, 4, 17),
}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On SQLite, the test database is a file, like the embedded default's, not Django's shared
    in-memory one: there, a thread that writes while another does fails at once ("database
    table is locked") instead of waiting for its turn as with a file, so the tests that send
    simultaneous requests (tests/accounts/test_throttling_concurrency.py) would test that, not
    urne. One file per test process, in pytest's temporary directory."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


# What a complete production sets, as an operator would (docs/configuration.md): every
# production check (src/urne/checks.py) passes; no connection is opened to these hosts.
PRODUCTION_ENVIRONMENT = {
    "URNE_PRODUCTION": "1",
    "URNE_SECRET_KEY": "k" * 30 + "Q9#x" * 10,
    "URNE_PSEUDONYM_KEY": "p" * 20 + "T7%z" * 10,
    "URNE_ALLOWED_HOSTS": "vote.example.org",
    "URNE_SITE_URL": "https://vote.example.org",
    "DATABASE_URL": "postgres://urne@db.example:5432/urne",
    "REDIS_URL": "redis://cache.example:6379/0",
    "CELERY_BROKER_URL": "redis://cache.example:6379/1",
    "URNE_METRICS_TOKEN": "m" * 20 + "R4&w" * 5,
}


@pytest.fixture(autouse=True)
def _empty_shared_cache() -> None:
    """Each test starts without rate-limit counters. The database cache is rolled back with each
    test's transaction; Redis (CI, production) is not, so it is emptied here."""
    from django.conf import settings
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        cache.clear()


# Django's own step of login and force_login (private, hence not in django-stubs).
_password_only_login = Client._login  # type: ignore[attr-defined]


def _login_with_second_factor(self: Client, user: Any, backend: str | None = None) -> None:
    """Client.login and Client.force_login stand for a full sign-in, which for staff includes
    the second factor (urne.staffauth): the session is also verified by a confirmed TOTP device
    of theirs, as the "Code de vérification" page leaves it. The second factor's own tests go
    through the pages (tests/staffauth), or use `login_without_second_factor`."""
    from django_otp import DEVICE_ID_SESSION_KEY

    _password_only_login(self, user, backend)
    if user.is_staff or user.is_superuser:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def login_without_second_factor(client: Client, user: Any) -> None:
    """A session logged in by password alone, as no page of urne leaves a staff member."""
    _password_only_login(client, user, "django.contrib.auth.backends.ModelBackend")


@pytest.fixture(autouse=True)
def _staff_logins_include_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Client, "_login", _login_with_second_factor)


@dataclass
class TotpClock:
    """The time django-otp's TOTP devices read, which the tests move in steps of 30 seconds."""

    now: float = field(default_factory=time.time)

    def step(self, steps: int = 1) -> None:
        self.now += 30 * steps

    def code(self, device: TOTPDevice, steps: int = 0) -> str:
        """The code an application holding the device's secret shows now (or `steps` later)."""
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        totp.time = self.now + 30 * steps
        return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def totp_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[TotpClock]:
    clock = TotpClock()
    monkeypatch.setattr(
        "django_otp.plugins.otp_totp.models.time", SimpleNamespace(time=lambda: clock.now)
    )
    yield clock


@pytest.fixture
def travel() -> Iterator[Callable[[datetime], None]]:
    """Move urne's clock: `travel(moment)`; the real clock comes back after the test."""
    with mock.patch.object(clock, "now") as fake:
        fake.return_value = timezone.now()

        def go(moment: datetime) -> None:
            fake.return_value = moment

        yield go


def make_campaign(
    now: datetime | None = None,
    *,
    name: str = "Élections professionnelles 2014",
    year: int = 2014,
    **dates: Any,
) -> Campaign:
    """A campaign whose every step has come at `now` (the vote opened an hour ago, so the
    profile corrections closed before it), unless `dates` say otherwise
    (make_campaign(**CALENDAR_2014)).

    The dates not given are moved, if need be, to keep the calendar in the order the database
    requires: make_campaign(vote_opens_at=in_a_week) closes the vote after it opens."""
    at = now or timezone.now()
    calendar = {
        "accounts_open_at": at - timedelta(days=60),
        "rolls_published_at": at - timedelta(days=40),
        "candidacies_published_at": at - timedelta(days=30),
        "identifiers_available_at": at - timedelta(days=10),
        "corrections_deadline": at - timedelta(hours=2),
        "vote_opens_at": at - timedelta(hours=1),
        "vote_closes_at": at + timedelta(days=7),
        **dates,
    }
    return Campaign.objects.create(
        name=name, year=year, organizer="Ministère", **in_order(calendar, given=dates)
    )


def in_order(calendar: dict[str, datetime], given: Iterable[str]) -> dict[str, datetime]:
    """The calendar with the dates not `given` moved, if need be, an hour from their
    neighbours, so that it keeps the order the database requires (CALENDAR_ORDER)."""
    calendar, step = dict(calendar), timedelta(hours=1)
    for earlier, later, strict, _message in CALENDAR_ORDER:  # forwards: after what was given
        gap = step if strict else timedelta(0)
        if later not in given and calendar[later] < calendar[earlier] + gap:
            calendar[later] = calendar[earlier] + step
    for earlier, later, strict, _message in reversed(CALENDAR_ORDER):  # backwards: before it
        gap = step if strict else timedelta(0)
        if earlier not in given and calendar[earlier] > calendar[later] - gap:
            calendar[earlier] = calendar[later] - step
    return calendar


def reschedule(campaign: Campaign, **dates: datetime) -> None:
    """Move some of the campaign's dates (reschedule(campaign, vote_opens_at=...)); the others
    follow as in make_campaign, to keep the calendar's order."""
    current = {name: getattr(campaign, name) for _e, name, _s, _m in CALENDAR_ORDER}
    current["accounts_open_at"] = campaign.accounts_open_at
    Campaign.objects.filter(pk=campaign.pk).update(**in_order({**current, **dates}, given=dates))
    campaign.refresh_from_db()


@pytest.fixture
def campaign(db: None) -> Campaign:
    return make_campaign()


def make_academy(campaign: Campaign, name: str, phone: str) -> Academy:
    """The academy `name` of the campaign, with its ac-<code>.fr domain and its assistance
    (elections<year>@ac-<code>.fr, `phone`)."""
    code = name.lower()
    return Academy.objects.create(
        campaign=campaign,
        code=code,
        name=name,
        mail_domain=f"ac-{code}.fr",
        assistance_email=f"elections{campaign.year}@ac-{code}.fr",
        assistance_phone=phone,
    )


@pytest.fixture
def dijon(campaign: Campaign) -> Academy:
    return make_academy(campaign, "Dijon", "03.80.44.89.95")


@pytest.fixture
def lyon(campaign: Campaign) -> Academy:
    return make_academy(campaign, "Lyon", "04.72.80.60.60")


@pytest.fixture
def csa_national(campaign: Campaign) -> Scrutin:
    return Scrutin.objects.create(
        campaign=campaign,
        code="csa-men",
        name="CSA ministériel de l'éducation nationale",
        level=Scrutin.Level.NATIONAL,
        kind=Scrutin.Kind.CSA,
        seats=15,
    )


@pytest.fixture
def capa_dijon(campaign: Campaign, dijon: Academy) -> Scrutin:
    return Scrutin.objects.create(
        campaign=campaign,
        code="capa-certifies-dijon",
        name="CAPA des professeurs certifiés de Dijon",
        level=Scrutin.Level.ACADEMIC,
        kind=Scrutin.Kind.CAP,
        academy=dijon,
        seats=8,
    )


def make_elector(
    campaign: Campaign, academy: Academy, first: str, last: str, **extra: Any
) -> Elector:
    fields: dict[str, Any] = {
        "civilite": "M",
        "corps": "Professeur certifié",
        "grade": "Classe normale",
        "establishment": f"Lycée Carnot, {academy.name}",
        "email": f"{first}.{last}@{academy.mail_domain}".lower(),
    }
    fields.update(extra)
    return Elector.objects.create(
        campaign=campaign, academy=academy, first_name=first, last_name=last, **fields
    )


def make_account(elector: Elector, password: str = PASSWORD, confirmed: bool = True) -> User:
    user = User.objects.create_user(elector.email, password, elector=elector, is_active=confirmed)
    if confirmed:
        user.confirmed_at = timezone.now()
        user.save(update_fields=["confirmed_at"])
    return user


@pytest.fixture
def elector_bob(
    campaign: Campaign, dijon: Academy, csa_national: Scrutin, capa_dijon: Scrutin
) -> Elector:
    bob = make_elector(campaign, dijon, "Bob", "Martin")
    RollEntry.objects.create(scrutin=csa_national, elector=bob)
    RollEntry.objects.create(scrutin=capa_dijon, elector=bob)
    return bob


@pytest.fixture
def voter_bob(elector_bob: Elector) -> User:
    return make_account(elector_bob)


@pytest.fixture
def outsider_charlie(campaign: Campaign, lyon: Academy) -> User:
    charlie = make_elector(campaign, lyon, "Charlie", "Durand", civilite="MME")
    return make_account(charlie)


@pytest.fixture
def staff_dijon(dijon: Academy) -> User:
    user = User.objects.create_user("gestion@ac-dijon.fr", PASSWORD, is_staff=True, is_active=True)
    StaffScope.objects.create(user=user, academy=dijon)
    return user


@pytest.fixture
def staff_organizer(campaign: Campaign) -> User:
    user = User.objects.create_user(
        "organisation@education.gouv.fr", PASSWORD, is_staff=True, is_active=True
    )
    StaffScope.objects.create(user=user, campaign=campaign)
    return user

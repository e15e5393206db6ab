"""Rate limits under real concurrency: requests at once, each in its own thread with its own
database connection, against the real store (the database locally — SQLite in a file, see
tests/conftest.py — and Redis when REDIS_URL is set, as in CI). A limit of 5 lets exactly 5
through, however many arrive together: the event is counted before the password is checked."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.core import mail
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.accounts.conftest import signup_data
from tests.conftest import PASSWORD, make_elector
from urne.accounts import throttle
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign

LOGIN = reverse("accounts:login")
Result = TypeVar("Result")


def post(path: str, data: dict[str, str], client_address: str = "127.0.0.1") -> int:
    """A browser's POST, from a client of its own. Django's test client learns of a view's
    exception through a signal that every client hears, so each keeps only its own answer."""
    client = Client(raise_request_exception=False, REMOTE_ADDR=client_address)
    return client.post(path, data).status_code


def burst(count: int, attempt: Callable[[int], Result]) -> list[Result]:
    """Run `attempt(i)` in `count` threads released at the same instant; their results."""
    start = threading.Barrier(count)
    results: dict[int, Result] = {}

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = attempt(i)
        finally:
            connections.close_all()  # this thread's own connections

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == count, "a thread failed"
    return [results[i] for i in range(count)]


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_wrong_passwords_get_only_five_checked(staff_dijon: User) -> None:
    def wrong_password(i: int) -> int:
        return post(
            LOGIN,
            {"email": "gestion@ac-dijon.fr", "password": f"Mauvais{i}x"},
            client_address=f"192.0.2.{i + 1}",
        )

    codes = burst(20, wrong_password)
    right = post(LOGIN, {"email": "gestion@ac-dijon.fr", "password": PASSWORD})

    assert codes.count(200) == 5  # checked, and refused as wrong
    assert codes.count(429) == 15  # not checked
    assert right == 429


@pytest.mark.django_db(transaction=True)
def test_a_rule_lets_exactly_its_limit_through_a_burst(settings) -> None:
    settings.URNE_RATE_LOGIN_PER_IP = "3/1h"
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="203.0.113.9")

    claims = burst(12, lambda _i: throttle.LOGIN_FAILURES_PER_IP.take(request))

    assert sum(claim is not None for claim in claims) == 3
    assert throttle.LOGIN_FAILURES_PER_IP.reached(request)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_forms_send_no_more_mails_than_the_limit(unconfirmed_alice: User) -> None:
    def resend(i: int) -> int:
        return post(
            reverse("accounts:resend"),
            {"email": "alice.bernard@ac-dijon.fr", "captcha_0": "k", "captcha_1": "PASSED"},
            client_address=f"198.51.100.{i + 1}",
        )

    codes = burst(10, resend)

    assert codes.count(302) == 3
    assert codes.count(429) == 7
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_are_each_answered_never_with_a_server_error(
    campaign: Campaign, dijon: Academy
) -> None:
    """On the embedded SQLite too, a sign-up that meets another's write waits for its turn
    instead of failing at once ("database is locked"): transactions take the write lock when
    they begin (settings: transaction_mode IMMEDIATE)."""
    electors = [make_elector(campaign, dijon, f"Camille{i}", f"Nom{i}") for i in range(8)]

    codes = burst(
        8,
        lambda i: post(
            reverse("accounts:signup"),
            signup_data(electors[i].email),
            client_address=f"203.0.113.{i + 1}",
        ),
    )

    assert codes == [302] * 8
    assert User.objects.filter(elector__in=electors).count() == 8

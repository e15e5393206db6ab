"""The second factor under real concurrency (threads with their own connections, as in
tests/accounts/test_throttling_concurrency.py): one code opens one session, however many send
it at once, and a burst of guesses gets only the limit checked."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.accounts.test_throttling_concurrency import burst
from tests.conftest import TotpClock
from tests.staffauth.conftest import (
    VERIFY,
    confirmed_device,
    give_password,
    is_logged_in,
    wrong,
)
from urne.accounts.models import User


def signed_in_by_password(user: User, count: int) -> list[Client]:
    clients = [
        Client(raise_request_exception=False, REMOTE_ADDR=f"192.0.2.{i + 1}") for i in range(count)
    ]
    for client in clients:
        give_password(client, user.email)
    return clients


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_at_once_from_four_sessions_opens_only_one(
    enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    clients = signed_in_by_password(enrolled_dijon, 4)
    code = totp_clock.code(confirmed_device(enrolled_dijon))

    statuses = burst(4, lambda i: clients[i].post(VERIFY, {"code": code}).status_code)

    assert sorted(statuses) == [200, 200, 200, 302]
    assert sum(is_logged_in(client) for client in clients) == 1


@pytest.mark.django_db(transaction=True)
def test_twelve_simultaneous_guesses_get_only_five_checked(
    enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    clients = signed_in_by_password(enrolled_dijon, 12)
    code = totp_clock.code(confirmed_device(enrolled_dijon))
    guesses = [wrong(code, i) for i in range(12)]

    statuses = burst(12, lambda i: clients[i].post(VERIFY, {"code": guesses[i]}).status_code)
    right = clients[0].post(VERIFY, {"code": code})

    assert statuses.count(200) == 5  # checked, and refused as wrong
    assert statuses.count(429) == 7  # not checked
    assert right.status_code == 429

"""Rate limits: failed logins per address and per client, emails per address and per client.
Each gives a French message and changes nothing; the limits never depend on the rolls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.accounts.conftest import confirm_path, signup_data
from tests.conftest import PASSWORD
from urne.accounts import throttle
from urne.accounts.models import User

LOGIN = reverse("accounts:login")
LOGIN_BLOCKED = (
    "Trop de tentatives de connexion ont échoué pour cette adresse ou depuis votre réseau."
)
MAIL_BLOCKED = "Trop de demandes ont été faites pour cette adresse ou depuis votre réseau."
CAPTCHA = {"captcha_0": "any-key", "captcha_1": "PASSED"}


def fail_login(client: Client, email: str, times: int, ip: str = "192.0.2.1") -> None:
    for _ in range(times):
        client.post(LOGIN, {"email": email, "password": "Mauvais1x"}, REMOTE_ADDR=ip)


def test_five_failures_block_the_address_even_with_the_right_password(
    client: Client, voter_bob: User
) -> None:
    fail_login(client, "bob.martin@ac-dijon.fr", 5)

    response = client.post(
        LOGIN, {"email": "Bob.Martin@ac-dijon.fr", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )

    assert response.status_code == 429
    page = response.content.decode().replace("&#x27;", "'")
    assert LOGIN_BLOCKED in page
    assert "Patientez 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_four_failures_still_let_the_right_password_in(client: Client, voter_bob: User) -> None:
    fail_login(client, "bob.martin@ac-dijon.fr", 4)

    response = client.post(
        LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )

    assert response.status_code == 302


def test_the_address_limit_holds_from_another_client(client: Client, voter_bob: User) -> None:
    fail_login(client, "bob.martin@ac-dijon.fr", 5, ip="192.0.2.1")

    response = client.post(
        LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )

    assert response.status_code == 429


def test_blocking_one_address_leaves_the_others_free(
    client: Client, voter_bob: User, outsider_charlie: User
) -> None:
    fail_login(client, "bob.martin@ac-dijon.fr", 5)

    response = client.post(
        LOGIN,
        {"email": "charlie.durand@ac-lyon.fr", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.1",
    )

    assert response.status_code == 302


def test_an_unknown_address_is_blocked_just_like_a_known_one(client: Client, db: None) -> None:
    """Otherwise the limit would tell which addresses have an account."""
    fail_login(client, "nobody@ac-dijon.fr", 5)

    response = client.post(
        LOGIN, {"email": "nobody@ac-dijon.fr", "password": "Mauvais1x"}, REMOTE_ADDR="192.0.2.1"
    )

    assert response.status_code == 429


def test_failures_from_one_client_across_addresses_block_that_client(
    client: Client, settings, voter_bob: User
) -> None:
    settings.URNE_RATE_LOGIN_PER_IP = "3/15m"
    for address in ("a@ac-dijon.fr", "b@ac-dijon.fr", "c@ac-dijon.fr"):
        fail_login(client, address, 1, ip="203.0.113.9")

    blocked = client.post(
        LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    elsewhere = client.post(
        LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD}, REMOTE_ADDR="192.0.2.50"
    )

    assert blocked.status_code == 429
    assert elsewhere.status_code == 302


def test_the_confirmation_page_shares_the_login_limit(
    client: Client, unconfirmed_alice: User
) -> None:
    path = confirm_path(unconfirmed_alice)
    for _ in range(5):
        client.post(path, {"password": "Mauvais1x"})

    response = client.post(path, {"password": PASSWORD})

    assert response.status_code == 429
    assert User.objects.get(pk=unconfirmed_alice.pk).is_active is False


def test_three_mails_per_address_and_hour_then_a_french_refusal(
    client: Client, post, elector_alice
) -> None:
    for _ in range(3):
        post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))

    response = post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))

    assert response.status_code == 429
    assert MAIL_BLOCKED in response.content.decode()
    assert "Patientez 60 minutes" in response.content.decode()
    assert len(mail.outbox) == 3


def test_the_mail_refusal_is_the_sites_429_page_with_its_help(
    client: Client, post, elector_alice
) -> None:
    for _ in range(3):
        post(reverse("accounts:resend"), {"email": "alice.bernard@ac-dijon.fr", **CAPTCHA})

    response = post(reverse("accounts:resend"), {"email": "alice.bernard@ac-dijon.fr", **CAPTCHA})

    assert response.status_code == 429
    assert response.templates[0].name == "errors/429.html"
    page = response.content.decode()
    assert "<h1>Trop de tentatives</h1>" in page
    assert MAIL_BLOCKED in page
    assert reverse("support:assistance") in page


def test_the_mail_limit_is_shared_by_the_forms_that_send_mail(post, unconfirmed_alice) -> None:
    address = {"email": "alice.bernard@ac-dijon.fr", **CAPTCHA}
    post(reverse("accounts:password_reset"), address)
    post(reverse("accounts:resend"), address)
    post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))

    response = post(reverse("accounts:password_reset"), address)

    assert response.status_code == 429
    assert len(mail.outbox) == 3


def test_one_client_cannot_probe_many_addresses(client: Client, post, settings, elector_alice):
    settings.URNE_RATE_MAIL_PER_IP = "2/1h"
    post(reverse("accounts:signup"), signup_data("a@ac-dijon.fr"), REMOTE_ADDR="203.0.113.5")
    post(reverse("accounts:signup"), signup_data("b@ac-dijon.fr"), REMOTE_ADDR="203.0.113.5")

    response = post(
        reverse("accounts:signup"), signup_data("c@ac-dijon.fr"), REMOTE_ADDR="203.0.113.5"
    )

    assert response.status_code == 429
    assert MAIL_BLOCKED in response.content.decode()


def test_a_malformed_rate_stops_the_server_at_start(settings) -> None:
    settings.URNE_RATE_LOGIN_PER_IP = "thirty per minute"

    with pytest.raises(SystemCheckError, match="URNE_RATE_LOGIN_PER_IP"):
        call_command("check")


# How long a lockout lasts: each failure holds its place for the whole window (urne.clock), so
# the lockout lifts 15 minutes after the failures, not when a cache entry happens to expire.


def log_in(client: Client, password: str = PASSWORD) -> int:
    response = client.post(
        LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": password}, REMOTE_ADDR="192.0.2.1"
    )
    client.logout()
    return int(response.status_code)


def test_a_lockout_lasts_the_fifteen_minutes_it_announces(
    client: Client, travel, voter_bob: User
) -> None:
    start = timezone.now()
    travel(start)
    fail_login(client, "bob.martin@ac-dijon.fr", 5)

    travel(start + timedelta(minutes=6))
    after_six_minutes = log_in(client)
    travel(start + timedelta(minutes=14, seconds=59))
    just_before = log_in(client)
    travel(start + timedelta(minutes=15, seconds=1))
    after = log_in(client)

    assert (after_six_minutes, just_before, after) == (429, 429, 302)


def test_no_fifteen_minutes_let_more_than_five_failures_through(
    client: Client, travel, voter_bob: User
) -> None:
    """A fixed window lets 5 failures at its end and 5 more at the next one's start."""
    start = timezone.now()
    travel(start)
    fail_login(client, "bob.martin@ac-dijon.fr", 1)
    travel(start + timedelta(minutes=14))
    fail_login(client, "bob.martin@ac-dijon.fr", 4)

    travel(start + timedelta(minutes=15, seconds=1))  # the first failure is 15 minutes old
    one_more = log_in(client, "Mauvais2x")
    then = log_in(client, "Mauvais3x")
    travel(start + timedelta(minutes=29, seconds=1))  # the next four are too
    later = log_in(client)

    assert (one_more, then, later) == (200, 429, 302)


def test_right_passwords_are_not_counted_as_failures(client: Client, voter_bob: User) -> None:
    fail_login(client, "bob.martin@ac-dijon.fr", 4)
    for _ in range(10):
        assert log_in(client) == 302

    assert log_in(client, "Mauvais2x") == 200
    assert log_in(client) == 429


def test_a_mail_lockout_lasts_the_hour_it_announces(
    client: Client, post, travel, elector_alice
) -> None:
    start = timezone.now()
    travel(start)
    for _ in range(3):
        post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))

    travel(start + timedelta(minutes=59))
    within = post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))
    travel(start + timedelta(minutes=60, seconds=1))
    after = post(reverse("accounts:signup"), signup_data("alice.bernard@ac-dijon.fr"))

    assert (within.status_code, after.status_code) == (429, 302)
    assert len(mail.outbox) == 4


def test_switching_the_limits_off_lets_every_attempt_through(
    client: Client, settings, voter_bob: User
) -> None:
    settings.RATELIMIT_ENABLE = False
    fail_login(client, "bob.martin@ac-dijon.fr", 10)

    assert log_in(client) == 302


def test_ipv4_clients_written_as_ipv6_count_each_for_itself(
    client: Client, voter_bob: User
) -> None:
    """Behind a dual-stack socket every IPv4 client arrives as ::ffff:a.b.c.d: one client's
    failures must not lock out every other IPv4 client."""
    for i in range(30):
        client.post(
            LOGIN,
            {"email": f"personne{i}@ac-dijon.fr", "password": "Mauvais1x"},
            REMOTE_ADDR="::ffff:198.51.100.7",
        )

    other = client.post(
        LOGIN,
        {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD},
        REMOTE_ADDR="::ffff:203.0.113.77",
    )

    assert other.status_code == 302


@pytest.mark.parametrize(
    ("meta", "network"),
    [
        ({"REMOTE_ADDR": "198.51.100.7"}, "198.51.100.7"),
        ({"REMOTE_ADDR": "::ffff:198.51.100.7"}, "198.51.100.7"),
        ({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}, "2001:db8:1:2::"),
        ({"REMOTE_ADDR": "pas une adresse"}, "unreadable"),
        # The proxy's header: the last address is the one the proxy added.
        ({"HTTP_X_FORWARDED_FOR": "203.0.113.1, 198.51.100.7"}, "198.51.100.7"),
        ({"HTTP_X_FORWARDED_FOR": ""}, "unreadable"),
    ],
)
def test_a_client_is_counted_by_its_network(settings, meta: dict[str, str], network: str) -> None:
    if "HTTP_X_FORWARDED_FOR" in meta:
        settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    request = RequestFactory().post(LOGIN)
    request.META.pop("REMOTE_ADDR")
    request.META.update(meta)

    assert throttle.client_network(request) == network

"""Later sign-ins of staff: the application's code or a recovery code, each accepted once,
within the same limits as passwords; electors are not asked for any."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from tests.conftest import TotpClock
from tests.staffauth.conftest import (
    BACK_OFFICE,
    HOME,
    VERIFY,
    confirmed_device,
    give_password,
    is_logged_in,
    wrong,
)
from urne.accounts.models import User

REFUSED = "Code incorrect ou déjà utilisé"


def sign_in(client: Client, user: User, code: str, next_url: str = ""):
    assert give_password(client, user.email, next_url=next_url)["Location"] == VERIFY
    return client.post(VERIFY, {"code": code})


def test_the_code_of_the_application_opens_the_back_office(
    client: Client, enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    response = sign_in(client, enrolled_dijon, totp_clock.code(confirmed_device(enrolled_dijon)))

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert is_logged_in(client)
    assert client.get(HOME).status_code == 200


def test_staff_reach_the_back_office_page_they_asked_for(
    client: Client, enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    code = totp_clock.code(confirmed_device(enrolled_dijon))

    response = sign_in(client, enrolled_dijon, code, next_url="/gestion/campaign/elector/")

    assert response["Location"] == "/gestion/campaign/elector/"


def test_a_wrong_code_is_refused_and_logs_nobody_in(
    client: Client, enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    right = totp_clock.code(confirmed_device(enrolled_dijon))

    response = sign_in(client, enrolled_dijon, wrong(right))

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not is_logged_in(client)
    assert client.get(BACK_OFFICE).status_code == 302


def test_a_code_already_used_is_refused_even_within_its_30_seconds(
    enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    device = confirmed_device(enrolled_dijon)
    code, earlier = totp_clock.code(device), totp_clock.code(device, steps=-1)
    first, second = Client(), Client()
    assert sign_in(first, enrolled_dijon, code).status_code == 302

    replayed = sign_in(second, enrolled_dijon, code)
    older = second.post(VERIFY, {"code": earlier})

    assert REFUSED in replayed.content.decode()
    assert REFUSED in older.content.decode()
    assert not is_logged_in(second)
    totp_clock.step()
    assert second.post(VERIFY, {"code": totp_clock.code(device)})["Location"] == HOME


def test_a_recovery_code_opens_the_back_office_once(
    client: Client, enrolled_dijon: User, recovery_codes: list[str]
) -> None:
    typed = " " + recovery_codes[3].upper().replace("-", " - ") + " "

    response = sign_in(client, enrolled_dijon, typed)
    page = client.get(response["Location"]).content.decode()
    again = sign_in(Client(), enrolled_dijon, recovery_codes[3])

    assert response["Location"] == HOME
    assert "il vous en reste 9" in page
    assert REFUSED in again.content.decode()
    assert StaticToken.objects.filter(device__user=enrolled_dijon).count() == 9


def test_five_wrong_codes_lock_the_account_for_15_minutes_wherever_they_come_from(
    enrolled_dijon: User, totp_clock: TotpClock, travel
) -> None:
    device = confirmed_device(enrolled_dijon)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    give_password(guesser, enrolled_dijon.email)
    guesses = [guesser.post(VERIFY, {"code": wrong(totp_clock.code(device), n)}) for n in range(5)]
    owner = Client(REMOTE_ADDR="198.51.100.7")

    locked = sign_in(owner, enrolled_dijon, totp_clock.code(device))

    assert all(REFUSED in guess.content.decode() for guess in guesses)
    assert locked.status_code == 429
    assert "Trop de codes de vérification erronés" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    assert not is_logged_in(owner)
    travel(timezone.now() + timedelta(minutes=15, seconds=1))
    assert sign_in(owner, enrolled_dijon, totp_clock.code(device))["Location"] == HOME


def test_one_network_cannot_try_codes_on_many_accounts_beyond_its_limit(
    settings, enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    settings.URNE_RATE_CODE_PER_IP = "3/15m"
    school = Client(REMOTE_ADDR="203.0.113.9")
    give_password(school, enrolled_dijon.email)
    for n in range(3):
        school.post(VERIFY, {"code": wrong(totp_clock.code(confirmed_device(enrolled_dijon)), n)})

    response = school.post(VERIFY, {"code": totp_clock.code(confirmed_device(enrolled_dijon))})

    assert response.status_code == 429


def test_the_code_page_needs_the_password_given_less_than_ten_minutes_ago(
    client: Client, enrolled_dijon: User, totp_clock: TotpClock, travel
) -> None:
    give_password(client, enrolled_dijon.email)
    travel(timezone.now() + timedelta(minutes=10, seconds=1))

    response = client.post(VERIFY, {"code": totp_clock.code(confirmed_device(enrolled_dijon))})

    assert response["Location"] == "/compte/connexion/"
    assert not is_logged_in(client)


def test_a_password_changed_meanwhile_voids_the_pending_sign_in(
    client: Client, enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    give_password(client, enrolled_dijon.email)
    enrolled_dijon.set_password("Autre2014mot")
    enrolled_dijon.save()

    response = client.post(VERIFY, {"code": totp_clock.code(confirmed_device(enrolled_dijon))})

    assert response["Location"] == "/compte/connexion/"


def test_electors_log_in_with_their_password_alone(client: Client, voter_bob: User) -> None:
    response = give_password(client, voter_bob.email)

    assert response["Location"] == "/espace/"
    assert is_logged_in(client)
    assert client.get(VERIFY)["Location"] == "/compte/connexion/"

"""First sign-in of a staff member: the password alone logs nobody in; the application is
enrolled with a QR code (or the key typed), confirmed with a code, and ten recovery codes are
shown once."""

from __future__ import annotations

from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import TotpClock
from tests.staffauth.conftest import (
    BACK_OFFICE,
    ENROL,
    HOME,
    RECOVERY_CODES,
    enrol,
    give_password,
    is_logged_in,
    pending_device,
    wrong,
)
from urne.accounts.models import User


def test_the_password_of_a_staff_member_leads_to_enrolment_not_to_the_back_office(
    client: Client, staff_dijon: User
) -> None:
    response = give_password(client, staff_dijon.email)

    assert response["Location"] == ENROL
    assert not is_logged_in(client)
    assert client.get(BACK_OFFICE)["Location"].startswith("/gestion/login/")


def test_the_enrolment_page_shows_a_qr_code_and_the_key_in_text(
    client: Client, staff_dijon: User
) -> None:
    give_password(client, staff_dijon.email)

    page = client.get(ENROL).content.decode()
    again = client.get(ENROL).content.decode()

    device = pending_device(staff_dijon)
    key = " ".join(
        device.config_url.split("secret=")[1].split("&")[0][i : i + 4] for i in range(0, 32, 4)
    )
    assert '<svg role="img" aria-label="QR code à scanner' in page
    assert key in page
    assert key in again  # a reload shows the same key: the application already holds it
    assert TOTPDevice.objects.filter(user=staff_dijon).count() == 1


def test_a_right_code_enrols_the_application_and_shows_ten_recovery_codes_once(
    client: Client, staff_dijon: User, totp_clock: TotpClock
) -> None:
    codes = enrol(client, staff_dijon, totp_clock)

    assert len(set(codes)) == 10
    assert is_logged_in(client)
    assert client.get(HOME).status_code == 200
    assert client.get(RECOVERY_CODES)["Location"] == HOME  # never shown again
    assert TOTPDevice.objects.get(user=staff_dijon).confirmed
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    assert not stored & ({code.replace("-", "") for code in codes} | set(codes))


def test_a_wrong_enrolment_code_is_refused_and_nothing_is_enrolled(
    client: Client, staff_dijon: User, totp_clock: TotpClock
) -> None:
    give_password(client, staff_dijon.email)
    client.get(ENROL)
    right = totp_clock.code(pending_device(staff_dijon))
    responses = [client.post(ENROL, {"code": code}) for code in (wrong(right), "abc", "")]

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert "Code incorrect ou déjà utilisé" in responses[0].content.decode()
    assert "Code incorrect ou déjà utilisé" in responses[1].content.decode()
    assert "Saisissez le code de vérification." in responses[2].content.decode()
    assert not is_logged_in(client)
    assert not TOTPDevice.objects.filter(user=staff_dijon, confirmed=True).exists()
    assert not StaticToken.objects.exists()


def test_the_enrolment_page_needs_the_password_first(client: Client, staff_dijon: User) -> None:
    response = client.get(ENROL, follow=True)

    assert response.redirect_chain[-1][0] == "/compte/connexion/"
    assert "saisissez à nouveau votre adresse" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_an_enrolled_staff_member_is_sent_to_the_code_page_not_to_enrolment(
    client: Client, enrolled_dijon: User
) -> None:
    give_password(client, enrolled_dijon.email)

    assert client.get(ENROL)["Location"] == "/compte/double-authentification/code/"

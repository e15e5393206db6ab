"""The back office (/gestion/) lets in staff who gave their second factor in this session, and
no one else: not after the password alone, not with a session opened some other way, not when
a setting is forgotten."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import TotpClock, login_without_second_factor
from tests.staffauth.conftest import (
    BACK_OFFICE,
    ENROL,
    HOME,
    confirmed_device,
    give_password,
    is_logged_in,
)
from urne.accounts.models import User
from urne.staffauth import checks
from urne.staffauth.sites import StaffAdminSite


def back_office_urls(voter: User, staff: User) -> list[str]:
    return [
        BACK_OFFICE,
        "/gestion/accounts/user/",
        f"/gestion/accounts/user/{voter.pk}/change/",
        f"/gestion/accounts/user/{staff.pk}/change/",
        "/gestion/campaign/elector/",
        "/gestion/campaign/campaign/",
        "/gestion/jsi18n/",
        "/gestion/autocomplete/",
    ]


def assert_refused(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith("/gestion/login/"), url


def test_after_the_password_alone_no_back_office_url_opens(
    client: Client, enrolled_dijon: User, voter_bob: User
) -> None:
    give_password(client, enrolled_dijon.email)

    for url in back_office_urls(voter_bob, enrolled_dijon):
        assert_refused(client, url)


def test_a_session_logged_in_without_the_second_factor_opens_nothing(
    client: Client, staff_organizer: User, voter_bob: User
) -> None:
    staff_organizer.is_superuser = True
    staff_organizer.save()
    login_without_second_factor(client, staff_organizer)

    for url in back_office_urls(voter_bob, staff_organizer):
        assert_refused(client, url)
    post = client.post(f"/gestion/accounts/user/{voter_bob.pk}/change/", {"email": "x@y.fr"})
    assert post.status_code == 302
    assert User.objects.get(pk=voter_bob.pk).email == voter_bob.email


def test_a_device_of_someone_else_does_not_verify_a_session(
    client: Client, staff_dijon: User, staff_organizer: User
) -> None:
    other = TOTPDevice.objects.create(user=staff_organizer, name="autre", confirmed=True)
    login_without_second_factor(client, staff_dijon)
    session = client.session
    session["otp_device_id"] = other.persistent_id
    session.save()

    assert_refused(client, BACK_OFFICE)


def test_staff_logged_in_without_the_second_factor_are_asked_to_sign_in_again(
    client: Client, staff_dijon: User
) -> None:
    """A superuser back to the admin's page; other staff to the back office's home, the admin
    being the technical administrators'."""
    superuser = User.objects.create_superuser("admin@education.gouv.fr", "Racine2014x")
    other = Client()
    login_without_second_factor(client, staff_dijon)
    login_without_second_factor(other, superuser)

    response = client.get(BACK_OFFICE, follow=True)
    admins = other.get(BACK_OFFICE, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/compte/connexion/?next=%2Fgestion%2Faccueil%2F"
    assert admins.redirect_chain[-1][0] == "/compte/connexion/?next=%2Fgestion%2F"
    assert not is_logged_in(client)
    assert not is_logged_in(other)


def test_the_back_office_is_shut_without_django_otp_middleware(
    settings, client: Client, staff_dijon: User
) -> None:
    superuser = User.objects.create_superuser("admin@education.gouv.fr", "Racine2014x")
    admins = Client()
    admins.force_login(superuser)  # verified, as after the code page
    client.force_login(staff_dijon)
    assert admins.get(BACK_OFFICE).status_code == 200
    assert client.get(HOME).status_code == 200
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != checks.OTP_MIDDLEWARE]
    # A client loads the middleware once: new ones, same cookies.
    same_admin, same_staff = Client(), Client()
    same_admin.cookies, same_staff.cookies = admins.cookies, client.cookies

    assert_refused(same_admin, BACK_OFFICE)
    assert same_staff.get(HOME)["Location"].startswith("/compte/connexion/")
    assert [error.id for error in checks.check_second_factor_is_enforced()] == ["staffauth.E001"]


def test_the_admin_site_is_the_one_that_asks_for_the_second_factor() -> None:
    assert isinstance(admin.site, StaffAdminSite)
    assert checks.check_second_factor_is_enforced() == []


def test_the_devices_are_not_in_the_back_office() -> None:
    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


RESET = "reset_second_factor"


def reset(client: Client, *users: User):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": RESET, "_selected_action": [user.pk for user in users]},
    )


def test_a_superuser_resets_a_staff_member_who_enrols_again(
    staff_organizer: User, enrolled_dijon: User, totp_clock: TotpClock
) -> None:
    dijon_session = Client()
    dijon_session.force_login(enrolled_dijon)
    superuser = User.objects.create_superuser("admin@education.gouv.fr", "Racine2014x")
    admin_session = Client()
    admin_session.force_login(superuser)

    response = reset(admin_session, enrolled_dijon)

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled_dijon).exists()
    assert not StaticDevice.objects.filter(user=enrolled_dijon).exists()
    assert_refused(dijon_session, BACK_OFFICE)  # her session was verified by the device gone
    assert give_password(Client(), enrolled_dijon.email)["Location"] == ENROL


@pytest.mark.parametrize("staff", ["staff_organizer", "staff_dijon"])
def test_other_staff_cannot_reset_a_second_factor(
    request: pytest.FixtureRequest, staff: str, enrolled_dijon: User, voter_bob: User
) -> None:
    member: User = request.getfixturevalue(staff)
    member.user_permissions.add(*Permission.objects.all())
    session = Client()
    session.force_login(member)
    device = confirmed_device(enrolled_dijon)

    page = session.get(reverse("admin:accounts_user_changelist")).content.decode()
    reset(session, enrolled_dijon, voter_bob)

    assert RESET not in page
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert StaticDevice.objects.filter(user=enrolled_dijon).exists()

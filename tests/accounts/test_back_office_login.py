"""Staff log in through ACCÉDER like everyone, within the same limits: the back office's own
login page (Django admin's, /gestion/login/) checks no password, and neither does its password
change page."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, TotpClock
from urne.accounts.models import User

LOGIN = reverse("accounts:login")
BACK_OFFICE = reverse("admin:index")
BACK_OFFICE_LOGIN = reverse("admin:login")


def fail_login(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        client.post(LOGIN, {"email": email, "password": "Mauvais1x"})


def admin_form(password: str) -> dict[str, str]:
    """What Django admin's login form posts."""
    return {"username": "gestion@ac-dijon.fr", "password": password, "next": BACK_OFFICE}


def test_a_staff_member_locked_out_cannot_get_in_through_the_back_office_login(
    client: Client, staff_dijon: User
) -> None:
    fail_login(client, "gestion@ac-dijon.fr", 5)
    guesses = [client.post(BACK_OFFICE_LOGIN, admin_form(f"Mauvais{i}x")) for i in range(40)]

    client.post(BACK_OFFICE_LOGIN, admin_form(PASSWORD))
    back_office = client.get(BACK_OFFICE)

    assert {guess.status_code for guess in guesses} == {302}
    assert "_auth_user_id" not in client.session
    assert back_office.status_code == 302
    assert back_office["Location"].startswith(BACK_OFFICE_LOGIN)


def test_the_back_office_login_page_sends_to_acceder_without_checking_the_password(
    client: Client, staff_dijon: User
) -> None:
    response = client.post(f"{BACK_OFFICE_LOGIN}?next=/gestion/campaign/", admin_form(PASSWORD))

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fgestion%2Fcampaign%2F"
    assert "_auth_user_id" not in client.session


def test_staff_log_in_on_acceder_and_reach_the_back_office_page_they_asked_for(
    client: Client, staff_dijon: User, totp_clock: TotpClock
) -> None:
    # The admin is the technical administrators' (superusers): the page asked is one of its.
    User.objects.filter(pk=staff_dijon.pk).update(is_superuser=True)
    login_page = client.get("/gestion/campaign/", follow=True)
    asked = login_page.redirect_chain[-1][0]

    password = client.post(asked, {"email": "gestion@ac-dijon.fr", "password": PASSWORD})
    client.get(password["Location"])  # the second factor: enrolment, the first time
    device = TOTPDevice.objects.get(user=staff_dijon)
    code = client.post(password["Location"], {"code": totp_clock.code(device)})
    codes_page = client.get(code["Location"])

    assert asked == f"{LOGIN}?next=%2Fgestion%2Fcampaign%2F"
    assert password["Location"] == reverse("staffauth:enrol")
    assert codes_page.context["next"] == "/gestion/campaign/"
    assert client.get(BACK_OFFICE).status_code == 200


def test_staff_failures_count_like_anyone_elses(client: Client, staff_dijon: User) -> None:
    fail_login(client, "gestion@ac-dijon.fr", 5)

    response = client.post(LOGIN, {"email": "gestion@ac-dijon.fr", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_voter_sent_to_the_back_office_login_is_refused_without_a_loop(
    client: Client, voter_bob: User
) -> None:
    client.force_login(voter_bob)

    response = client.get(BACK_OFFICE, follow=True)

    assert response.status_code == 403
    assert len(response.redirect_chain) == 1


def test_superusers_already_logged_in_go_straight_to_the_page_they_asked_for(
    client: Client, staff_dijon: User
) -> None:
    User.objects.filter(pk=staff_dijon.pk).update(is_superuser=True)
    client.force_login(staff_dijon)

    response = client.get(f"{BACK_OFFICE_LOGIN}?next=/gestion/campaign/", follow=True)

    assert [url for url, _status in response.redirect_chain] == [
        f"{LOGIN}?next=%2Fgestion%2Fcampaign%2F",
        "/gestion/campaign/",
    ]


def test_other_staff_sent_by_the_admin_land_on_the_back_offices_home(
    client: Client, staff_dijon: User
) -> None:
    """The admin sends here whoever it refuses: staff who are not superusers go to their own
    pages, not to a login that would send them back to the admin for ever."""
    client.force_login(staff_dijon)

    response = client.get("/gestion/campaign/", follow=True)

    assert [url for url, _status in response.redirect_chain] == [
        "/gestion/login/?next=/gestion/campaign/",
        reverse("backoffice:home"),
    ]
    assert response.status_code == 200


def test_the_back_office_password_change_goes_to_forgotten_password(
    client: Client, staff_dijon: User
) -> None:
    client.force_login(staff_dijon)

    response = client.post(
        reverse("admin:password_change"),
        {"old_password": "Mauvais1x", "new_password1": "Nouveau2014x", "new_password2": "x"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset")

"""Every form of the account refuses a POST without its CSRF token: the French page, and
nothing changes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import confirm_path, signup_data
from tests.conftest import PASSWORD
from urne.accounts.models import User

CSRF_PAGE = "Formulaire expiré"


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def assert_refused(response) -> None:
    assert response.status_code == 403
    assert CSRF_PAGE in response.content.decode()


def test_signup_without_token_creates_nothing(browser: Client, elector_alice) -> None:
    assert_refused(browser.post(reverse("accounts:signup"), signup_data(elector_alice.email)))
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_login_without_token_does_not_log_in(browser: Client, voter_bob: User) -> None:
    response = browser.post(
        reverse("accounts:login"), {"email": voter_bob.email, "password": PASSWORD}
    )

    assert_refused(response)
    assert "_auth_user_id" not in browser.session


def test_confirmation_without_token_does_not_confirm(browser: Client, unconfirmed_alice) -> None:
    assert_refused(browser.post(confirm_path(unconfirmed_alice), {"password": PASSWORD}))
    assert User.objects.get(pk=unconfirmed_alice.pk).is_active is False


def test_resend_and_reset_without_token_send_nothing(browser: Client, unconfirmed_alice) -> None:
    data = {"email": unconfirmed_alice.email, "captcha_0": "k", "captcha_1": "PASSED"}

    assert_refused(browser.post(reverse("accounts:resend"), data))
    assert_refused(browser.post(reverse("accounts:password_reset"), data))
    assert mail.outbox == []


def test_logout_without_token_keeps_the_session(browser: Client, voter_bob: User) -> None:
    browser.force_login(voter_bob)

    assert_refused(browser.post(reverse("accounts:logout")))
    assert browser.session["_auth_user_id"] == str(voter_bob.pk)


def test_the_forms_carry_their_token(client: Client, elector_alice) -> None:
    for name in ("accounts:login", "accounts:signup", "accounts:resend", "accounts:password_reset"):
        page = client.get(reverse(name)).content.decode()
        form = page.split('<form method="post"')[1]
        assert 'name="csrfmiddlewaretoken"' in form.split("</form>")[0], name

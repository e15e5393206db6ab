"""Staff enrol their authenticator application and sign in with its codes, in headless
Chromium: the code is computed from the key the enrolment page shows, as an application would,
and axe-core finds no fault on the second factor's pages."""

from __future__ import annotations

import re
from base64 import b32decode
from typing import Any

from django_otp.oath import TOTP

from tests.accounts.conftest import _cheap_argon2  # noqa: F401 (autouse: cheap hashing)
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, TotpClock
from urne.accounts.models import User


def application_code(secret_shown: str, at: float) -> str:
    """What an authenticator application given this key shows at this moment."""
    totp = TOTP(b32decode(secret_shown.replace(" ", "")))
    totp.time = at
    return f"{totp.token():06d}"


def give_password(page: Any, live_server: Any, email: str) -> None:
    page.goto(f"{live_server.url}/gestion/")
    page.get_by_label("Adresse de messagerie professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ACCÉDER À MON ESPACE").click()


def test_staff_enrol_and_sign_in_with_totp(
    live_server: Any, browser: Any, page: Any, staff_dijon: User, totp_clock: TotpClock
) -> None:
    give_password(page, live_server, staff_dijon.email)

    assert page.url.endswith("/compte/double-authentification/activation/")
    assert page.locator("svg[role=img]").count() == 1
    assert_accessible(page)
    secret = page.locator("[data-otp-secret]").text_content() or ""
    page.get_by_label("Code à 6 chiffres affiché par votre application").fill("000000")
    page.get_by_role("button", name="ACTIVER ET ACCÉDER À LA GESTION").click()
    if application_code(secret, totp_clock.now) != "000000":
        assert page.get_by_role("alert").first.is_visible()
        assert_accessible(page)  # the page with its error
    page.get_by_label("Code à 6 chiffres affiché par votre application").fill(
        application_code(secret, totp_clock.now)
    )
    page.get_by_role("button", name="ACTIVER ET ACCÉDER À LA GESTION").click()

    assert page.get_by_role("heading", name="Vos codes de secours").is_visible()
    codes = re.findall(r"[a-z0-9]{5}-[a-z0-9]{5}", page.locator(".recovery-codes").inner_text())
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("link", name="J'ai noté mes codes : accéder à la gestion").click()
    # Not a superuser: the admin sends her on to the back office's home.
    assert page.url == f"{live_server.url}/gestion/accueil/"

    # Another day, another browser: the password, then the application's next code.
    totp_clock.step()
    other = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    later = other.new_page()
    give_password(later, live_server, staff_dijon.email)
    assert later.url.endswith("/compte/double-authentification/code/")
    assert_accessible(later)
    later.get_by_label("Code de vérification").fill(application_code(secret, totp_clock.now))
    later.get_by_role("button", name="VÉRIFIER ET ACCÉDER À LA GESTION").click()

    assert later.url == f"{live_server.url}/gestion/accueil/"
    other.close()

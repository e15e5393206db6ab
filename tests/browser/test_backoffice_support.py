"""The back office's assistance work, in headless Chromium: academy staff answer a correction
request that the elector then reads in their profile; a helpdesk agent finds an elector by a name
typed without accents, resends their confirmation message and unlocks a locked account. Staff
sign in with their password and their authenticator's code; axe-core checks every page
visited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import _cheap_argon2  # noqa: F401 (autouse: cheap hashing)
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, TotpClock, make_account, make_elector
from urne.accounts import services as account_services
from urne.accounts import throttle
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Elector, ProfileCorrectionRequest
from urne.support import roles
from urne.web.errors import TooManyAttempts


def sign_in_staff(page: Any, live_server: Any, user: User, totp_clock: TotpClock) -> None:
    """The back office's sign-in: the password, then the authenticator's current code."""
    device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_label("Adresse de messagerie professionnelle").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="ACCÉDER À MON ESPACE").click()
    page.get_by_label("Code de vérification").fill(totp_clock.code(device))
    page.get_by_role("button", name="VÉRIFIER ET ACCÉDER À LA GESTION").click()
    page.wait_for_url(f"{live_server.url}/gestion/accueil/")
    assert_accessible(page)


def join(user: User, group: str) -> User:
    user.groups.add(Group.objects.get(name=group))
    return user


def test_academy_staff_answer_a_request_and_the_elector_reads_the_outcome(
    live_server: Any,
    browser: Any,
    page: Any,
    staff_dijon: User,
    voter_bob: User,
    totp_clock: TotpClock,
) -> None:
    bob = voter_bob.elector
    assert bob is not None
    ProfileCorrectionRequest.objects.create(
        elector=bob,
        field="establishment",
        correction="college jean moulin",
        comment="Mutation à la rentrée.",
        created_at=timezone.now(),
    )
    sign_in_staff(page, live_server, join(staff_dijon, roles.ACADEMY_MANAGERS_GROUP), totp_clock)

    page.get_by_role("link", name="Demandes de mise à jour du profil").first.click()
    assert page.get_by_role("link", name="En attente (1)").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="M. Bob MARTIN").click()
    assert "Lycée Carnot, Dijon" in page.locator("table").inner_text()  # what the record says
    assert_accessible(page)

    # A refusal without its reason is refused, with the error leading to the field.
    page.get_by_role("button", name="Refuser la demande").click()
    assert page.get_by_role("alert").first.is_visible()
    assert "Un refus doit être motivé" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)

    # Accepted, as staff corrected it.
    page.get_by_label("Information à enregistrer").fill("Collège Jean-Moulin, Dijon")
    page.get_by_label("Réponse à l'électeur (facultative)").fill("Mutation enregistrée.")
    page.get_by_role("button", name="Accepter la demande").click()
    page.wait_for_url(f"{live_server.url}/gestion/corrections/")
    assert "Demande de M. Bob MARTIN acceptée" in page.locator(".messages").inner_text()
    assert_accessible(page)
    told = [m for m in mail.outbox if voter_bob.email in m.to and "acceptée" in m.subject]
    assert len(told) == 1

    # Bob, in his own browser, reads the outcome in his profile.
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    elector = context.new_page()
    elector.goto(f"{live_server.url}/compte/connexion/")
    elector.get_by_label("Adresse de messagerie professionnelle").fill(voter_bob.email)
    elector.get_by_label("Mot de passe électeur").fill(PASSWORD)
    elector.locator("main form button[type=submit]").click()
    elector.wait_for_url(f"{live_server.url}/espace/")
    elector.goto(f"{live_server.url}/espace/profil/")
    profile = elector.locator("main").inner_text()
    assert "Collège Jean-Moulin, Dijon" in profile
    assert "votre profil a été mis à jour" in profile
    assert "Mutation enregistrée." in profile
    assert_accessible(elector)
    context.close()


@pytest.fixture
def helene(campaign: Campaign, dijon: Academy) -> Elector:
    return make_elector(
        campaign,
        dijon,
        "Hélène",
        "Bœuf-Lefèvre",
        civilite="MME",
        email="helene.boeuf@ac-dijon.fr",
        establishment="Collège Émile-Zola, Chenôve",
        birth_date=date(1975, 3, 14),
    )


def test_a_helpdesk_agent_finds_an_elector_and_resends_the_confirmation(
    live_server: Any, page: Any, staff_dijon: User, helene: Elector, totp_clock: TotpClock
) -> None:
    make_account(helene, confirmed=False)
    sign_in_staff(page, live_server, join(staff_dijon, roles.HELPDESK_GROUP), totp_clock)

    page.get_by_role("link", name="Assistance aux électeurs").first.click()
    assert_accessible(page)
    page.get_by_label("Rechercher un électeur").fill("helene boeuf")
    page.get_by_role("button", name="Rechercher").click()
    assert "1 électeur correspond à « helene boeuf »" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="BŒUF-LEFÈVRE").click()
    assert "Compte créé, en attente de confirmation" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Renvoyer le message de confirmation").click()
    assert "Le message de confirmation a été renvoyé" in page.locator(".messages").inner_text()
    assert "Message de confirmation renvoyé par l'assistance" in page.locator("main").inner_text()
    assert_accessible(page)
    sent = [m for m in mail.outbox if m.to == [helene.email]]
    assert len(sent) == 1
    assert "confirmez votre compte électeur" in sent[0].subject


def test_a_helpdesk_agent_unlocks_a_locked_account_after_checks(
    live_server: Any, page: Any, staff_dijon: User, helene: Elector, totp_clock: TotpClock
) -> None:
    make_account(helene)
    stranger = RequestFactory().post("/compte/connexion/", REMOTE_ADDR="198.51.100.7")
    for _attempt in range(5):
        with pytest.raises(account_services.InvalidLogin):
            account_services.check_login(stranger, helene.email, "pas le bon")
    with pytest.raises(TooManyAttempts):
        account_services.check_login(stranger, helene.email, PASSWORD)
    sign_in_staff(page, live_server, join(staff_dijon, roles.HELPDESK_GROUP), totp_clock)
    page.goto(f"{live_server.url}/gestion/assistance/electeurs/{helene.pk}/")
    assert "Bloquée" in page.locator("main").inner_text()

    # One check only: refused, the error leading to the checks.
    page.get_by_label("Établissement d'affectation").check()
    page.get_by_role("button", name="Débloquer la connexion").click()
    assert "Cochez au moins 2 vérifications" in page.get_by_role("alert").first.inner_text()
    assert_accessible(page)

    page.get_by_label("Date de naissance (comparée par le serveur)").check()
    page.get_by_label("Date de naissance donnée par l'électeur").fill("1975-03-14")
    page.get_by_role("button", name="Débloquer la connexion").click()
    assert "est débloqué" in page.locator(".messages").inner_text()
    assert_accessible(page)
    assert throttle.login_locked(helene.email) is False

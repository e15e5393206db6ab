"""Error pages: plain French, the reason when we know it, and the way to the assistance."""

from __future__ import annotations

from django.test import Client, RequestFactory
from django.urls import reverse

from tests.campaign.conftest import text
from urne.accounts.models import User
from urne.campaign.models import Academy
from urne.support import views


def test_a_404_says_so_in_french_and_points_to_the_assistance(client: Client, dijon: Academy):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    page = text(response)
    assert "<h1>Page introuvable</h1>" in page
    assert "La page demandée n'existe pas ou a été déplacée." in page
    assert reverse("support:assistance") in page
    assert reverse("support:faq") in page


def test_a_404_shows_a_logged_in_elector_their_academys_contact(bob: Client):
    page = text(bob.get("/nulle-part/"))

    assert "elections2014@ac-dijon.fr" in page
    assert "03.80.44.89.95" in page


def test_a_403_shows_the_assistance_and_sends_staff_to_the_back_office(
    client: Client, staff_dijon: User
):
    client.force_login(staff_dijon)

    page = text(client.get(reverse("campaign:space")))

    assert "<h1>Accès refusé</h1>" in page
    assert reverse("admin:index") in page
    assert reverse("support:assistance") in page


def test_the_500_page_is_french_and_keeps_the_assistance(voter_bob: User):
    request = RequestFactory().get("/espace/")
    request.user = voter_bob

    response = views.server_error(request)

    assert response.status_code == 500
    page = text(response)
    assert "<h1>Erreur du serveur</h1>" in page
    assert "elections2014@ac-dijon.fr" in page


def test_the_csrf_page_says_the_form_expired(voter_bob: User):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(voter_bob)

    response = browser.post(reverse("campaign:request_correction"), {})

    assert response.status_code == 403
    page = text(response)
    assert "<h1>Formulaire expiré</h1>" in page
    assert "elections2014@ac-dijon.fr" in page


def test_the_rate_limit_page_is_french(client: Client, db: None):
    request = RequestFactory().get("/compte/connexion/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()

    response = views.rate_limited(request)

    assert response.status_code == 429
    assert "Trop de tentatives" in text(response)

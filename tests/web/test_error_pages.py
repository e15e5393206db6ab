"""Error pages: plain French, the reason when we know it, and the way to the assistance."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import include, path, reverse
from django_ratelimit.exceptions import Ratelimited

from tests.campaign.conftest import text
from urne.accounts.models import User
from urne.campaign.models import Academy
from urne.web import views
from urne.web.errors import Forbidden, NotFound, TooManyAttempts, VisitorError

REFUSALS = {
    "trop": TooManyAttempts("Revenez demain."),
    "refus": Forbidden("Réservé aux membres du bureau de vote."),
    "absent": NotFound("Ce bureau de vote n'existe pas."),
    "perime": VisitorError("Ce formulaire appartient à une campagne close."),
}


def refusing(request: HttpRequest, name: str) -> HttpResponse:
    raise REFUSALS[name]


# The site's URLs, plus a view that raises what a service would.
urlpatterns = [path("refus/<str:name>/", refusing), path("", include("urne.urls"))]


@pytest.fixture
def raising_view_urls(settings, db: None) -> None:
    settings.ROOT_URLCONF = __name__


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


def anonymous_request(path: str) -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


def test_the_rate_limit_page_is_french(db: None):
    response = views.rate_limited(anonymous_request("/compte/connexion/"))

    assert response.status_code == 429
    page = text(response)
    assert "<h1>Trop de tentatives</h1>" in page
    assert "Patientez quelques minutes avant de réessayer." in page


def test_django_ratelimits_refusal_gets_the_429_page_not_the_403(db: None):
    """Its decorator raises Ratelimited, a PermissionDenied: the 403 handler must tell."""
    response = views.permission_denied(anonymous_request("/compte/connexion/"), Ratelimited())

    assert response.status_code == 429
    assert "<h1>Trop de tentatives</h1>" in text(response)


@pytest.mark.parametrize(
    ("name", "status", "title"),
    [
        ("trop", 429, "Trop de tentatives"),
        ("refus", 403, "Accès refusé"),
        ("absent", 404, "Page introuvable"),
        ("perime", 400, "Requête invalide"),
    ],
)
def test_a_visitor_error_a_view_lets_through_gets_its_page_and_message(
    raising_view_urls: None, name: str, status: int, title: str
):
    response = Client().get(f"/refus/{name}/")

    assert response.status_code == status
    page = text(response)
    assert f"<h1>{title}</h1>" in page
    assert f">{REFUSALS[name].message}</p>" in page.replace("&#x27;", "'")
    assert reverse("support:assistance") in page
    assert "no-store" in response["Cache-Control"]


def test_when_the_500_page_cannot_render_a_plain_page_still_answers(
    monkeypatch: pytest.MonkeyPatch, db: None
):
    """The failure may be the database the page's context needs: the fallback needs none."""

    def broken(*args: object, **kwargs: object) -> HttpResponse:
        raise DatabaseError("the database is down")

    monkeypatch.setattr(views, "render", broken)
    request = RequestFactory().get("/espace/")

    response = views.server_error(request)

    assert response.status_code == 500
    page = text(response)
    assert "<h1>Erreur du serveur</h1>" in page
    assert '<link rel="icon" href="/static/urne/favicon.svg" type="image/svg+xml">' in page
    assert f'<a href="{reverse("support:assistance")}">Assistance en académie</a>' in page

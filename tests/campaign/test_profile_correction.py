"""Demander une mise à jour de mon profil: until the deadline, checked, nothing half-saved."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from tests.conftest import paris
from urne.accounts.models import User
from urne.campaign import corrections, services
from urne.campaign.models import Campaign, Elector, ProfileCorrectionRequest

FORM = reverse("campaign:request_correction")
GOOD = {"field": "grade", "correction": "Hors classe", "comment": "Promu au 1er septembre."}


def test_it_shows_the_form_in_french(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(FORM))

    assert "Information à corriger" in page
    assert "Information correcte" in page
    assert "Commentaire (facultatif)" in page
    assert '<option value="establishment">Établissement d\'affectation</option>' in page
    assert "Les demandes sont possibles jusqu'au 14 novembre 2014." in page


def test_it_records_a_request_and_shows_it_on_the_profile(
    bob: Client, elector_bob: Elector, calendar_2014: Campaign
):
    response = bob.post(FORM, GOOD, follow=True)

    request = ProfileCorrectionRequest.objects.get()
    assert request.elector == elector_bob
    assert request.field == "grade"
    assert request.correction == "Hors classe"
    assert request.comment == "Promu au 1er septembre."
    assert request.status == ProfileCorrectionRequest.Status.SUBMITTED
    assert request.created_at == paris(2014, 10, 1, 12)
    assert response.redirect_chain == [(reverse("campaign:profile"), 302)]
    page = text(response)
    assert "Votre demande de mise à jour a été transmise à votre académie." in page
    assert "Hors classe" in page


def test_it_accepts_a_request_at_the_last_second(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(calendar_2014.corrections_deadline)

    bob.post(FORM, GOOD)

    assert ProfileCorrectionRequest.objects.count() == 1


def test_after_the_deadline_the_page_says_it_is_closed(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 15, 0, 0, 0))

    response = bob.get(FORM)

    assert response.status_code == 200
    page = text(response)
    assert (
        "Les demandes de mise à jour du profil étaient possibles jusqu'au 14 novembre 2014 ; "
        "elles sont closes." in page
    )
    assert '<form method="post" novalidate>' not in page


def test_after_the_deadline_a_post_is_refused_and_nothing_is_saved(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 15, 0, 0, 0))

    response = bob.post(FORM, GOOD)

    assert response.status_code == 403
    assert "elles sont closes" in text(response)
    assert ProfileCorrectionRequest.objects.count() == 0


def test_after_the_deadline_the_profile_says_it_is_closed(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 20))

    page = text(bob.get(reverse("campaign:profile")))

    assert FORM not in page
    assert "elles sont closes" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "correction",
            "x" * 201,
            "Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 201).",
        ),
        (
            "comment",
            "x" * 1001,
            "Assurez-vous que cette valeur comporte au plus 1000 caractères (actuellement 1001).",
        ),
        ("correction", "   ", "Ce champ est obligatoire."),
        ("field", "", "Ce champ est obligatoire."),
        ("field", "password", "Sélectionnez un choix valide. password n’en fait pas partie."),
    ],
)
def test_it_refuses_bad_input_in_french_and_saves_nothing(
    bob: Client, calendar_2014: Campaign, field: str, value: str, message: str
):
    response = bob.post(FORM, {**GOOD, field: value})

    assert response.status_code == 400
    page = text(response)
    assert "Le formulaire contient des erreurs" in page
    assert message in html.unescape(page)
    assert ProfileCorrectionRequest.objects.count() == 0


def test_it_refuses_a_second_open_request_on_the_same_information(
    bob: Client, calendar_2014: Campaign
):
    bob.post(FORM, GOOD)

    response = bob.post(FORM, {**GOOD, "correction": "Classe exceptionnelle"})

    assert response.status_code == 400
    assert "Vous avez déjà une demande en cours pour cette information" in (text(response))
    assert ProfileCorrectionRequest.objects.count() == 1


def test_it_accepts_a_new_request_once_the_first_was_answered(
    bob: Client, calendar_2014: Campaign, staff_dijon: User
):
    bob.post(FORM, GOOD)
    staff_dijon.user_permissions.add(
        Permission.objects.get(codename="change_profilecorrectionrequest")
    )
    corrections.do_refuse_correction(
        staff_dijon, ProfileCorrectionRequest.objects.get(), "Pas encore promu."
    )

    bob.post(FORM, {**GOOD, "correction": "Classe exceptionnelle"})

    assert ProfileCorrectionRequest.objects.count() == 2


def test_a_request_on_another_information_is_independent(bob: Client, calendar_2014: Campaign):
    bob.post(FORM, GOOD)
    bob.post(FORM, {**GOOD, "field": "corps", "correction": "Professeur agrégé"})

    assert ProfileCorrectionRequest.objects.count() == 2


def test_it_refuses_a_post_without_the_csrf_token(voter_bob: User, campaign: Campaign):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(voter_bob)

    response = browser.post(FORM, GOOD)

    assert response.status_code == 403
    assert "Formulaire expiré" in text(response)
    assert ProfileCorrectionRequest.objects.count() == 0


def test_the_service_refuses_after_the_deadline_whatever_the_caller(
    elector_bob: Elector, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 15, 9))
    elector = Elector.objects.select_related("campaign").get(pk=elector_bob.pk)

    with pytest.raises(services.CorrectionsClosed):
        services.do_request_correction(elector, "grade", "Hors classe", "")
    assert ProfileCorrectionRequest.objects.count() == 0

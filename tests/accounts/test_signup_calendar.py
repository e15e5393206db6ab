"""CRÉER MON COMPTE opens on the campaign's date (the seed: 22 September) and closes with the
vote; before, the page says from when, and a submitted form creates nothing."""

from __future__ import annotations

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import signup_data
from tests.conftest import paris
from urne.accounts.models import User
from urne.campaign.models import Campaign

SIGNUP = reverse("accounts:signup")


def test_before_the_opening_the_page_says_from_when(
    client: Client, travel, campaign_2014: Campaign
) -> None:
    travel(paris(2014, 9, 21, 18, 0))

    response = client.get(SIGNUP)

    page = response.content.decode()
    assert response.status_code == 200
    assert "La création des comptes électeurs ouvrira le 22 septembre 2014 à 9 h 00." in page
    assert "JE CRÉE MON COMPTE" not in page


def test_before_the_opening_a_submitted_form_creates_nothing(
    client: Client, post, travel, campaign_2014: Campaign
) -> None:
    travel(paris(2014, 9, 22, 8, 59))

    response = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr"))

    assert response.status_code == 403
    assert "ouvrira le 22 septembre 2014 à 9 h 00" in response.content.decode()
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_from_the_opening_the_account_can_be_created(
    client: Client, post, travel, campaign_2014: Campaign
) -> None:
    travel(paris(2014, 9, 22, 9, 0))

    assert "JE CRÉE MON COMPTE" in client.get(SIGNUP).content.decode()
    response = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr"))

    assert response.status_code == 302
    assert User.objects.get().email == "alice.bernard@ac-dijon.fr"
    assert [m.subject for m in mail.outbox] == [
        "Elections professionnelles 2014 : confirmez votre compte électeur"
    ]


def test_once_the_vote_is_over_account_creation_is_closed(
    client: Client, post, travel, campaign_2014: Campaign
) -> None:
    travel(paris(2014, 12, 4, 17, 0))

    page = client.get(SIGNUP).content.decode()
    response = post(SIGNUP, signup_data("alice.bernard@ac-dijon.fr"))

    assert "la création des comptes est fermée" in page
    assert response.status_code == 403
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_without_any_campaign_the_page_says_it_is_closed(client: Client, db: None) -> None:
    page = client.get(SIGNUP).content.decode()

    assert "Aucune élection n'est en préparation" in page.replace("&#x27;", "'")

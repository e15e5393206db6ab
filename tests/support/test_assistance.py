"""Assistance: every academy's contact on a public page, the elector's own on every page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from tests.conftest import CALENDAR_2014, make_academy, make_campaign
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign

ASSISTANCE = reverse("support:assistance")


def test_anyone_finds_every_academys_contact(client: Client, dijon: Academy, lyon: Academy):
    response = client.get(ASSISTANCE)

    assert response.status_code == 200
    page = text(response)
    assert '<a href="mailto:elections2014@ac-dijon.fr">elections2014@ac-dijon.fr</a>' in page
    assert '<a href="tel:0380448995">03.80.44.89.95</a>' in page
    assert "elections2014@ac-lyon.fr" in page
    assert page.index("Dijon") < page.index("Lyon")


def test_it_lists_only_the_current_campaigns_academies(
    client: Client, dijon: Academy, campaign: Campaign
):
    # The same calendar: the latest campaign is the one of the higher year.
    older = make_campaign(
        name="Élections 2011",
        year=2011,
        **{field: getattr(campaign, field) for field in CALENDAR_2014},
    )
    make_academy(older, "Dijon", "03.80.00.00.00")

    page = text(client.get(ASSISTANCE))

    assert "elections2014@ac-dijon.fr" in page
    assert "elections2011@ac-dijon.fr" not in page


@pytest.mark.parametrize(
    "name", ["campaign:space", "campaign:profile", "campaign:scrutins", "support:faq"]
)
def test_every_page_shows_the_electors_own_assistance(bob: Client, name: str):
    page = text(bob.get(reverse(name)))

    assert "En cas de problème, saisissez l'assistance académique de Dijon :" in page
    assert '<a href="mailto:elections2014@ac-dijon.fr">' in page
    assert "03.80.44.89.95" in page


def test_an_elector_of_another_academy_sees_theirs(charlie: Client, outsider_charlie: User):
    page = text(charlie.get(reverse("campaign:space")))

    assert "elections2014@ac-lyon.fr" in page
    assert "elections2014@ac-dijon.fr" not in page


def test_anonymous_visitors_are_pointed_to_the_assistance_page(client: Client, dijon: Academy):
    page = text(client.get(reverse("support:faq")))

    assert f'<a href="{ASSISTANCE}">assistance utilisateur en académie</a>' in page
    assert "elections2014@ac-dijon.fr" not in page


def test_the_assistance_page_highlights_the_electors_academy(bob: Client, lyon: Academy):
    page = text(bob.get(ASSISTANCE))

    assert "Votre académie : Dijon." in page
    assert '<tr class="highlight">\n      <th scope="row">Dijon</th>' in page

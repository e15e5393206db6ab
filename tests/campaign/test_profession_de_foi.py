"""A list's profession de foi: a download for the scrutin's electors, once candidacies are out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from tests.conftest import paris
from urne.campaign.models import Campaign
from urne.candidacies.models import CandidateList

PDF = reverse("campaign:profession_de_foi", args=["capa-certifies-dijon", 1])


def test_an_elector_of_the_scrutin_downloads_it_as_an_attachment(
    bob: Client, campaign: Campaign, capa_lists: list[CandidateList]
):
    response = bob.get(PDF)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="profession-de-foi-capa-certifies-dijon-1.pdf"'
    )
    body = response.getvalue()
    assert body.startswith(b"%PDF")
    assert body == capa_lists[0].profession_de_foi.open("rb").read()


def test_before_the_candidacies_are_published_it_is_a_french_404(
    bob: Client,
    calendar_2014: Campaign,
    capa_lists: list[CandidateList],
    travel: Callable[[datetime], None],
):
    travel(paris(2014, 10, 27, 23, 59, 59))

    response = bob.get(PDF)

    assert response.status_code == 404
    assert "seront consultables à partir du 28 octobre 2014" in text(response)


def test_from_the_28_october_it_can_be_downloaded(
    bob: Client,
    calendar_2014: Campaign,
    capa_lists: list[CandidateList],
    travel: Callable[[datetime], None],
):
    travel(paris(2014, 10, 28))

    assert bob.get(PDF).status_code == 200


def test_a_list_without_profession_de_foi_is_a_french_404(
    bob: Client, campaign: Campaign, capa_lists: list[CandidateList]
):
    response = bob.get(reverse("campaign:profession_de_foi", args=["capa-certifies-dijon", 2]))

    assert response.status_code == 404
    assert "La profession de foi de cette liste n'est pas disponible." in (text(response))


def test_a_file_gone_from_storage_is_a_french_404(
    bob: Client, campaign: Campaign, capa_lists: list[CandidateList], media_root: Path
):
    (media_root / capa_lists[0].profession_de_foi.name).unlink()

    response = bob.get(PDF)

    assert response.status_code == 404
    assert "n'est pas disponible" in text(response)


def test_an_unknown_list_is_a_french_404(
    bob: Client, campaign: Campaign, capa_lists: list[CandidateList]
):
    response = bob.get(reverse("campaign:profession_de_foi", args=["capa-certifies-dijon", 9]))

    assert response.status_code == 404
    assert "Cette liste de candidats n'existe pas." in text(response)


def test_it_is_not_served_at_a_public_media_address(
    client: Client, campaign: Campaign, capa_lists: list[CandidateList]
):
    public = capa_lists[0].profession_de_foi.url

    assert client.get(public).status_code == 404


def test_the_file_of_another_scrutin_cannot_be_reached_through_bobs(
    bob: Client, campaign: Campaign, capa_lists: list[CandidateList], csa_national: object
):
    # Bob is on the CSA roll too, but the CSA has no list 1: no crossing over to the CAPA's file.
    response = bob.get(reverse("campaign:profession_de_foi", args=["csa-men", 1]))

    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")

"""Mon espace électeur: the seed's two blocks and the calendar, with the campaign's own dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from tests.conftest import paris
from urne.campaign.models import Campaign

SPACE = reverse("campaign:space")


def test_it_shows_the_seed_wording_with_the_campaign_dates(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(SPACE))

    assert "<h1>Mon espace électeur</h1>" in page
    assert (
        "Cet espace personnalisé vous informe sur vos scrutins et vous permet de vous connecter "
        "à l'application de vote." in page
    )
    assert '<span class="block-number">1</span> Mon profil' in page
    assert "Consulter mon profil" in page
    assert "Demander une mise à jour de mon profil" in page
    assert "jusqu'au 14 novembre" in page
    assert '<span class="block-number">2</span> Mes scrutins' in page
    assert "Consulter les scrutins auxquels je suis appelé(e) à participer" in page
    assert "dès le 15 octobre, les listes électorales" in page
    assert (
        "dès le 28 octobre, la liste des organisations syndicales candidates, leurs professions "
        "de foi et leurs candidats" in page
    )


def test_once_the_rolls_are_published_it_says_so_and_when_the_candidacies_will_be(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 1))
    Campaign.objects.filter(pk=calendar_2014.pk).update(
        candidacies_published_at=paris(2014, 11, 10)
    )

    page = " ".join(text(bob.get(SPACE)).split())

    assert "vous pourrez consulter" not in page
    assert "dès le" not in page
    assert "les listes électorales sont consultables depuis le 15 octobre ;" in page
    assert (
        "la liste des organisations syndicales candidates, leurs professions de foi et leurs "
        "candidats seront consultables à partir du 10 novembre." in page
    )


def test_after_both_dates_it_speaks_in_the_present(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 12))

    page = " ".join(text(bob.get(SPACE)).split())

    assert "pourrez" not in page
    assert "seront" not in page
    assert "les listes électorales sont consultables depuis le 15 octobre ;" in page
    assert "leurs candidats sont consultables depuis le 28 octobre." in page


def test_it_shows_the_next_steps_of_the_calendar(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(SPACE))

    assert "disponible à partir du 12 novembre 2014" in page
    assert "du 27 novembre 2014 à 10 h 00 au 4 décembre 2014 à 17 h 00 (heure de Paris)" in page


def test_it_says_the_identifier_is_available_once_it_is(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 12, 8))

    assert "disponible depuis le 12 novembre 2014" in text(bob.get(SPACE))


def test_it_reads_dates_on_the_clocks_of_paris(bob: Client, calendar_2014: Campaign):
    # 23:30 UTC on 14 November is already 15 November in Paris.
    Campaign.objects.filter(pk=calendar_2014.pk).update(
        corrections_deadline=datetime.fromisoformat("2014-11-14T23:30:00+00:00"),
        vote_closes_at=paris(2014, 12, 1, 17),
    )

    page = text(bob.get(SPACE))

    assert "jusqu'au 15 novembre" in page
    assert "au 1er décembre 2014 à 17 h 00" in page


def test_it_shows_the_dates_but_no_vote_button_while_the_vote_is_open(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 28, 12))

    page = text(bob.get(SPACE))

    assert "du 27 novembre 2014 à 10 h 00" in page
    assert "Voter" not in page


def test_it_closes_the_update_link_after_the_deadline(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 11, 15, 0, 0, 1))

    page = text(bob.get(SPACE))

    assert "clos depuis le 14 novembre" in page
    assert reverse("campaign:request_correction") not in page


def test_it_greets_the_elector_and_links_the_memo(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(SPACE))

    assert "Bienvenue, M. Bob MARTIN." in page
    assert reverse("campaign:memo") in page


def test_it_shows_the_assistance_of_the_electors_academy(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(SPACE))

    assert "elections2014@ac-dijon.fr" in page
    assert "03.80.44.89.95" in page

"""Mes scrutins and each scrutin's page: rolls and candidacies, each from its own date."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import text
from tests.conftest import paris
from urne.campaign.models import Campaign
from urne.candidacies.models import CandidateList

SCRUTINS = reverse("campaign:scrutins")
CAPA = reverse("campaign:scrutin", args=["capa-certifies-dijon"])


def test_it_lists_the_electors_scrutins(bob: Client, campaign: Campaign):
    page = text(bob.get(SCRUTINS))

    assert "Vous êtes appelé(e) à participer à 2 scrutins." in page
    assert "CSA ministériel de l'éducation nationale" in page
    assert "CAPA des professeurs certifiés de Dijon" in page
    assert CAPA in page
    assert reverse("campaign:scrutin", args=["csa-men"]) in page


def test_before_the_dates_it_says_when_rolls_and_candidacies_open(
    bob: Client, calendar_2014: Campaign
):
    page = text(bob.get(SCRUTINS))

    assert "Liste électorale consultable à partir du 15 octobre 2014" in page
    assert "Candidatures consultables à partir du 28 octobre 2014" in page
    assert reverse("campaign:roll", args=["capa-certifies-dijon"]) not in page


def test_after_the_dates_it_links_rolls_and_candidacies(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 10, 28, 0, 0, 1))

    page = text(bob.get(SCRUTINS))

    assert reverse("campaign:roll", args=["capa-certifies-dijon"]) in page
    assert f"{CAPA}#candidatures" in page


class _Links(HTMLParser):
    """The page's links as a screen reader lists them: (accessible name, target)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._words = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._words.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._words).split()), self._href))
            self._href = None


def test_every_link_to_a_different_place_has_a_different_name(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 10, 28, 0, 0, 1))
    parser = _Links()
    parser.feed(bob.get(SCRUTINS).content.decode())

    targets: dict[str, set[str]] = {}
    for name, href in parser.links:
        targets.setdefault(name, set()).add(href)

    assert {name: hrefs for name, hrefs in targets.items() if len(hrefs) > 1} == {}
    assert (
        "Consulter la liste électorale du scrutin « CAPA des professeurs certifiés de Dijon »",
        reverse("campaign:roll", args=["capa-certifies-dijon"]),
    ) in parser.links
    assert (
        "Consulter les candidatures et les professions de foi du scrutin « CSA ministériel de "
        "l'éducation nationale »",
        reverse("campaign:scrutin", args=["csa-men"]) + "#candidatures",
    ) in parser.links


def test_the_vote_is_announced_then_under_way_then_over(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    dates = "du 27 novembre 2014 à 10 h 00 au 4 décembre 2014 à 17 h 00 (heure de Paris)."

    before = " ".join(text(bob.get(SCRUTINS)).split())
    travel(paris(2014, 11, 27, 10))
    during = " ".join(text(bob.get(SCRUTINS)).split())
    travel(paris(2014, 12, 4, 17))
    after = " ".join(text(bob.get(SCRUTINS)).split())

    assert f"Le vote par internet aura lieu {dates}" in before
    assert f"Le vote par internet a lieu {dates}" in during
    assert f"Le vote par internet a eu lieu {dates}" in after


def test_a_scrutin_page_before_the_rolls_says_when_they_open(bob: Client, calendar_2014: Campaign):
    page = text(bob.get(CAPA))

    assert "Les listes électorales seront consultables à partir du 15 octobre 2014." in page
    assert (
        "La liste des organisations syndicales candidates, leurs professions de foi et leurs "
        "candidats seront consultables à partir du 28 octobre 2014." in page
    )


def test_before_the_28_october_the_candidacies_stay_hidden(
    bob: Client,
    calendar_2014: Campaign,
    capa_lists: list[CandidateList],
    travel: Callable[[datetime], None],
):
    travel(paris(2014, 10, 27, 23, 59))

    page = text(bob.get(CAPA))

    assert "SNES-FSU" not in page
    assert "Petit" not in page
    assert reverse("campaign:profession_de_foi", args=["capa-certifies-dijon", 1]) not in page


def test_from_the_28_october_it_shows_lists_in_official_order_with_unions_and_candidates(
    bob: Client,
    calendar_2014: Campaign,
    capa_lists: list[CandidateList],
    travel: Callable[[datetime], None],
):
    travel(paris(2014, 10, 28))

    page = text(bob.get(CAPA))

    assert page.index("Liste SNES-FSU") < page.index("Liste commune SGEN-CFDT et SE-UNSA")
    assert "Syndicat national des enseignements de second degré" in page
    assert "Organisations syndicales :" in page  # the joint list
    assert "SGEN-CFDT" in page and "SE-UNSA" in page
    assert page.index("PETIT") < page.index("BERNARD")  # candidates in list order
    rows = re.findall(
        r"<tr>\s*<td>(\d+)</td>\s*<td>(M\.|Mme)</td>\s*<th scope=\"row\">(\w+)</th>"
        r"\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>",
        page,
    )
    assert rows[0] == (
        "1",
        "Mme",
        "PETIT",
        "Agnès",
        "Professeur certifié, classe normale",
        "Collège Petit, Dijon",
    )
    assert reverse("campaign:profession_de_foi", args=["capa-certifies-dijon", 1]) in page
    assert "Profession de foi non déposée." in page  # the joint list filed none


def test_the_candidacies_take_a_constant_number_of_queries(
    bob: Client,
    campaign: Campaign,
    capa_lists: list[CandidateList],
    django_assert_max_num_queries: Any,
):
    bob.get(CAPA)  # warm the session

    with django_assert_max_num_queries(12):
        bob.get(CAPA)


def test_a_scrutin_without_lists_says_so(bob: Client, campaign: Campaign):
    page = text(bob.get(CAPA))

    assert "Aucune liste de candidats n'a été déposée pour ce scrutin." in page


def test_an_unknown_scrutin_is_a_french_404(bob: Client, campaign: Campaign):
    response = bob.get(reverse("campaign:scrutin", args=["nulle-part"]))

    assert response.status_code == 404
    assert "Page introuvable" in text(response)

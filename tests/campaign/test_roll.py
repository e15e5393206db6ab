"""A scrutin's electoral roll: names and affectations from 15 October, paginated, searchable."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.campaign.conftest import HEADER, text
from tests.conftest import make_elector, paris
from urne.campaign import services
from urne.campaign.imports import do_import_electors
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin

ROLL = reverse("campaign:roll", args=["capa-certifies-dijon"])


def fill_roll(scrutin: Scrutin, academy: Academy, count: int) -> None:
    """`count` more electors on the roll, named Elève0000, Elève0001..."""
    electors = Elector.objects.bulk_create(
        Elector(
            campaign=scrutin.campaign,
            academy=academy,
            civilite="MME",
            first_name=f"Prénom{number:04d}",
            last_name=f"Elève{number:04d}",
            email=f"eleve{number:04d}@{academy.mail_domain}",
            corps="Professeur certifié",
            establishment=f"Collège n°{number}",
        )
        for number in range(count)
    )
    RollEntry.objects.bulk_create(RollEntry(scrutin=scrutin, elector=e) for e in electors)


def test_before_the_15_october_it_says_when_the_roll_opens(bob: Client, calendar_2014: Campaign):
    response = bob.get(ROLL)

    page = text(response)
    assert "Les listes électorales seront consultables à partir du 15 octobre 2014." in page
    assert "MARTIN" not in page


def test_from_the_15_october_it_shows_names_and_affectations_but_never_emails(
    bob: Client, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 10, 15))

    page = text(bob.get(ROLL))

    assert '<th scope="row">MARTIN</th>' in page
    assert "<td>Bob</td>" in page
    assert "<td>Lycée Carnot, Dijon</td>" in page
    assert "1 électeur inscrit." in page
    assert "@ac-dijon.fr</" not in page.replace("elections2014@ac-dijon.fr</", "")
    assert "bob.martin@" not in page


def test_it_pages_a_long_roll_by_fifty(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    fill_roll(capa_dijon, dijon, 120)

    first = text(bob.get(ROLL))
    last = text(bob.get(ROLL, {"page": 3}))

    assert "121 électeurs inscrits." in first
    assert first.count('<th scope="row">') == 50
    assert "Page 1 sur 3" in first
    assert 'href="?page=2" rel="next"' in first
    assert last.count('<th scope="row">') == 21
    assert '<th scope="row">MARTIN</th>' in last  # M comes after E
    assert 'href="?page=2" rel="prev"' in last


def test_it_tolerates_a_page_number_out_of_range(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    fill_roll(capa_dijon, dijon, 60)

    assert "Page 2 sur 2" in text(bob.get(ROLL, {"page": 99}))
    assert "Page 1 sur 2" in text(bob.get(ROLL, {"page": "abc"}))


def test_it_finds_a_name_whatever_the_case(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    fill_roll(capa_dijon, dijon, 60)

    page = text(bob.get(ROLL, {"q": "martin"}))

    assert "1 électeur inscrit correspond à « martin »." in page
    assert '<th scope="row">MARTIN</th>' in page
    assert "ELÈVE0001" not in page


def test_every_word_of_the_search_must_match(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    fill_roll(capa_dijon, dijon, 60)

    assert "1 électeur inscrit correspond" in text(bob.get(ROLL, {"q": "Prénom0042 Elève0042"}))
    assert "Aucun électeur inscrit ne correspond à « Prénom0042 Martin »." in text(
        bob.get(ROLL, {"q": "Prénom0042 Martin"})
    )


def test_search_results_keep_the_query_across_pages(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    fill_roll(capa_dijon, dijon, 120)

    page = text(bob.get(ROLL, {"q": "Elève"}))

    assert "120 électeurs inscrits correspondent à « Elève »." in page
    assert 'href="?q=El%C3%A8ve&page=2" rel="next"' in page


def test_it_refuses_an_over_long_search_in_french(bob: Client, campaign: Campaign):
    response = bob.get(ROLL, {"q": "x" * 101})

    assert response.status_code == 400
    assert "au plus 100 caractères" in text(response)


def test_the_roll_shows_only_its_own_scrutin(
    bob: Client,
    campaign: Campaign,
    capa_dijon: Scrutin,
    csa_national: Scrutin,
    lyon: Academy,
    outsider_charlie: Any,
):
    RollEntry.objects.create(scrutin=csa_national, elector=outsider_charlie.elector)

    capa = text(bob.get(ROLL))
    csa = text(bob.get(reverse("campaign:roll", args=["csa-men"])))

    assert "DURAND" not in capa
    assert '<th scope="row">DURAND</th>' in csa


def test_a_roll_page_takes_the_same_few_queries_however_long_the_roll(
    bob: Client,
    campaign: Campaign,
    capa_dijon: Scrutin,
    dijon: Academy,
    django_assert_max_num_queries: Any,
):
    fill_roll(capa_dijon, dijon, 300)
    bob.get(ROLL)

    with django_assert_max_num_queries(10):
        bob.get(ROLL, {"page": 4})


def test_the_service_refuses_the_roll_before_the_15_october_whatever_the_caller(
    capa_dijon: Scrutin, calendar_2014: Campaign, travel: Callable[[datetime], None]
):
    travel(paris(2014, 10, 14, 23, 59))
    scrutin = Scrutin.objects.select_related("campaign").get(pk=capa_dijon.pk)

    with pytest.raises(services.RollsNotPublished) as refused:
        services.search_roll(scrutin, "", None)

    assert "consultables à partir du 15 octobre 2014" in str(refused.value.message)

    travel(paris(2014, 10, 15))

    assert services.search_roll(scrutin, "", None).total == 0


def put_on_roll(scrutin: Scrutin, academy: Academy, *names: tuple[str, str]) -> None:
    """Electors (first name, last name) saved one by one, on the scrutin's roll."""
    for first, last in names:
        elector = make_elector(scrutin.campaign, academy, first, last)
        RollEntry.objects.create(scrutin=scrutin, elector=elector)


def names_in_order(page: str) -> list[str]:
    """The family names of the roll's rows, top to bottom."""
    return [row.split("</th>")[0] for row in page.split('<th scope="row">')[1:]]


def test_the_roll_is_in_french_alphabetical_order(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    put_on_roll(
        capa_dijon,
        dijon,
        ("Paul", "Guillot"),
        ("Anne", "Guérin"),
        ("Marc", "Gérard"),
        ("Léa", "Œuvray"),
        ("Yves", "Odin"),
        ("Zoé", "Le Blanc"),
        ("Ève", "Gérard"),
        ("Adèle", "Gerard"),
        ("Luc", "Lebrun"),
    )

    page = text(bob.get(ROLL))

    assert names_in_order(page) == [
        "GERARD",  # Adèle
        "GÉRARD",  # Ève: the first names decide between two Gérard, accents aside
        "GÉRARD",  # Marc
        "GUÉRIN",
        "GUILLOT",
        "LE BLANC",
        "LEBRUN",
        "MARTIN",
        "ODIN",
        "ŒUVRAY",  # read « oe »
    ]
    assert page.index("<td>Ève</td>") < page.index("<td>Marc</td>")


def test_electors_written_in_bulk_are_in_order_too(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    electors = Elector.objects.bulk_create(
        Elector(
            campaign=campaign,
            academy=dijon,
            civilite="M",
            first_name=first,
            last_name=last,
            email=f"{number}@ac-dijon.fr",
            corps="Professeur certifié",
            establishment="Lycée Carnot, Dijon",
        )
        for number, (first, last) in enumerate([("Anne", "Guérin"), ("Paul", "Émery")])
    )
    RollEntry.objects.bulk_create(RollEntry(scrutin=capa_dijon, elector=e) for e in electors)

    assert names_in_order(text(bob.get(ROLL))) == ["ÉMERY", "GUÉRIN", "MARTIN"]
    assert "1 électeur inscrit correspond à « emery »." in text(bob.get(ROLL, {"q": "emery"}))


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("gerard", "GÉRARD"),
        ("GÉRARD", "GÉRARD"),
        ("guerin anne", "GUÉRIN"),
        ("oeuvray", "ŒUVRAY"),
        ("helene", "DUPRÉ-LASSALLE"),
        ("dupre lassalle", "DUPRÉ-LASSALLE"),
        ("dupré-lassalle", "DUPRÉ-LASSALLE"),
    ],
)
def test_the_search_finds_a_name_whatever_its_accents_and_signs(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy, query: str, found: str
):
    put_on_roll(
        capa_dijon,
        dijon,
        ("Marc", "Gérard"),
        ("Anne", "Guérin"),
        ("Léa", "Œuvray"),
        ("Hélène", "Dupré-Lassalle"),
    )

    page = text(bob.get(ROLL, {"q": query}))

    assert f"1 électeur inscrit correspond à « {query} »." in page
    assert names_in_order(page) == [found]


def test_imported_electors_are_sorted_and_found_as_they_are_written(
    bob: Client, campaign: Campaign, capa_dijon: Scrutin, dijon: Academy
):
    Campaign.objects.filter(pk=campaign.pk).update(
        vote_opens_at=paris(2099, 1, 1), vote_closes_at=paris(2099, 1, 8)
    )
    campaign.refresh_from_db()
    line = "Mme;{first};{last};{email};Professeur certifié;;Lycée Carnot, Dijon;dijon;{code}"
    code = capa_dijon.code

    def import_names(*names: tuple[str, str, str]) -> None:
        rows = [line.format(first=f, last=n, email=e, code=code) for f, n, e in names]
        do_import_electors(campaign, [HEADER, *rows])

    import_names(("Paul", "Guillot", "p.g@ac-dijon.fr"), ("Anne", "Guerin", "a.g@ac-dijon.fr"))
    # The academy corrects a name: its key follows.
    import_names(("Paul", "Guillot", "p.g@ac-dijon.fr"), ("Anne", "Élie", "a.g@ac-dijon.fr"))

    assert names_in_order(text(bob.get(ROLL))) == ["ÉLIE", "GUILLOT", "MARTIN"]
    assert names_in_order(text(bob.get(ROLL, {"q": "elie"}))) == ["ÉLIE"]
    assert "Aucun électeur inscrit" in text(bob.get(ROLL, {"q": "guerin"}))


def test_an_academic_roll_gives_each_affectation_without_repeating_the_academy(
    bob: Client, campaign: Campaign
):
    page = text(bob.get(ROLL))

    assert "<td>Lycée Carnot, Dijon</td>" in page
    assert "(Dijon)" not in page
    assert '<th scope="col">Académie</th>' not in page


def test_a_national_roll_gives_each_electors_academy_in_its_own_column(
    bob: Client, campaign: Campaign, csa_national: Scrutin, outsider_charlie: Any
):
    RollEntry.objects.create(scrutin=csa_national, elector=outsider_charlie.elector)

    page = text(bob.get(reverse("campaign:roll", args=["csa-men"])))

    assert '<th scope="col">Académie</th>' in page
    assert re.search(r"<td>Lycée Carnot, Lyon</td>\s*<td>Lyon</td>", page)
    assert "(Lyon)" not in page

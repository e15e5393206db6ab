"""The results pages in headless Chromium: an observer reads a counted scrutin in the back
office, anyone reads it once proclaimed; the charts are images with their name, the tables beside
them, and axe-core finds no fault."""

from __future__ import annotations

from typing import Any

import pytest

from tests.backoffice.personas import observer
from tests.browser.conftest import assert_accessible, log_in
from tests.conftest import make_campaign
from tests.counting.conftest import (
    cap_by_grade,
    cap_grade_choice,
    decided,
    proclaimed,
    tied,
    trustee_key,
    trustees_text,
)
from tests.counting.test_draws import drawer
from tests.voting.conftest import seal_scrutins
from urne.accounts.models import User
from urne.campaign.models import Campaign, Scrutin

__all__ = [
    "cap_by_grade",
    "cap_grade_choice",
    "decided",
    "observer",
    "proclaimed",
    "seal_scrutins",
    "tied",
    "trustee_key",
    "trustees_text",
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(db: None) -> Campaign:
    """The vote is open (the electors of `decided` vote through the ballot box)."""
    return make_campaign()


def test_an_observer_reads_a_counted_scrutin(
    live_server: Any, page: Any, observer: User, decided: Scrutin
) -> None:
    log_in(page, live_server, observer)
    page.goto(f"{live_server.url}/gestion/resultats/")
    assert page.get_by_role("heading", name="Résultats", level=1).is_visible()
    assert page.get_by_role(
        "img", name="Voix par organisation syndicale (CSA ministériel)"
    ).is_visible()
    assert_accessible(page)

    page.get_by_role("link", name=decided.name).click()
    assert page.get_by_role("img", name="Voix par liste").is_visible()
    assert page.get_by_role("img", name="Sièges de titulaires par liste").is_visible()
    assert page.get_by_role("table", name="Voix et part des suffrages exprimés").is_visible()
    assert page.get_by_role("table", name="Sièges par liste").is_visible()
    assert_accessible(page)


def test_anyone_reads_the_proclaimed_results(
    live_server: Any, page: Any, proclaimed: Scrutin
) -> None:
    decided = proclaimed
    page.goto(f"{live_server.url}/resultats/")
    page.get_by_role("link", name=decided.name).click()
    assert page.get_by_text("Anne ARNAUD, Bruno BLANC").is_visible()
    assert_accessible(page)


def test_the_bureau_records_a_draw_between_tied_lists(
    live_server: Any, page: Any, tied: Scrutin
) -> None:
    log_in(page, live_server, drawer(tied))
    page.goto(f"{live_server.url}/gestion/resultats/{tied.pk}/")
    assert page.get_by_text("Égalité pour le siège 3 entre").is_visible()
    assert_accessible(page)
    page.get_by_label("Liste tirée en position 1").select_option("Liste UNSA Éducation")
    page.get_by_label("Liste tirée en position 2").select_option("Liste FSU")
    page.get_by_label("Déroulement du tirage").fill("Tirage à main levée devant les délégués.")
    page.get_by_role("button", name="Enregistrer le tirage au sort").click()
    assert page.get_by_text(
        "Siège 3 attribué par tirage au sort à Liste UNSA Éducation."
    ).is_visible()
    assert page.get_by_role("button", name="Enregistrer le tirage au sort").count() == 0
    assert_accessible(page)


def test_a_cap_counted_grade_by_grade_shows_its_seats_per_grade(
    live_server: Any, page: Any, observer: User, cap_by_grade: Scrutin
) -> None:
    log_in(page, live_server, observer)
    page.goto(f"{live_server.url}/gestion/resultats/{cap_by_grade.pk}/")
    assert page.get_by_role(
        "table", name="Sièges de titulaires par grade et par liste"
    ).is_visible()
    assert page.get_by_role("heading", name="Grade : Classe normale").first.is_visible()
    assert_accessible(page)


def test_the_bureau_records_a_lists_choice_of_grades(
    live_server: Any, page: Any, cap_grade_choice: Scrutin
) -> None:
    # By list order FSU holds Classe normale (Anne ARNAUD); its delegate chose Hors classe:
    # FSU then holds it (Chloé CHEN) and UNSA the Classe normale (Fanny FAURE).
    log_in(page, live_server, drawer(cap_grade_choice))
    page.goto(f"{live_server.url}/gestion/resultats/{cap_grade_choice.pk}/")
    assert page.get_by_role("heading", name="Enregistrer le choix des grades d'une liste")
    assert_accessible(page)
    form = page.get_by_role("form", name="Liste FSU")
    form.get_by_label("Grade choisi en position 1").select_option("Hors classe")
    form.get_by_label("Grade choisi en position 2").select_option("Classe normale")
    form.get_by_role("button", name="Enregistrer le choix de Liste FSU").click()
    assert page.get_by_text("Le choix des grades de la liste « Liste FSU » est enregistré").count()
    assert page.get_by_text("Chloé CHEN", exact=True).is_visible()
    assert page.get_by_text("Fanny FAURE", exact=True).is_visible()
    assert page.get_by_text("Anne ARNAUD", exact=True).count() == 0
    assert page.get_by_text(
        "selon le choix de la liste au bureau : Hors classe, puis Classe normale"
    ).is_visible()
    assert_accessible(page)

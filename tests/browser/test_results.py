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
    decided,
    proclaimed,
    trustee_key,
    trustees_text,
)
from tests.voting.conftest import seal_scrutins
from urne.accounts.models import User
from urne.campaign.models import Campaign, Scrutin

__all__ = [
    "decided",
    "observer",
    "proclaimed",
    "seal_scrutins",
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

"""The booth page and the vote states: what an elector sees before, during and after the vote.

The ballot itself is made in the browser (tests/voting/test_booth_js.py, tests/browser/
test_booth.py); here, the server's side: who may open the booth and when, what the page hands
the browser (the election's exact text, the API's address, no choice ever asked of the server),
and « à voter » / « a voté le … » in "Mes scrutins", a scrutin's page and the espace.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.voting.conftest import LIST_TITLES, SealScrutins
from urne.accounts.models import User
from urne.campaign.models import Elector, Scrutin
from urne.candidacies.models import CandidateList
from urne.crypto.ballot import make_ballot
from urne.crypto.election import read_election
from urne.voting.models import ScrutinElection
from urne.web import dates

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]
BOOTH = "/espace/vote/csa-men/"


@pytest.fixture
def bob(client: Client, voter_bob: User) -> Client:
    client.force_login(voter_bob)
    return client


@pytest.fixture
def sealed(elector_bob: Elector, csa_national: Scrutin, seal_scrutins: SealScrutins) -> str:
    """The national CSA sealed; returns Bob's voting identifier."""
    return seal_scrutins(csa_national).of(elector_bob)


def during_vote(travel: Travel, scrutin: Scrutin) -> None:
    travel(scrutin.campaign.vote_opens_at + timedelta(hours=1))


def vote(client: Client, scrutin: Scrutin, identifier: str) -> str:
    """The logged-in elector votes for the first list through the ballot box's API, as the
    booth does; returns the "a voté le" time the pages should show."""
    stored = ScrutinElection.objects.get(scrutin=scrutin)
    ballot = make_ballot(read_election(stored.election), identifier, [[0, 1, 0, 0]])
    response = client.post(
        reverse("voting:api_cast", args=[stored.uuid]),
        {"ballot": ballot.text, "submission": "booth-page-test-0001"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return dates.day_month_year_hour(dates.paris(stored.emargements.get().voted_at))


def test_during_the_vote_the_booth_shows_the_lists_in_order_and_blank(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    during_vote(travel, csa_national)
    page = bob.get(BOOTH).content.decode()
    positions = [page.index(title) for title in LIST_TITLES]
    assert positions == sorted(positions)
    assert "Vote blanc" in page
    assert 'type="radio" name="choice"' in page
    assert "<fieldset" in page and "<legend>" in page
    assert 'autocomplete="off"' in page
    assert "XXX-XXX-XXX-XXX-XXX" in page
    assert "<noscript>" in page


def test_the_booth_hands_the_browser_the_exact_election_and_the_api(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    during_vote(travel, csa_national)
    page = bob.get(BOOTH).content.decode()
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    data = re.search(r'<script id="election-data" type="application/json">(.*?)</script>', page)
    assert data is not None
    assert json.loads(data.group(1)) == stored.election
    assert f'data-api-url="/api/v1/scrutins/{stored.uuid}/bulletins"' in page
    assert re.search(r'data-csrf-token="[A-Za-z0-9]{32,}"', page)
    texts = re.search(r'<script id="booth-texts" type="application/json">(.*?)</script>', page)
    assert texts is not None
    assert "erreur de frappe" in json.loads(texts.group(1))["identifier_checksum"]


def test_the_booth_runs_no_inline_script_and_may_start_its_worker(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    during_vote(travel, csa_national)
    response = bob.get(BOOTH)
    page = response.content.decode()
    for tag in re.findall(r"<script[^>]*>", page):
        assert 'type="application/json"' in tag or "src=" in tag, tag
    assert "worker-src 'self'" in response["Content-Security-Policy"]


def test_the_page_never_takes_a_choice(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    during_vote(travel, csa_national)
    assert bob.post(BOOTH, {"choice": "0"}).status_code == 405
    page = bob.get(BOOTH).content.decode()
    assert "<form" in page and 'method="post"' not in page.split('id="booth"')[1]


def test_before_the_vote_the_booth_says_when_it_opens(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    travel(csa_national.campaign.vote_opens_at - timedelta(minutes=1))
    page = bob.get(BOOTH).content.decode()
    assert "Le vote ouvrira le" in page
    assert "election-data" not in page


def test_after_the_close_the_booth_says_the_vote_is_closed(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    travel(csa_national.campaign.vote_closes_at)
    page = bob.get(BOOTH).content.decode()
    assert "Le vote est clos depuis le" in page
    assert "election-data" not in page


def test_an_elector_who_voted_sees_when_and_the_receipt_link(
    bob: Client, elector_bob: Elector, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    during_vote(travel, csa_national)
    voted = vote(bob, csa_national, sealed)
    page = bob.get(BOOTH).content.decode()
    assert f"Vous avez voté le {voted}" in page
    assert 'href="/espace/vote/csa-men/accuse/"' in page
    assert "election-data" not in page


def test_a_scrutin_not_sealed_is_not_open_to_ballots(
    bob: Client, csa_national: Scrutin, travel: Travel
) -> None:
    during_vote(travel, csa_national)
    page = bob.get(BOOTH).content.decode()
    assert "pas encore prêt" in page
    assert "election-data" not in page


@pytest.mark.parametrize("change", ["renamed", "moved", "added", "withdrawn"])
def test_lists_changed_after_the_seal_never_reach_the_booth(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel, change: str
) -> None:
    """A ballot's answer i is the sealed election's i-th list: were the booth to show lists
    changed since, a voter's choice would count for another list."""
    lists = list(CandidateList.objects.filter(scrutin=csa_national).order_by("position"))
    if change == "renamed":
        CandidateList.objects.filter(pk=lists[0].pk).update(title="Liste FSU et SNES")
    elif change == "moved":
        CandidateList.objects.filter(pk=lists[0].pk).update(position=9)
    elif change == "added":
        CandidateList.objects.create(
            status="validated", scrutin=csa_national, position=0, title="Liste FO"
        )
    else:
        CandidateList.objects.filter(pk=lists[1].pk).delete()
    during_vote(travel, csa_national)
    page = bob.get(BOOTH).content.decode()
    assert "pas encore prêt" in page
    assert "election-data" not in page
    assert 'name="choice"' not in page


def test_an_elector_not_on_the_roll_gets_a_404(
    client: Client, outsider_charlie: User, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    during_vote(travel, csa_national)
    client.force_login(outsider_charlie)
    assert client.get(BOOTH).status_code == 404


def test_a_visitor_is_sent_to_the_login_page(client: Client, sealed: str) -> None:
    response = client.get(BOOTH)
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_mes_scrutins_shows_a_voter_and_voted_per_scrutin(
    bob: Client,
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,
    travel: Travel,
) -> None:
    identifiers = seal_scrutins(csa_national, capa_dijon)
    during_vote(travel, csa_national)
    page = bob.get("/espace/scrutins/").content.decode()
    assert page.count("À voter") == 2
    assert 'href="/espace/vote/csa-men/"' in page
    assert 'href="/espace/vote/capa-certifies-dijon/"' in page

    voted = vote(bob, csa_national, identifiers.of(elector_bob))
    page = bob.get("/espace/scrutins/").content.decode()
    assert page.count("À voter") == 1
    assert f"A voté le {voted}" in page
    assert 'href="/espace/vote/csa-men/accuse/"' in page
    space = bob.get("/espace/").content.decode()
    assert f"A voté le {voted}" in space
    assert 'href="/espace/vote/csa-men/accuse/"' in space
    assert "À voter" in space  # the CAPA, not voted yet
    assert f"A voté le {voted}" in bob.get("/espace/scrutins/csa-men/").content.decode()


def test_mes_scrutins_says_when_the_vote_opens_and_when_it_is_closed(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel
) -> None:
    travel(csa_national.campaign.vote_opens_at - timedelta(days=1))
    page = bob.get("/espace/scrutins/").content.decode()
    assert "Vote à partir du" in page
    assert "/espace/vote/" not in page
    travel(csa_national.campaign.vote_closes_at + timedelta(seconds=1))
    page = bob.get("/espace/scrutins/").content.decode()
    assert "Vote clos" in page
    assert "/espace/vote/" not in page


@pytest.mark.parametrize(
    "path", ["/espace/", "/espace/scrutins/", "/espace/scrutins/csa-men/", BOOTH]
)
def test_the_electors_pages_never_read_the_setup_bytes(
    bob: Client, csa_national: Scrutin, sealed: str, travel: Travel, path: str
) -> None:
    """The setup archive holds every elector's public credential (hundreds of megabytes for a
    national scrutin): the pages an elector opens at the opening of the vote read the election's
    state, never those bytes (measured: fetching them made « Mes scrutins » the database's
    heaviest statement, bench/surge_locust.py)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    during_vote(travel, csa_national)
    with CaptureQueriesContext(connection) as queries:
        assert bob.get(path).status_code == 200
    assert queries.captured_queries
    assert all("setup_archive" not in query["sql"] for query in queries.captured_queries)

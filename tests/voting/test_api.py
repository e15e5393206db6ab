"""POST /api/v1/scrutins/<uuid>/bulletins: the ballot box's JSON API, as a client sees it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.voting.casting import BoxState, ballot_text, election_of
from tests.voting.conftest import Identifiers, SealScrutins
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.voting.api import MAX_BODY_BYTES

if TYPE_CHECKING:  # the test client's response type exists in django-stubs only
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

KEY = "booth-0123456789abcdef"


@pytest.fixture
def identifiers(voter_bob: User, csa_national: Scrutin, seal_scrutins: SealScrutins) -> Identifiers:
    return seal_scrutins(csa_national)


@pytest.fixture
def bob_ballot(voter_bob: User, csa_national: Scrutin, identifiers: Identifiers) -> str:
    assert voter_bob.elector is not None
    return ballot_text(csa_national, identifiers.of(voter_bob.elector))


def post(client: Client, scrutin: Scrutin, body: Any, **extra: Any) -> Response:
    url = reverse("voting:api_cast", args=[election_of(scrutin).uuid])
    return client.post(url, body, content_type="application/json", **extra)


def test_it_accepts_a_ballot_and_answers_the_receipt(
    client: Client, voter_bob: User, csa_national: Scrutin, bob_ballot: str
) -> None:
    client.force_login(voter_bob)
    response = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "accepted"
    assert body["scrutin"] == csa_national.code
    assert body["uuid"] == election_of(csa_national).uuid
    assert datetime.fromisoformat(body["voted_at"]).utcoffset() is not None
    assert body["receipt_url"] == f"/espace/vote/{csa_national.code}/accuse/"
    assert len(body["tracker"]) == 43
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]


def test_a_retry_of_the_same_submission_gets_200_and_the_same_receipt(
    client: Client, voter_bob: User, csa_national: Scrutin, bob_ballot: str
) -> None:
    client.force_login(voter_bob)
    first = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    again = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY + "x"})
    assert (other.status_code, other.json()["error"]) == (409, "already_voted")


def test_it_answers_in_french_by_default_and_in_english_when_asked(
    client: Client, voter_bob: User, csa_national: Scrutin, bob_ballot: str
) -> None:
    client.force_login(voter_bob)
    post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    french = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY + "2"})
    assert "Vous avez déjà voté" in french.json()["message"]
    client.cookies["django_language"] = "en"
    english = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY + "3"})
    assert english.json()["error"] == "already_voted"
    # The message is the active language's (the English catalogue comes from the lead).
    assert english["Content-Language"] == "en"
    assert french["Content-Language"] == "fr"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{not json", "JSON valide"),
        ('["a list"]', "objet JSON"),
        ({"submission": KEY}, "ballot"),
        ({"ballot": "x"}, "submission"),
        ({"ballot": "x", "submission": "short"}, "16 à 64"),
        ({"ballot": "x", "submission": "é" * 20}, "16 à 64"),
        ({"ballot": 12, "submission": KEY}, "chaîne"),
        ({"ballot": "x", "submission": KEY, "vote": 1}, "inconnu"),
        ({"ballot": "x", "submission": KEY + "\n"}, "16 à 64"),
        ({"ballot": "x", "submission": "k" * 64 + "\n"}, "16 à 64"),
    ],
    ids=[
        "not JSON",
        "not an object",
        "no ballot",
        "no submission",
        "short key",
        "key not ASCII",
        "ballot not text",
        "unknown field",
        "key with a newline",
        "longest key with a newline",
    ],
)
def test_a_malformed_request_is_refused_with_400_and_nothing_stored(
    client: Client,
    voter_bob: User,
    csa_national: Scrutin,
    identifiers: Identifiers,
    body: Any,
    says: str,
) -> None:
    client.force_login(voter_bob)
    before = BoxState.of(csa_national)
    response = post(client, csa_national, body)
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_request"
    assert says in response.json()["message"]
    assert BoxState.of(csa_national) == before


def test_an_oversized_body_is_refused_with_413_unread(
    client: Client, voter_bob: User, csa_national: Scrutin, identifiers: Identifiers
) -> None:
    client.force_login(voter_bob)
    huge = {"ballot": "x" * (MAX_BODY_BYTES + 1), "submission": KEY}
    response = post(client, csa_national, huge)
    assert (response.status_code, response.json()["error"]) == (413, "too_large")
    assert BoxState.of(csa_national).ballots == 0


def test_a_ballot_longer_than_the_elections_limit_is_too_large(
    client: Client, voter_bob: User, csa_national: Scrutin, identifiers: Identifiers
) -> None:
    client.force_login(voter_bob)
    response = post(client, csa_national, {"ballot": "x" * 60_000, "submission": KEY})
    assert (response.status_code, response.json()["error"]) == (413, "too_large")


def test_a_visitor_who_is_not_logged_in_gets_401(
    client: Client, csa_national: Scrutin, bob_ballot: str
) -> None:
    response = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    assert (response.status_code, response.json()["error"]) == (401, "not_logged_in")
    assert BoxState.of(csa_national).ballots == 0


def test_a_staff_member_cannot_vote(
    client: Client, staff_organizer: User, csa_national: Scrutin, bob_ballot: str
) -> None:
    client.force_login(staff_organizer)
    response = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    assert (response.status_code, response.json()["error"]) == (403, "not_an_elector")
    assert BoxState.of(csa_national).ballots == 0


def test_an_elector_not_on_the_roll_gets_403(
    client: Client, outsider_charlie: User, csa_national: Scrutin, bob_ballot: str
) -> None:
    client.force_login(outsider_charlie)
    response = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    assert (response.status_code, response.json()["error"]) == (403, "not_on_roll")


def test_an_unknown_scrutin_gets_404(client: Client, voter_bob: User) -> None:
    client.force_login(voter_bob)
    url = reverse("voting:api_cast", args=["UnknownUuid12345"])
    response = client.post(url, {"ballot": "x", "submission": KEY}, content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (404, "unknown_scrutin")


def test_outside_the_window_the_ballot_is_refused(
    client: Client,
    voter_bob: User,
    csa_national: Scrutin,
    bob_ballot: str,
    travel: Callable[[datetime], None],
) -> None:
    client.force_login(voter_bob)
    campaign = csa_national.campaign
    travel(campaign.vote_opens_at - timedelta(seconds=1))
    early = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    travel(campaign.vote_closes_at)
    late = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    assert (early.status_code, early.json()["error"]) == (403, "vote_not_open")
    assert (late.status_code, late.json()["error"]) == (403, "vote_closed")
    assert BoxState.of(csa_national).ballots == 0


def test_the_csrf_token_is_required(
    voter_bob: User, csa_national: Scrutin, bob_ballot: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(voter_bob)
    refused = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    assert (refused.status_code, refused.json()["error"]) == (403, "csrf_failed")
    assert BoxState.of(csa_national).ballots == 0
    token = "a" * 32
    client.cookies["csrftoken"] = token
    accepted = post(
        client, csa_national, {"ballot": bob_ballot, "submission": KEY}, HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201


def test_attempts_are_limited_per_elector_and_scrutin(
    client: Client, voter_bob: User, csa_national: Scrutin, identifiers: Identifiers
) -> None:
    client.force_login(voter_bob)
    answers = [
        post(client, csa_national, {"ballot": "{}", "submission": KEY}).status_code
        for _ in range(11)
    ]
    assert answers[:10] == [422] * 10
    limited = post(client, csa_national, {"ballot": "{}", "submission": KEY})
    assert (limited.status_code, limited.json()["error"]) == (429, "too_many_requests")


def test_only_post_is_accepted(client: Client, voter_bob: User, csa_national: Scrutin) -> None:
    client.force_login(voter_bob)
    url = reverse("voting:api_cast", args=["whatever"])
    response = client.get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_neither_the_ballot_nor_the_key_reaches_the_logs(
    client: Client,
    voter_bob: User,
    csa_national: Scrutin,
    bob_ballot: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client.force_login(voter_bob)
    accepted = post(client, csa_national, {"ballot": bob_ballot, "submission": KEY})
    post(client, csa_national, {"ballot": bob_ballot[:-5], "submission": KEY + "9"})
    logged = caplog.text
    assert KEY not in logged
    assert accepted.json()["tracker"] not in logged
    credential = bob_ballot.split('"credential":"')[1][:40]
    assert credential not in logged


def test_a_third_party_client_logs_in_and_votes_as_docs_api_md_says(
    voter_bob: User, csa_national: Scrutin, bob_ballot: str
) -> None:
    """The flow of docs/api.md: the login page's CSRF cookie, the login form, then the ballot
    with the CSRF cookie's value (renewed by the login) in X-CSRFToken."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    before_login = client.cookies["csrftoken"].value
    logged_in = client.post(
        reverse("accounts:login"),
        {"email": voter_bob.email, "password": PASSWORD, "csrfmiddlewaretoken": before_login},
    )
    assert logged_in.status_code == 302
    token = client.cookies["csrftoken"].value
    response = post(
        client, csa_national, {"ballot": bob_ballot, "submission": KEY}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content

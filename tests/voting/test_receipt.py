"""The receipt: the page "Accusé de réception de votre vote" and its email, sent after commit.
Scrutin, date and time, tracker, the way to check it on the board; never the choice."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.voting.casting import ballot_text, election_of
from tests.voting.conftest import SealScrutins
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.voting.ballot_box import Receipt, do_cast_ballot
from urne.voting.models import Ballot, Emargement
from urne.voting.tasks import send_vote_receipt

pytestmark = pytest.mark.django_db

KEY = "receipt-key-00000001"


@pytest.fixture
def voted(
    voter_bob: User,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
    django_capture_on_commit_callbacks: Any,
) -> Receipt:
    identifiers = seal_scrutins(csa_national)
    assert voter_bob.elector is not None
    text = ballot_text(csa_national, identifiers.of(voter_bob.elector), position=2)
    with django_capture_on_commit_callbacks(execute=True):
        return do_cast_ballot(voter_bob.elector, election_of(csa_national).uuid, text, KEY)


def test_the_receipt_page_shows_scrutin_time_and_tracker_and_the_link_to_check_it(
    client: Client, voter_bob: User, csa_national: Scrutin, voted: Receipt
) -> None:
    client.force_login(voter_bob)
    response = client.get(reverse("voting:receipt", args=[csa_national.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Accusé de réception de votre vote" in page
    assert escape(csa_national.name) in page
    assert voted.tracker in page
    local = voted.voted_at.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{local:%H:%M:%S}" in page
    assert f"/tableau/{voted.uuid}/verifier/?tracker=" in page
    assert "Liste UNSA" not in page  # the choice is nowhere (the server does not know it)


def test_the_receipt_page_is_the_electors_own(
    client: Client, outsider_charlie: User, csa_national: Scrutin, voted: Receipt
) -> None:
    client.force_login(outsider_charlie)
    response = client.get(reverse("voting:receipt", args=[csa_national.code]))
    assert response.status_code == 404


def test_an_elector_who_has_not_voted_has_no_receipt(
    client: Client, voter_bob: User, capa_dijon: Scrutin, voted: Receipt
) -> None:
    client.force_login(voter_bob)
    response = client.get(reverse("voting:receipt", args=[capa_dijon.code]))
    assert response.status_code == 404
    assert "pas encore voté" in response.content.decode()


def test_the_receipt_page_needs_a_login(client: Client, csa_national: Scrutin) -> None:
    response = client.get(reverse("voting:receipt", args=[csa_national.code]))
    assert response.status_code == 302


def test_the_receipt_email_is_sent_after_the_commit(
    voter_bob: User, csa_national: Scrutin, voted: Receipt
) -> None:
    (message,) = mail.outbox
    assert message.to == [voter_bob.email]
    assert "accusé de réception de votre vote" in message.subject
    assert voted.tracker in message.body
    assert csa_national.name in message.body
    assert f"/tableau/{voted.uuid}/verifier/?tracker=" in message.body
    assert "Liste UNSA" not in message.body


def test_no_second_email_for_a_retry(
    voter_bob: User,
    csa_national: Scrutin,
    voted: Receipt,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert voter_bob.elector is not None
    text = Ballot.objects.get().text
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        do_cast_ballot(voter_bob.elector, voted.uuid, text, KEY)
    assert callbacks == []
    assert len(mail.outbox) == 1


def test_the_receipt_email_costs_its_worker_two_queries(
    voter_bob: User, voted: Receipt, django_assert_num_queries: Any
) -> None:
    """The worker reads the émargement with all the message says in one query, the ballot's
    tracker through the elector's credential in a second (the émargement has no link to the
    ballot), and renders it once: a million receipts in the last days of the vote."""
    mail.outbox.clear()
    emargement = Emargement.objects.get()
    with django_assert_num_queries(2):
        send_vote_receipt(emargement.pk)
    (message,) = mail.outbox
    assert voted.tracker in message.body

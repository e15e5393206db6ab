"""The receipt: the page "Accusé de réception de votre vote" and its email, sent after commit.
Scrutin, date and time, tracker, the way to check it on the board; never the choice."""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from tests.voting.casting import ballot_text, election_of
from tests.voting.conftest import SealScrutins
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.voting.ballot_box import Receipt, do_cast_ballot
from urne.voting.models import Ballot, Emargement, PendingReceipt
from urne.voting.receipts import do_send_pending_receipts

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


def test_a_batch_of_receipts_costs_its_worker_the_same_few_queries_whatever_its_size(
    voter_bob: User, voted: Receipt, csa_national: Scrutin
) -> None:
    """The worker reads the pending receipts, their émargements with all the messages say, the
    electors' credentials and the ballots' trackers (the émargement has no link to the ballot),
    then deletes what it sent: the same queries for one receipt as for two hundred, and the
    election's setup bytes are never read."""
    mail.outbox.clear()
    emargement = Emargement.objects.get()
    PendingReceipt.objects.create(emargement=emargement)  # as the ballot box leaves it
    with CaptureQueriesContext(connection) as queries:
        assert do_send_pending_receipts() == 1
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))
        and "urne_cache" not in query["sql"]
    ]
    # The batch: pending, émargements, credentials, trackers, delete; then the table is read
    # empty, and once more after the flag is cleared.
    assert len(statements) == 7, statements
    assert all("setup_archive" not in sql for sql in statements)
    (message,) = mail.outbox
    assert voted.tracker in message.body
    assert not PendingReceipt.objects.exists()


def test_a_batch_that_fails_to_send_stays_pending_for_the_next_sending(
    voter_bob: User, voted: Receipt, monkeypatch: pytest.MonkeyPatch
) -> None:
    mail.outbox.clear()
    PendingReceipt.objects.create(emargement=Emargement.objects.get())

    def broken(*args: object, **kwargs: object) -> int:
        raise ConnectionRefusedError("the mail server is down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(ConnectionRefusedError):
        do_send_pending_receipts()
    assert PendingReceipt.objects.count() == 1  # rolled back: nothing lost
    monkeypatch.undo()

    assert do_send_pending_receipts() == 1
    assert len(mail.outbox) == 1
    assert not PendingReceipt.objects.exists()


def test_a_sending_is_queued_once_while_one_is_pending(
    voter_bob: User, voted: Receipt, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each ballot's commit asks for a sending; only the first queues a task until it ends."""
    from urne.voting import receipts, tasks

    queued: list[object] = []
    monkeypatch.setattr(
        tasks.send_vote_receipts, "apply_async", lambda countdown: queued.append(countdown)
    )
    cache.delete(receipts.SCHEDULED)
    for _ in range(5):
        receipts.schedule_receipts()
    assert queued == [2]  # URNE_RECEIPT_DELAY_SECONDS: the ballots of these seconds together
    receipts.do_send_pending_receipts()  # ends: the flag is cleared
    receipts.schedule_receipts()
    assert len(queued) == 2


def test_an_operator_sends_the_pending_receipts_by_command(voter_bob: User, voted: Receipt) -> None:
    mail.outbox.clear()
    PendingReceipt.objects.create(emargement=Emargement.objects.get())
    out = io.StringIO()

    call_command("send_vote_receipts", stdout=out)

    assert "1 accusé(s) de réception envoyé(s)" in out.getvalue()
    assert len(mail.outbox) == 1
    assert not PendingReceipt.objects.exists()


def test_a_ballot_stays_accepted_when_its_receipt_cannot_be_scheduled(
    voter_bob: User,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The broker or the cache down after the commit: the ballot is in the box, its receipt
    pending for the next sending, and the elector gets their answer."""

    def down() -> None:
        raise ConnectionError("the broker is gone")

    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: down())
    identifiers = seal_scrutins(csa_national)
    assert voter_bob.elector is not None
    text = ballot_text(csa_national, identifiers.of(voter_bob.elector), position=1)
    with django_capture_on_commit_callbacks(execute=True):
        receipt = do_cast_ballot(voter_bob.elector, election_of(csa_national).uuid, text, KEY)

    assert Ballot.objects.filter(tracker=receipt.tracker).exists()
    assert PendingReceipt.objects.count() == 1
    assert mail.outbox == []

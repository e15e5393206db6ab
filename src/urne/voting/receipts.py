"""The elector's receipt for an accepted ballot: the page and the email.

Both say the scrutin, the date and time of the vote (Paris, to the second) and the smart ballot
tracker, with the way to find it on the public board ("Vérifier mon bulletin"). Neither ever
says the choice: the server does not know it.

The emails go out in batches. The ballot box writes a `PendingReceipt` with the émargement, in
the ballot's transaction, and after the commit calls `schedule_receipts`: unless a sending is
already scheduled (a flag in the shared cache), it queues one Celery task,
`urne.voting.send_vote_receipts`, due `URNE_RECEIPT_DELAY_SECONDS` later (the ballots cast
meanwhile join the batch), which runs `do_send_pending_receipts`: batches of at most
`RECEIPT_BATCH` pending receipts, each read in a handful of queries whatever its size, sent over
one mail connection and deleted in the transaction that read them (rows locked, others
skipped: several workers share the work). When nothing is left, the flag is cleared, then the
table is read once more, for a ballot committed while the flag was still set. A worker that
dies mid-batch leaves its batch pending (rolled back) for the next sending: a receipt is never
lost, and at worst sent twice.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from urne.accounts.mail import absolute, faq_url
from urne.operations import metrics
from urne.voting.models import Ballot, Emargement, PendingReceipt, PublicCredential, ScrutinElection
from urne.voting.pseudonyms import pseudonym
from urne.web import dates

RECEIPT_BATCH = 200
"""Receipts read and sent together (one mail connection, a few queries)."""
SCHEDULED = "urne:voting:receipts-scheduled"
"""The shared cache's flag: a sending of the pending receipts is queued or running."""
SCHEDULED_SECONDS = 120
"""The flag's life: should a worker die with it set, the next ballot after this queues again."""

RECEIPT_UNREAD = tuple(f"election__{name}" for name in (*ScrutinElection.SETUP_ONLY, "election"))
"""What a receipt never reads of an émargement's election (`defer` them): the setup's bytes,
the election's text."""


def lookup_path(uuid: str, tracker: str) -> str:
    """The public board's "Vérifier mon bulletin" for this tracker (voting:lookup)."""
    base = reverse("voting:lookup", args=[uuid])
    return f"{base}?{urlencode({'tracker': tracker})}"


def voted_at_text(emargement: Emargement) -> str:
    """ "27 novembre 2014 à 10:00:05 (heure de Paris)": the moment the ballot was accepted."""
    local = dates.paris(emargement.voted_at)
    return _("%(date)s à %(time)s (heure de Paris)") % {
        "date": dates.day_month_year(local),
        "time": f"{local:%H:%M:%S}",
    }


def receipt_context(emargement: Emargement, tracker: str) -> dict[str, object]:
    """What the page and the email say: the émargement's scrutin and time, and the `tracker`
    of the elector's ballot (found by `urne.voting.ballot_box.ballot_of`: the émargement has
    no link to it)."""
    election = emargement.election
    return {
        "scrutin": election.scrutin,
        "uuid": election.uuid,
        "tracker": tracker,
        "voted_at": emargement.voted_at,
        "voted_at_text": voted_at_text(emargement),
        "lookup_path": lookup_path(election.uuid, tracker),
    }


def receipt_recipient(emargement: Emargement) -> str:
    """The account's address (the one the elector logs in with), else the roll's."""
    elector = emargement.elector
    account = getattr(elector, "account", None)
    return account.email if account is not None else elector.email


def receipt_message(emargement: Emargement, tracker: str) -> EmailMessage:
    """ "Accusé de réception de votre vote", in French like the account's other emails."""
    elector = emargement.elector
    campaign = elector.campaign
    with translation.override("fr"):
        context = {
            **receipt_context(emargement, tracker),
            "elector": elector,
            "campaign": campaign,
            "academy": elector.academy,
            "faq_url": faq_url(campaign),
            "lookup_url": absolute(lookup_path(emargement.election.uuid, tracker)),
            "receipt_url": absolute(
                reverse("voting:receipt", args=[emargement.election.scrutin.code])
            ),
        }
        subject = render_to_string("voting/email/receipt_subject.txt", context)
        body = render_to_string("voting/email/receipt_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[receipt_recipient(emargement)],
        reply_to=[elector.academy.assistance_email],
    )


def schedule_receipts() -> None:
    """After a ballot's commit: queue a sending of the pending receipts, unless one is queued."""
    if cache.add(SCHEDULED, 1, SCHEDULED_SECONDS):
        from urne.voting import tasks  # the tasks import Celery: not needed to load this module

        tasks.send_vote_receipts.apply_async(countdown=settings.URNE_RECEIPT_DELAY_SECONDS)


def do_send_pending_receipts(batch: int = RECEIPT_BATCH) -> int:
    """Send every pending receipt, `batch` at a time; how many were sent. See the module."""
    sent = 0
    while True:
        count = _send_batch(batch)
        sent += count
        if count:
            continue
        cache.delete(SCHEDULED)
        count = _send_batch(batch)  # committed while the flag was set: its sender queued nothing
        if not count:
            return sent
        sent += count
        cache.add(SCHEDULED, 1, SCHEDULED_SECONDS)


def _send_batch(size: int) -> int:
    with transaction.atomic():
        ids = list(
            PendingReceipt.objects.select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return 0
        emargements = list(
            Emargement.objects.filter(pk__in=ids)
            .select_related(
                "election__scrutin",
                "elector__campaign",
                "elector__academy",
                "elector__account",
            )
            .defer(*RECEIPT_UNREAD)
        )
        trackers = _trackers(emargements)
        messages = [
            receipt_message(emargement, trackers[emargement.pk])
            for emargement in emargements
            if emargement.pk in trackers
        ]
        with get_connection() as connection:
            connection.send_messages(messages)
        PendingReceipt.objects.filter(pk__in=ids).delete()
    metrics.count_mail("receipt", "sent", len(messages))
    return len(ids)


def _trackers(emargements: list[Emargement]) -> dict[int, str]:
    """Each émargement's ballot tracker, by émargement id, found through the electors'
    credentials (by pseudonym): two queries per election in the batch."""
    by_election: dict[int, dict[str, int]] = {}
    uuids: dict[int, str] = {}
    for emargement in emargements:
        uuids[emargement.election_id] = emargement.election.uuid
        name = pseudonym(emargement.election.uuid, emargement.elector_id)
        by_election.setdefault(emargement.election_id, {})[name] = emargement.pk
    trackers: dict[int, str] = {}
    for election_id, names in by_election.items():
        credentials = dict(
            PublicCredential.objects.filter(
                election_id=election_id, pseudonym__in=list(names)
            ).values_list("credential", "pseudonym")
        )
        for credential, tracker in Ballot.objects.filter(
            election_id=election_id, credential__in=list(credentials)
        ).values_list("credential", "tracker"):
            trackers[names[credentials[credential]]] = tracker
    return trackers

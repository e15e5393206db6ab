"""Background work of the ballot box (Celery; run in-process without a broker).

The receipt email is sent once the ballot's transaction has committed, never from the request:
the answer to the ballot does not wait for the mail server.
"""

from __future__ import annotations

from celery import shared_task

from urne.voting.ballot_box import ballot_of
from urne.voting.models import Emargement
from urne.voting.receipts import RECEIPT_UNREAD, receipt_message


@shared_task(name="urne.voting.send_vote_receipt")  # type: ignore[untyped-decorator]
def send_vote_receipt(emargement_id: int) -> None:
    """ "Accusé de réception de votre vote" for this émargement: what the message says (nothing
    of the setup's bytes), the ballot's tracker found through the elector's credential, one
    rendering."""
    emargement = (
        Emargement.objects.select_related(
            "election__scrutin",
            "elector__campaign",
            "elector__academy",
            "elector__account",
        )
        .defer(*RECEIPT_UNREAD)
        .get(pk=emargement_id)
    )
    ballot = ballot_of(emargement.elector, emargement.election)
    if ballot is None:  # pragma: no cover - written in the émargement's transaction
        raise LookupError("no ballot for this émargement's credential")
    receipt_message(emargement, ballot.tracker).send()

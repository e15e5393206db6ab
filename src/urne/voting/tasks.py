"""Background work of the ballot box (Celery; run in-process without a broker).

The receipt email is sent once the ballot's transaction has committed, never from the request:
the answer to the ballot does not wait for the mail server.
"""

from __future__ import annotations

from celery import shared_task

from urne.voting.models import Emargement
from urne.voting.receipts import RECEIPT_UNREAD, receipt_message


@shared_task(name="urne.voting.send_vote_receipt")  # type: ignore[untyped-decorator]
def send_vote_receipt(emargement_id: int) -> None:
    """ "Accusé de réception de votre vote" for this émargement: one query (what the message
    says, nothing of the ballot's or the setup's bytes), one rendering."""
    emargement = (
        Emargement.objects.select_related(
            "election__scrutin",
            "ballot",
            "elector__campaign",
            "elector__academy",
            "elector__account",
        )
        .defer(*RECEIPT_UNREAD)
        .get(pk=emargement_id)
    )
    receipt_message(emargement).send()

"""Background work of the ballot box (Celery; run in-process without a broker).

The receipt emails are sent once the ballot's transaction has committed, never from the
request: the answer to the ballot does not wait for the mail server. They go in batches
(`urne.voting.receipts`).
"""

from __future__ import annotations

from celery import shared_task

from urne.voting.receipts import do_send_pending_receipts


@shared_task(name="urne.voting.send_vote_receipts")  # type: ignore[untyped-decorator]
def send_vote_receipts() -> int:
    """ "Accusé de réception de votre vote" for every pending receipt; how many were sent."""
    return do_send_pending_receipts()

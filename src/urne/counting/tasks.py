"""Background work of the count (Celery; run in-process without a broker).

- `close_due_elections`: every minute with celery beat (`CELERY_BEAT_SCHEDULE`), closes the
  boxes whose time has come and resumes any tally left unfinished.
- `compute_tally`: the encrypted tally of one closed scrutin, by chunks (resumed where an earlier
  run stopped: `urne.counting.closing.do_tally_chunk`).
"""

from __future__ import annotations

from celery import shared_task

from urne.counting import closing
from urne.voting.models import ScrutinElection


@shared_task(name="urne.counting.close_due_elections")  # type: ignore[untyped-decorator]
def close_due_elections() -> int:
    """Close every box whose closing time has come; how many were closed."""
    closed = closing.do_close_due_elections()
    for election in closing.untallied_elections():
        if election not in closed:
            closing.schedule_tally(election.pk)
    return len(closed)


@shared_task(name="urne.counting.compute_tally")  # type: ignore[untyped-decorator]
def compute_tally(election_id: int) -> None:
    """The encrypted tally of the closed election `election_id`, appended to its board."""
    election = ScrutinElection.objects.select_related("scrutin__campaign").get(pk=election_id)
    closing.do_compute_tally(election)

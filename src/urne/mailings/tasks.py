"""Background work of mailings (Celery; run in-process without a broker).

With a broker, a worker runs the mailing; without one (the embedded default) it runs in the
request that sends it, once its transaction commits, and the page shows it finished.
"""

from __future__ import annotations

import math
from typing import Any

from celery import shared_task

from urne import clock
from urne.mailings import sending


@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    name="urne.mailings.send_mailing",
    # A worker process killed mid-mailing puts the message back in the queue instead of
    # acknowledging it: the next run takes the mailing up once its heartbeat is stale.
    reject_on_worker_lost=True,
)
def send_mailing(self: Any, mailing_id: int) -> dict[str, Any]:
    """Send (or continue) one mailing. Delivered while a live run holds it (the broker gave the
    message again), it comes back when that run would be stale, so that a mailing whose run
    dies is never left without a task to finish it."""
    report = sending.run_mailing(mailing_id)
    if report.busy_until is not None and not self.request.is_eager:
        wait = (report.busy_until - clock.now()).total_seconds()
        raise self.retry(countdown=max(1, math.ceil(wait)), max_retries=None)
    return report.as_dict()

"""Background work of the campaign: importing an electors file uploaded in the back office.

With a broker, a worker runs the task; without one (the embedded default) it runs in-process
when the upload's transaction commits.
"""

from __future__ import annotations

import logging
import math
import uuid
from datetime import datetime
from typing import Any

from celery import shared_task
from django.utils.translation import gettext as _

from urne import clock
from urne.campaign.imports import ElectorImportRejected, do_import_electors
from urne.campaign.models import IMPORT_STALE_AFTER, IMPORT_TIME_LIMIT, ElectorImport

logger = logging.getLogger(__name__)


def claim_job(import_id: int, at: datetime) -> str | None:
    """This run's token if it now holds the job (waiting, or stale at `at`), else None.

    A conditional update: of two runs claiming at once, exactly one changes the row.
    """
    token = uuid.uuid4().hex
    claimed = (
        ElectorImport.objects.claimable(at)
        .filter(id=import_id)
        .update(status=ElectorImport.Status.RUNNING, started_at=at, claim=token)
    )
    return token if claimed == 1 else None


def record_outcome(import_id: int, token: str, status: str, report: str) -> bool:
    """Record the run's outcome if the run still holds the job; False if another took it."""
    return (
        ElectorImport.objects.filter(id=import_id, claim=token).update(
            status=status, report=report, finished_at=clock.now()
        )
        == 1
    )


@shared_task(  # type: ignore[untyped-decorator]
    bind=True, name="urne.campaign.run_elector_import", time_limit=IMPORT_TIME_LIMIT
)
def run_elector_import(self: Any, import_id: int) -> str:
    """Run one uploaded import and record its report; returns the final status.

    The job is claimed with a conditional update and a token of this run, so a task delivered
    twice (acks late) never imports twice at once. A job left running by a lost worker is taken
    up again once stale (IMPORT_STALE_AFTER): the import is all or nothing, so the lost run
    wrote nothing, and idempotent, so taking it up again is safe either way. A delivery that
    finds the job running and not yet stale comes back when it would be, so a job whose
    worker dies is never left without a task to finish it.
    """
    now = clock.now()
    token = claim_job(import_id, now)
    job = ElectorImport.objects.select_related("campaign").get(id=import_id)
    if token is None:
        if job.status == ElectorImport.Status.RUNNING and not self.request.is_eager:
            assert job.started_at is not None  # noqa: S101 - claimable() takes undated ones
            stale_at = job.started_at + IMPORT_STALE_AFTER
            raise self.retry(
                countdown=max(1, math.ceil((stale_at - now).total_seconds())), max_retries=None
            )
        return str(job.status)
    try:
        with job.file.open("rb") as source:
            report = do_import_electors(job.campaign, source, dry_run=job.dry_run)
    except ElectorImportRejected as rejected:
        status, text = ElectorImport.Status.REJECTED, rejected.report.as_text()
    except Exception:
        # The trace goes to the operators' logs; staff see a plain message, and the file's
        # content (personal data) is never logged.
        logger.exception("elector import %s failed", import_id)
        status = ElectorImport.Status.FAILED
        text = _(
            "L'import a échoué pour une raison technique ; rien n'a été enregistré. "
            "Les exploitants en trouveront la cause dans les journaux."
        )
    else:
        status, text = ElectorImport.Status.DONE, report.as_text()
    if not record_outcome(import_id, token, status, text):
        logger.warning(
            "elector import %s was taken up again by another run; this run's outcome (%s) is "
            "not recorded",
            import_id,
            status,
        )
        job.refresh_from_db(fields=["status"])
        return str(job.status)
    return str(status)

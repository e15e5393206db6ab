"""Background work of the campaign: importing an electors file uploaded in the back office.

With a broker, a worker runs the task; without one (the embedded default) it runs in-process
when the upload's transaction commits.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from urne import clock
from urne.campaign.imports import ElectorImportRejected, do_import_electors
from urne.campaign.models import ElectorImport

logger = logging.getLogger(__name__)


@shared_task(name="urne.campaign.run_elector_import")  # type: ignore[untyped-decorator]
def run_elector_import(import_id: int) -> str:
    """Run one uploaded import and record its report; returns the final status.

    The job is claimed with a conditional update, so a task delivered twice (acks late, a
    worker lost) never imports twice.
    """
    claimed = ElectorImport.objects.filter(
        id=import_id, status=ElectorImport.Status.PENDING
    ).update(status=ElectorImport.Status.RUNNING)
    job = ElectorImport.objects.select_related("campaign").get(id=import_id)
    if claimed != 1:
        return job.status
    try:
        with job.file.open("rb") as source:
            report = do_import_electors(job.campaign, source, dry_run=job.dry_run)
    except ElectorImportRejected as rejected:
        job.status = ElectorImport.Status.REJECTED
        job.report = rejected.report.as_text()
    except Exception:
        # The trace goes to the operators' logs; staff see a plain message, and the file's
        # content (personal data) is never logged.
        logger.exception("elector import %s failed", import_id)
        job.status = ElectorImport.Status.FAILED
        job.report = _(
            "L'import a échoué pour une raison technique ; rien n'a été enregistré. "
            "Les exploitants en trouveront la cause dans les journaux."
        )
    else:
        job.status = ElectorImport.Status.DONE
        job.report = report.as_text()
    job.finished_at = clock.now()
    job.save(update_fields=["status", "report", "finished_at"])
    return job.status

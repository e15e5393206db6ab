"""Electors files uploaded in the back office: recorded as ElectorImport jobs, imported in the
background by `urne.campaign.tasks.run_elector_import`, deleted with their file.

The back office calls these verbs, as a staff page or an API would; the import itself is
`urne.campaign.imports.do_import_electors`, the same as `urne import_electors`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from urne import clock
from urne.campaign.models import ElectorImport
from urne.campaign.services import check_roll_editable
from urne.campaign.tasks import run_elector_import


def do_queue_elector_import(job: ElectorImport, requested_by: AbstractBaseUser) -> ElectorImport:
    """Record the upload `job` (its campaign, file and dry-run flag as staff gave them) and start
    its import once the current transaction commits.

    Raises RollsFrozen, recording nothing, once the campaign's vote has opened: better said now
    than in a report later (the task checks again when it runs).
    """
    check_roll_editable(job.campaign)
    job.original_name = job.file.name[-255:] if job.file else ""
    job.requested_by = requested_by  # type: ignore[assignment]
    job.created_at = clock.now()
    job.status = ElectorImport.Status.PENDING
    job.save()
    import_id = job.pk
    # After the commit, so that a worker finds the row and the file.
    transaction.on_commit(lambda: run_elector_import.delay(import_id))
    return job


def do_delete_elector_imports(jobs: Iterable[ElectorImport]) -> None:
    """Delete import records with their files: a file holds personal data and is kept only as
    long as its record. The electors it imported stay."""
    for job in jobs:
        job.file.delete(save=False)
        job.delete()

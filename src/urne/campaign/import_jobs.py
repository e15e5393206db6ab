"""Electors files uploaded in the back office: recorded as ElectorImport jobs, imported in the
background by `urne.campaign.tasks.run_elector_import`, deleted with their file.

The back office's imports pages (/gestion/imports/, `urne.campaign.import_views`) and the
technical administrators' admin call these verbs, as an API would; the import itself is
`urne.campaign.imports.do_import_electors`, the same as `urne import_electors`. Who may upload:
the permission *add elector import* (IMPORT_ELECTORS) and a campaign-wide perimeter, decided by
the access layer (an import may touch every academy of its campaign).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any, Final, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.accounts.models import User
from urne.audit import services as audit
from urne.backoffice import access
from urne.campaign.import_parse import UnreadableFile, format_count, read_header, records
from urne.campaign.models import Campaign, ElectorImport
from urne.campaign.services import check_roll_editable
from urne.campaign.tasks import run_elector_import
from urne.web.errors import Forbidden, VisitorError

IMPORT_ELECTORS: Final = "campaign.add_electorimport"


class ElectorsFileRefused(VisitorError):
    """The uploaded file is refused before it is recorded (too large, not a CSV or a workbook,
    a header the import cannot read); `problems` lists the parser's own messages."""

    message = gettext_lazy("Le fichier ne peut pas être importé.")

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def max_upload_bytes() -> int:
    """The size limit of an uploaded electors file (URNE_IMPORT_MAX_BYTES), read at each use."""
    limit: int = settings.URNE_IMPORT_MAX_BYTES
    return limit


def check_electors_file(upload: IO[bytes], name: str, size: int) -> None:
    """Raise ElectorsFileRefused unless `upload` is small enough and its first line is a header
    the import reads: the parser's own messages (wrong format, encoding, separator, columns),
    said at once rather than in a report minutes later. The lines themselves are checked by
    the import; the stream is left at its start."""
    if size > max_upload_bytes():
        raise ElectorsFileRefused(
            [
                _(
                    "Le fichier pèse %(size)s, plus que la limite de %(limit)s : découpez-le en "
                    "plusieurs fichiers (les électeurs absents d'un fichier ne sont pas touchés)."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())}
            ]
        )
    try:
        lines = records(upload, name)
        header, problems = read_header(next(lines, None))
        close = getattr(lines, "close", None)
        if callable(close):
            close()  # a workbook's reading child process ends here
    except UnreadableFile as unreadable:
        header, problems = None, [(None, unreadable.message)]
    finally:
        upload.seek(0)
    if header is None:
        raise ElectorsFileRefused(
            [
                message
                if line is None
                else _("ligne %(line)d : %(message)s") % {"line": line, "message": message}
                for line, message in problems
            ]
        )


class NotCampaignWide(Forbidden):
    message = gettext_lazy(
        "Les imports d'électeurs sont réservés aux organisateurs de toute une campagne : un "
        "fichier peut toucher chacune de ses académies. Votre périmètre n'en comprend aucune."
    )


def import_campaigns(user: access.Staff) -> QuerySet[Campaign]:
    """The campaigns `user` may import electors into: those of their campaign-wide perimeter."""
    return access.scoped(Campaign.objects.all(), user, for_change=True).order_by("-year", "name")


def check_may_import(user: access.Staff) -> None:
    """Raise Forbidden unless `user` holds IMPORT_ELECTORS and a campaign-wide perimeter (an
    academy's organizer, who holds the permission, imports nothing)."""
    if not (user.is_authenticated and cast(User, user).has_perm(IMPORT_ELECTORS)):
        raise Forbidden
    if not import_campaigns(user).exists():
        raise NotCampaignWide


def imports_in_reach(user: access.Staff) -> QuerySet[ElectorImport]:
    """The imports `user` may see, the latest first (their campaign's, through the access
    layer: academy staff and union delegates see none)."""
    jobs = ElectorImport.objects.select_related("campaign", "requested_by")
    return access.scoped(jobs, user).order_by("-created_at", "-id")


def access_import(user: access.Staff, import_id: Any) -> ElectorImport:
    """The import `import_id` if `user` may see it; a 404 otherwise."""
    jobs = ElectorImport.objects.select_related("campaign", "requested_by")
    return access.access_as_staff(user, jobs, import_id)


def record_errors_download(who: HttpRequest | AbstractBaseUser, job: ElectorImport) -> None:
    """Write to the audit log that the rejected file's lines (personal data) were downloaded."""
    audit.record(who, "import.errors_export", job, errors=job.error_report.count("\n") - 1)


def progress(job: ElectorImport) -> dict[str, Any]:
    """The job's state as its page shows it and its JSON endpoint gives it."""
    finished = job.status in (
        ElectorImport.Status.DONE,
        ElectorImport.Status.REJECTED,
        ElectorImport.Status.FAILED,
    )
    percent = None
    if job.lines_total:
        percent = min(100, job.lines_done * 100 // job.lines_total)
    if job.status == ElectorImport.Status.PENDING:
        text = _("En attente d'un worker")
    elif finished or not job.lines_total:
        text = _("%(done)s lignes lues") % {"done": format_count(job.lines_done)}
    else:
        text = _("%(done)s lignes lues sur environ %(total)s (%(percent)d %%)") % {
            "done": format_count(job.lines_done),
            "total": format_count(job.lines_total),
            "percent": percent,
        }
        if job.status == ElectorImport.Status.RUNNING and percent == 100:
            text += " — " + _("fichier lu, enregistrement en cours")
    return {
        "status": str(job.status),
        "status_label": str(job.get_status_display()),
        "text": text,
        "done": job.lines_done,
        "total": job.lines_total,
        "percent": 100 if job.status == ElectorImport.Status.DONE else percent,
        "finished": finished,
        "has_errors": bool(job.error_report),
        "report": job.report if finished else "",
    }


def do_queue_elector_import(job: ElectorImport, requested_by: AbstractBaseUser) -> ElectorImport:
    """Record the upload `job` (its campaign, file and dry-run flag as staff gave them) and start
    its import once the current transaction commits.

    Raises RollsFrozen, recording nothing, once the campaign's vote has opened: better said now
    than in a report later (the task checks again when it runs). The upload is written to the
    audit log ("import.upload"); the import's start and outcome are, by the import itself.
    """
    check_roll_editable(job.campaign)
    job.original_name = job.file.name[-255:] if job.file else ""
    job.requested_by = requested_by  # type: ignore[assignment]
    job.created_at = clock.now()
    job.status = ElectorImport.Status.PENDING
    job.save()
    audit.record(requested_by, "import.upload", job, name=job.original_name, dry_run=job.dry_run)
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

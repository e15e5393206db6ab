"""Background work of the campaign: importing an electors file uploaded in the back office.

With a broker, a worker runs the task; without one (the embedded default) it runs in-process
when the upload's transaction commits.

While it runs, the import's progress (lines read, out of about how many) is written on its row
through a connection of its own, outside the import's transaction, so that the job's page
shows it live; on SQLite, where the import's transaction is the one writer the database
allows, only the final count is written.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Final

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.translation import gettext as _

from urne import clock
from urne.campaign.import_parse import count_lines
from urne.campaign.imports import ElectorImportRejected, do_import_electors
from urne.campaign.models import IMPORT_STALE_AFTER, IMPORT_TIME_LIMIT, ElectorImport

logger = logging.getLogger(__name__)

# Celery raises SoftTimeLimitExceeded in the task this long after it started, a little before
# it kills the task (IMPORT_TIME_LIMIT): the import's transaction rolls back and the task records
# the failure itself, with time to spare before the kill.
IMPORT_SOFT_TIME_LIMIT: Final = IMPORT_TIME_LIMIT - 5 * 60
# A job is taken up again when its run was lost (worker process killed, machine stopped); an
# import that kills its worker every time (out of memory, say) would be taken up forever, so the
# run that would take it up once more than this marks it failed instead.
IMPORT_MAX_TAKEOVERS: Final = 3


def takeovers(token: str) -> int:
    """How many times the job had been taken up again when the run holding `token` claimed it.

    The count is the token's prefix ("2:…"): the claim is the only place on the row that the
    runs of a job write before its outcome. A token of another form (older claims) counts 0.
    """
    count, sep, _rest = token.partition(":")
    return int(count) if sep and count.isdigit() else 0


def claim_job(import_id: int, at: datetime) -> str | None:
    """This run's token if it now holds the job (waiting, or stale at `at`), else None.

    A conditional update on the claim seen: of two runs claiming at once, exactly one changes
    the row. Taking up a running (stale) job counts one more takeover in the new token.
    """
    seen = ElectorImport.objects.claimable(at).filter(id=import_id).values("status", "claim")
    job = seen.first()
    if job is None:
        return None
    count = 0 if job["status"] == ElectorImport.Status.PENDING else takeovers(job["claim"]) + 1
    token = f"{count}:{uuid.uuid4().hex[:24]}"
    claimed = (
        ElectorImport.objects.claimable(at)
        .filter(id=import_id, status=job["status"], claim=job["claim"])
        .update(status=ElectorImport.Status.RUNNING, started_at=at, claim=token)
    )
    return token if claimed == 1 else None


def record_outcome(import_id: int, token: str, status: str, report: str, **counts: Any) -> bool:
    """Record the run's outcome if the run still holds the job; False if another took it.
    `counts`: the row's progress and error report, as the run ended."""
    return (
        ElectorImport.objects.filter(id=import_id, claim=token).update(
            status=status, report=report, finished_at=clock.now(), **counts
        )
        == 1
    )


@contextmanager
def progress_recorder(import_id: int, token: str) -> Iterator[Callable[[int], None] | None]:
    """A callback writing the lines read so far on the job's row, committed at once through a
    connection of its own (the import's transaction would hide it until the end); None on
    SQLite, whose one writer is the import itself. Written only while this run holds the job."""
    if connection.vendor == "sqlite":
        yield None
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    quote = side.ops.quote_name
    # Only the model's own table and column names go into the text; values are bound.
    sql = "UPDATE {} SET {} = %s WHERE {} = %s AND {} = %s".format(  # noqa: S608
        quote(ElectorImport._meta.db_table),
        quote("lines_done"),
        quote("id"),
        quote("claim"),
    )

    def record(lines: int) -> None:
        try:
            with side.cursor() as cursor:
                cursor.execute(sql, [lines, import_id, token])
        except Exception:  # progress is a courtesy: it never stops the import
            logger.warning("elector import %s: progress not recorded", import_id, exc_info=True)

    try:
        yield record
    finally:
        side.close()


def _too_long_advice() -> str:
    return _(
        "Le fichier est trop gros pour cette durée, ou la base de données trop lente : "
        "découpez-le en plusieurs fichiers (les électeurs absents d'un fichier ne sont pas "
        "touchés), ou faites importer le fichier en ligne de commande (urne import_electors), "
        "sans limite de durée."
    )


def timed_out_report(minutes: int) -> str:
    return " ".join(
        [
            _(
                "L'import a été arrêté au bout de %(minutes)d minutes, la durée maximale d'un "
                "import en tâche de fond ; rien n'a été enregistré."
            )
            % {"minutes": minutes},
            _too_long_advice(),
        ]
    )


class ElectorImportTask(Task):  # type: ignore[misc]
    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        """At the hard time limit, the worker's main process records the job failed.

        (Celery calls on_failure there, with TimeLimitExceeded, when it kills the task.)

        The soft limit comes first and the task records the failure itself; this is for a task
        that could not (stuck in one long database statement): Celery killed it and acknowledged
        its message, so no run would ever come back to the job. Only a job still running since
        before the soft limit is marked: a run that took it up since is not touched.
        """
        if not isinstance(exc, TimeLimitExceeded):
            return
        import_id = args[0] if args else kwargs.get("import_id")
        now = clock.now()
        ElectorImport.objects.filter(
            id=import_id,
            status=ElectorImport.Status.RUNNING,
            started_at__lte=now - timedelta(seconds=IMPORT_SOFT_TIME_LIMIT),
        ).update(
            status=ElectorImport.Status.FAILED,
            report=timed_out_report(IMPORT_TIME_LIMIT // 60),
            finished_at=now,
        )


@shared_task(  # type: ignore[untyped-decorator]
    bind=True,
    base=ElectorImportTask,
    name="urne.campaign.run_elector_import",
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_TIME_LIMIT,
    # A worker process killed mid-import (out of memory, SIGKILL) puts the message back in the
    # queue instead of acknowledging it, so a run comes back to take the job up (Celery's
    # default would acknowledge it and leave the job running for ever).
    reject_on_worker_lost=True,
)
def run_elector_import(self: Any, import_id: int) -> str:
    """Run one uploaded import and record its report; returns the final status.

    The job is claimed with a conditional update and a token of this run, so a task delivered
    twice (acks late) never imports twice at once. A job left running by a lost run (its worker
    process killed: the message is requeued; or the whole worker lost: the broker redelivers
    it) is taken up again once stale (IMPORT_STALE_AFTER): the import is all or nothing, so the
    lost run wrote nothing, and idempotent, so taking it up again is safe either way. A delivery
    that finds the job running and not yet stale comes back when it would be, so a job whose
    worker dies is never left without a task to finish it. Past IMPORT_MAX_TAKEOVERS takeovers
    the job is failed instead. A run past the soft time limit records the job failed and is not
    taken up again: it would only run out of time again.
    """
    now = clock.now()
    token = claim_job(import_id, now)
    job = ElectorImport.objects.select_related("campaign", "requested_by").get(id=import_id)
    if token is None:
        if job.status == ElectorImport.Status.RUNNING and not self.request.is_eager:
            assert job.started_at is not None  # noqa: S101 - claimable() takes undated ones
            stale_at = job.started_at + IMPORT_STALE_AFTER
            raise self.retry(
                countdown=max(1, math.ceil((stale_at - now).total_seconds())), max_retries=None
            )
        return str(job.status)
    if takeovers(token) > IMPORT_MAX_TAKEOVERS:
        logger.error(
            "elector import %s: its run was lost %s times (worker process killed or worker "
            "stopped); it is marked failed and not taken up again",
            import_id,
            takeovers(token),
        )
        status = ElectorImport.Status.FAILED
        text = _(
            "L'import a été abandonné : il a été interrompu %(count)d fois avant d'aller à son "
            "terme (processus du worker tué, par exemple faute de mémoire, ou worker arrêté) ; "
            "rien n'a été enregistré. Les exploitants en trouveront la cause dans les journaux "
            "des workers ; une fois celle-ci corrigée, déposez le fichier à nouveau, ou "
            "découpez-le en plusieurs fichiers plus petits."
        ) % {"count": takeovers(token)}
        record_outcome(import_id, token, status, text)
        return str(status)
    counts: dict[str, Any] = {}
    try:
        with job.file.open("rb") as source, progress_recorder(import_id, token) as progress:
            ElectorImport.objects.filter(id=import_id, claim=token).update(
                lines_total=count_lines(source), lines_done=0, error_report=""
            )
            report = do_import_electors(
                job.campaign,
                source,
                dry_run=job.dry_run,
                actor=job.requested_by,
                progress=progress,
                name=job.original_name,
            )
    except ElectorImportRejected as rejected:
        status, text = ElectorImport.Status.REJECTED, rejected.report.as_text()
        counts = {
            "lines_done": rejected.report.lines,
            "error_report": rejected.report.errors_csv(),
        }
    except SoftTimeLimitExceeded:
        # Raised in the middle of the import: its transaction has rolled back.
        logger.error("elector import %s ran out of time; nothing was imported", import_id)
        status = ElectorImport.Status.FAILED
        text = timed_out_report(IMPORT_SOFT_TIME_LIMIT // 60)
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
        counts = {"lines_done": report.lines}
    if not record_outcome(import_id, token, status, text, **counts):
        logger.warning(
            "elector import %s was taken up again by another run; this run's outcome (%s) is "
            "not recorded",
            import_id,
            status,
        )
        job.refresh_from_db(fields=["status"])
        return str(job.status)
    return str(status)

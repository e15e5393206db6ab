"""The background task that runs an import uploaded in the back office, and the import_jobs
service that records an upload and queues it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry, SoftTimeLimitExceeded, TimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from tests.campaign.conftest import ALICE, csv_text
from tests.conftest import PASSWORD, reschedule
from urne.accounts.models import User
from urne.campaign import import_store, imports
from urne.campaign.import_jobs import do_delete_elector_imports, do_queue_elector_import
from urne.campaign.models import (
    IMPORT_STALE_AFTER,
    IMPORT_TIME_LIMIT,
    Academy,
    Campaign,
    Elector,
    ElectorImport,
    Scrutin,
)
from urne.campaign.services import RollsFrozen
from urne.campaign.tasks import (
    IMPORT_MAX_TAKEOVERS,
    IMPORT_SOFT_TIME_LIMIT,
    claim_job,
    progress_recorder,
    record_outcome,
    run_elector_import,
    takeovers,
)
from urne.celery import app

pytestmark = pytest.mark.usefixtures("importable_campaign")


@pytest.fixture
def job(
    campaign: Campaign, dijon: Academy, csa_national: Scrutin, settings: Any, tmp_path: Path
) -> ElectorImport:
    settings.IMPORTS_ROOT = tmp_path / "imports"
    job = ElectorImport(campaign=campaign, original_name="electeurs.csv", created_at=timezone.now())
    job.file.save("electeurs.csv", ContentFile(csv_text(ALICE).encode()), save=True)
    return job


def test_it_imports_the_file_and_records_the_report(job: ElectorImport) -> None:
    assert run_elector_import.delay(job.pk).get() == ElectorImport.Status.DONE

    job.refresh_from_db()
    assert job.finished_at is not None
    assert "Électeurs créés : 1" in job.report
    assert Elector.objects.count() == 1


def test_the_job_records_how_many_lines_it_read_out_of_how_many(job: ElectorImport) -> None:
    run_elector_import(job.pk)

    job.refresh_from_db()
    assert (job.lines_done, job.lines_total) == (1, 1)
    assert job.error_report == ""


def test_a_rejected_job_keeps_its_errors_line_by_line(
    job: ElectorImport, settings: Any, tmp_path: Path
) -> None:
    bad = ALICE.replace(";dijon;", ";paris;")
    job.file.save("electeurs.csv", ContentFile(csv_text(ALICE, bad).encode()), save=True)

    assert run_elector_import(job.pk) == ElectorImport.Status.REJECTED

    job.refresh_from_db()
    assert job.error_report.splitlines() == [
        "ligne;colonne;message",
        "3;academie;code d'académie inconnu « paris »",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_running_import_writes_its_progress_where_the_page_reads_it(job: ElectorImport) -> None:
    """On PostgreSQL, through a connection of its own, committed at once (the import's own
    transaction would hide it until the end); SQLite has one writer, the import, and gets the
    final count only."""
    token = claim_job(job.pk, timezone.now())
    assert token is not None

    with progress_recorder(job.pk, token) as progress:
        if connection.vendor == "sqlite":
            assert progress is None
            return
        assert progress is not None
        progress(20_000)
        job.refresh_from_db()
        assert job.lines_done == 20_000
        progress_of_a_lost_run = progress_recorder(job.pk, "another run's token")
        with progress_of_a_lost_run as lost:
            assert lost is not None
            lost(1)
    job.refresh_from_db()
    assert job.lines_done == 20_000


def test_a_task_delivered_twice_imports_once(job: ElectorImport) -> None:
    run_elector_import(job.pk)
    Elector.objects.all().delete()

    assert run_elector_import(job.pk) == ElectorImport.Status.DONE

    assert Elector.objects.count() == 0


def left_running(job: ElectorImport, started_at: datetime | None) -> None:
    """The job as a worker leaves it when it dies mid-import (acks late: its task comes back)."""
    ElectorImport.objects.filter(pk=job.pk).update(
        status=ElectorImport.Status.RUNNING, started_at=started_at, claim="lost"
    )


@pytest.mark.parametrize(
    "started", [timedelta(hours=2), None], ids=["stale", "claimed-before-claims-were-dated"]
)
def test_a_job_left_running_by_a_lost_worker_is_taken_up_again(
    job: ElectorImport, started: timedelta | None
) -> None:
    left_running(job, timezone.now() - started if started else None)

    assert run_elector_import.delay(job.pk).get() == ElectorImport.Status.DONE

    job.refresh_from_db()
    assert "Électeurs créés : 1" in job.report
    assert Elector.objects.count() == 1


def test_a_job_running_in_time_is_left_to_its_worker(job: ElectorImport) -> None:
    left_running(job, timezone.now() - timedelta(minutes=10))

    assert run_elector_import.delay(job.pk).get() == ElectorImport.Status.RUNNING

    job.refresh_from_db()
    assert (job.status, job.report) == (ElectorImport.Status.RUNNING, "")
    assert Elector.objects.count() == 0


def test_a_delivery_finding_the_job_running_comes_back_later(job: ElectorImport) -> None:
    """Should the running worker die after all, a task is still there to take the job up."""
    left_running(job, timezone.now() - timedelta(minutes=10))

    with pytest.raises(Retry):
        run_elector_import(job.pk)  # as a worker runs it, not eagerly

    assert Elector.objects.count() == 0


def test_a_job_is_stale_only_after_the_time_limit_and_a_margin(job: ElectorImport) -> None:
    started = timezone.now()
    assert claim_job(job.pk, started) is not None

    assert claim_job(job.pk, started + timedelta(seconds=IMPORT_TIME_LIMIT)) is None
    assert claim_job(job.pk, started + IMPORT_STALE_AFTER + timedelta(seconds=1)) is not None


def test_a_run_presumed_lost_cannot_overwrite_the_outcome_of_the_run_that_took_over(
    job: ElectorImport,
) -> None:
    started = timezone.now()
    slow = claim_job(job.pk, started)
    taker = claim_job(job.pk, started + IMPORT_STALE_AFTER + timedelta(seconds=1))
    assert slow is not None and taker is not None

    assert record_outcome(job.pk, taker, ElectorImport.Status.DONE, "compte rendu de la reprise")
    assert not record_outcome(job.pk, slow, ElectorImport.Status.FAILED, "échec")

    job.refresh_from_db()
    assert (job.status, job.report) == (ElectorImport.Status.DONE, "compte rendu de la reprise")


def test_a_technical_failure_is_recorded_without_the_details(
    job: ElectorImport, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "imports" / job.file.name).unlink()

    assert run_elector_import(job.pk) == ElectorImport.Status.FAILED

    job.refresh_from_db()
    assert job.report.startswith("L'import a échoué pour une raison technique ;")
    assert "alice" not in caplog.text


def test_workers_find_the_task_by_its_name() -> None:
    """A worker imports each app's tasks module: the upload's task must be among them."""
    app.loader.import_default_modules()

    task = app.tasks["urne.campaign.run_elector_import"]
    assert task.name == run_elector_import.name
    # A job is judged stale from this limit: past it, the worker has killed the task.
    assert task.time_limit == IMPORT_TIME_LIMIT < IMPORT_STALE_AFTER.total_seconds()


def test_the_task_is_configured_to_come_back_after_a_lost_worker_process() -> None:
    """A child killed mid-import requeues its message (Celery's default acknowledges it), and
    the task has time to record a timeout itself before the kill, well before staleness."""
    task = app.tasks["urne.campaign.run_elector_import"]
    assert task.acks_late and task.reject_on_worker_lost
    assert task.soft_time_limit == IMPORT_SOFT_TIME_LIMIT
    assert 0 < task.soft_time_limit < task.time_limit < IMPORT_STALE_AFTER.total_seconds()


def test_an_import_out_of_time_is_failed_with_its_reason_and_imports_nothing(
    job: ElectorImport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Celery raises SoftTimeLimitExceeded wherever the import is: here after the rows are
    written, inside the import's transaction."""
    writer_for = import_store.writer_for

    def out_of_time(*args: Any, **kwargs: Any) -> Any:
        writer = writer_for(*args, **kwargs)
        finish = writer.finish

        def finish_then_stop() -> Any:
            finish()
            raise SoftTimeLimitExceeded

        writer.finish = finish_then_stop  # type: ignore[method-assign]
        return writer

    monkeypatch.setattr(imports, "writer_for", out_of_time)

    assert run_elector_import(job.pk) == ElectorImport.Status.FAILED

    job.refresh_from_db()
    assert job.status == ElectorImport.Status.FAILED
    assert job.report.startswith(
        f"L'import a été arrêté au bout de {IMPORT_SOFT_TIME_LIMIT // 60} minutes"
    )
    assert "découpez-le en plusieurs fichiers" in job.report
    assert Elector.objects.count() == 0
    # Not taken up again: it would only run out of time again.
    assert claim_job(job.pk, timezone.now() + IMPORT_STALE_AFTER * 2) is None


def test_a_job_killed_at_the_hard_time_limit_is_failed_by_the_worker(job: ElectorImport) -> None:
    """What the worker's main process does when it kills the task (Celery then acknowledges
    the message, so no run would come back to the job)."""
    started = timezone.now() - timedelta(seconds=IMPORT_TIME_LIMIT)
    assert claim_job(job.pk, started) is not None

    run_elector_import.on_failure(
        TimeLimitExceeded(IMPORT_TIME_LIMIT), "task-id", (job.pk,), {}, None
    )

    job.refresh_from_db()
    assert job.status == ElectorImport.Status.FAILED
    assert job.report.startswith(
        f"L'import a été arrêté au bout de {IMPORT_TIME_LIMIT // 60} minutes"
    )


def test_the_hard_time_limit_of_a_run_leaves_the_run_that_took_over_alone(
    job: ElectorImport,
) -> None:
    started = timezone.now() - timedelta(minutes=1)
    assert claim_job(job.pk, started) is not None

    run_elector_import.on_failure(
        TimeLimitExceeded(IMPORT_TIME_LIMIT), "task-id", (job.pk,), {}, None
    )

    job.refresh_from_db()
    assert (job.status, job.report) == (ElectorImport.Status.RUNNING, "")


def taken_over(job: ElectorImport, times: int) -> None:
    """The job as left by a first run and `times` runs that took it up, all lost."""
    step = IMPORT_STALE_AFTER + timedelta(seconds=1)
    at = timezone.now() - step * (times + 1)
    for _ in range(times + 1):
        assert claim_job(job.pk, at) is not None
        at += step


def test_takeovers_are_counted_on_the_claim(job: ElectorImport) -> None:
    taken_over(job, 2)

    job.refresh_from_db()
    assert job.status == ElectorImport.Status.RUNNING
    assert takeovers(job.claim) == 2
    # Claims written before takeovers were counted: a plain token.
    assert takeovers("lost") == takeovers("0123456789abcdef" * 2) == 0


def test_a_job_is_taken_up_again_up_to_the_limit(job: ElectorImport) -> None:
    taken_over(job, IMPORT_MAX_TAKEOVERS - 1)

    assert run_elector_import(job.pk) == ElectorImport.Status.DONE

    assert Elector.objects.count() == 1


def test_a_job_taken_over_more_than_the_limit_is_failed_with_its_reason(
    job: ElectorImport, caplog: pytest.LogCaptureFixture
) -> None:
    """An import that kills its worker every time (out of memory, say) is not run for ever."""
    taken_over(job, IMPORT_MAX_TAKEOVERS)

    assert run_elector_import(job.pk) == ElectorImport.Status.FAILED

    job.refresh_from_db()
    assert job.status == ElectorImport.Status.FAILED
    assert job.report.startswith(
        f"L'import a été abandonné : il a été interrompu {IMPORT_MAX_TAKEOVERS + 1} fois"
    )
    assert job.finished_at is not None
    assert Elector.objects.count() == 0
    assert "not taken up again" in caplog.text


# Queued by the import_jobs service, as the back office's upload does


@pytest.fixture
def organizer(db: None) -> User:
    return User.objects.create_superuser("gestion@urne.example", PASSWORD)


def upload(campaign: Campaign, dry_run: bool = False) -> ElectorImport:
    """What the upload form builds: a campaign, a file, the dry-run flag; nothing saved yet."""
    return ElectorImport(
        campaign=campaign,
        file=ContentFile(csv_text(ALICE).encode(), name="electeurs.csv"),
        dry_run=dry_run,
    )


def test_the_file_is_recorded_then_imported_when_the_transaction_commits(
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
    organizer: User,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = do_queue_elector_import(upload(campaign), organizer)
        assert ElectorImport.objects.get().status == ElectorImport.Status.PENDING

    job.refresh_from_db()
    assert job.status == ElectorImport.Status.DONE
    assert (job.original_name, job.requested_by) == ("electeurs.csv", organizer)
    assert (imports_root / job.file.name).read_text(encoding="utf-8") == csv_text(ALICE)
    assert Elector.objects.filter(email="alice.durand@ac-dijon.fr").exists()


def test_it_records_nothing_once_the_vote_has_opened(
    campaign: Campaign, organizer: User, imports_root: Path
) -> None:
    reschedule(campaign, vote_opens_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(RollsFrozen):
        do_queue_elector_import(upload(campaign), organizer)

    assert not ElectorImport.objects.exists()
    assert not imports_root.exists() or not any(imports_root.rglob("*.csv"))


def test_deleting_records_deletes_their_files_and_keeps_the_electors(
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
    organizer: User,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = do_queue_elector_import(upload(campaign), organizer)
    stored = imports_root / job.file.name

    do_delete_elector_imports(ElectorImport.objects.all())

    assert not ElectorImport.objects.exists()
    assert not stored.exists()
    assert Elector.objects.filter(email="alice.durand@ac-dijon.fr").exists()

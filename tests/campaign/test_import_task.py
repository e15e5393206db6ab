"""The background task that runs an import uploaded in the back office, and the import_jobs
service that records an upload and queues it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.campaign.conftest import ALICE, csv_text
from tests.conftest import PASSWORD, reschedule
from urne.accounts.models import User
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
from urne.campaign.tasks import claim_job, record_outcome, run_elector_import
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

"""The background task that runs an import uploaded in the back office, and the import_jobs
service that records an upload and queues it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.conftest import PASSWORD, make_campaign
from urne.accounts.models import User
from urne.campaign.import_jobs import do_delete_elector_imports, do_queue_elector_import
from urne.campaign.models import Academy, Campaign, Elector, ElectorImport, Scrutin
from urne.campaign.services import RollsFrozen
from urne.campaign.tasks import run_elector_import
from urne.celery import app

CONTENT = (
    "civilite;prenom;nom;email;corps;grade;etablissement;academie;scrutins\n"
    "Mme;Alice;Durand;alice.durand@ac-dijon.fr;Professeur des écoles;;École Jules-Ferry, "
    "Beaune;dijon;csa-men\n"
)


@pytest.fixture
def campaign(db: None) -> Campaign:
    now = timezone.now()
    return make_campaign(
        vote_opens_at=now + timedelta(days=7), vote_closes_at=now + timedelta(days=14)
    )


@pytest.fixture
def job(
    campaign: Campaign, dijon: Academy, csa_national: Scrutin, settings: Any, tmp_path: Path
) -> ElectorImport:
    settings.IMPORTS_ROOT = tmp_path / "imports"
    job = ElectorImport(campaign=campaign, original_name="electeurs.csv", created_at=timezone.now())
    job.file.save("electeurs.csv", ContentFile(CONTENT.encode()), save=True)
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

    assert app.tasks["urne.campaign.run_elector_import"].name == run_elector_import.name


# Queued by the import_jobs service, as the back office's upload does


@pytest.fixture
def organizer(db: None) -> User:
    return User.objects.create_superuser("gestion@urne.example", PASSWORD)


def upload(campaign: Campaign, dry_run: bool = False) -> ElectorImport:
    """What the upload form builds: a campaign, a file, the dry-run flag; nothing saved yet."""
    return ElectorImport(
        campaign=campaign,
        file=ContentFile(CONTENT.encode(), name="electeurs.csv"),
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
    assert (imports_root / job.file.name).read_text(encoding="utf-8") == CONTENT
    assert Elector.objects.filter(email="alice.durand@ac-dijon.fr").exists()


def test_it_records_nothing_once_the_vote_has_opened(
    campaign: Campaign, organizer: User, imports_root: Path
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        vote_opens_at=timezone.now() - timedelta(minutes=1)
    )
    campaign.refresh_from_db()

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

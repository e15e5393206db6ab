"""The background task that runs an import uploaded in the back office."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.campaign.conftest import ALICE, csv_text
from urne.campaign.models import Academy, Campaign, Elector, ElectorImport, Scrutin
from urne.campaign.tasks import run_elector_import
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

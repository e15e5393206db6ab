"""An organizer imports an electors file with one bad line, in headless Chromium: uploads it,
watches the progress (polled by the page's script) reach the end, imported by a real Celery worker
through Redis, reads the refusal and downloads the per-line error report. axe-core finds no fault
on each page."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from tests.backoffice.personas import organizer
from tests.browser.conftest import assert_accessible, log_in
from tests.campaign.conftest import ALICE, HEADER, importable_campaign, imports_root
from tests.test_celery_broker import broker_app
from urne.accounts.models import User
from urne.campaign.models import Academy, Elector, ElectorImport, Scrutin

__all__ = ["broker_app", "importable_campaign", "imports_root", "organizer"]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("importable_campaign", "imports_root"),
]

BRUNO = (
    "M.;Bruno;Martin;bruno.martin@ac-dijon.fr;Professeur certifié;Classe normale;"
    "Lycée Carnot, Dijon;dijon;csa-men"
)
BAD_ALICE = ALICE.replace("alice.durand@ac-dijon.fr", "alice.durand")


def test_an_organizer_uploads_a_file_follows_its_import_and_downloads_its_errors(
    live_server: Any,
    page: Any,
    broker_app: Any,
    tmp_path: Path,
    dijon: Academy,
    csa_national: Scrutin,
    organizer: User,
) -> None:
    log_in(page, live_server, organizer)

    page.goto(f"{live_server.url}/gestion/accueil/")
    page.get_by_role("link", name="Imports d'électeurs").first.click()
    assert page.get_by_role("heading", name="Imports d'électeurs", level=1).is_visible()
    assert_accessible(page)

    # A file in the wrong format is refused in the form, its reason linked to the field.
    page.get_by_label("Fichier des électeurs (CSV ou XLSX)").set_input_files(
        files=[{"name": "electeurs.csv", "mimeType": "text/csv", "buffer": b"nom,prenom\n"}]
    )
    page.get_by_role("button", name="Déposer et importer").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_text(
        "le séparateur des colonnes doit être le point-virgule"
    ).first.is_visible()
    assert_accessible(page)
    assert not ElectorImport.objects.exists()

    content = "\n".join([HEADER, BRUNO, BAD_ALICE]) + "\n"
    page.get_by_label("Fichier des électeurs (CSV ou XLSX)").set_input_files(
        files=[{"name": "electeurs.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    with start_worker(broker_app, perform_ping_check=False, shutdown_timeout=20):
        page.get_by_role("button", name="Déposer et importer").click()
        assert page.get_by_role("heading", name="Progression").is_visible()
        assert_accessible(page)
        page.wait_for_selector("[data-progress-url][data-finished]", timeout=30_000)

    status = " ".join(page.locator("#import-progress-text").inner_text().split())
    assert status.startswith("Refusé : erreurs dans le fichier")
    assert page.get_by_text("Import refusé : 1 erreur, rien n'a été enregistré.").is_visible()
    assert not page.get_by_role("link", name="Actualiser la progression").is_visible()
    link = page.get_by_role("link", name="Télécharger les erreurs par ligne")
    assert link.is_visible()
    assert_accessible(page)
    with page.expect_download() as caught:
        link.click()
    saved = tmp_path / "erreurs.csv"
    caught.value.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows == [
        ["ligne", "colonne", "message"],
        ["3", "email", "adresse de messagerie invalide « alice.durand »"],
    ]
    assert not Elector.objects.exists()  # all or nothing

    page.goto(f"{live_server.url}/gestion/imports/")
    assert page.get_by_role("cell", name="Refusé : erreurs dans le fichier").is_visible()
    assert_accessible(page)

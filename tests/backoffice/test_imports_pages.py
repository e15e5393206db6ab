"""The electors imports' pages (/gestion/imports/): organizers of a whole campaign upload a file,
follow its import and download the errors of its lines; every other role is refused, and another
campaign's import answers 404 by every address."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from tests.campaign.conftest import (  # noqa: F401 (fixtures)
    ALICE,
    HEADER,
    importable_campaign,
    imports_root,
    text,
)
from tests.conftest import PASSWORD, make_campaign, reschedule
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.backoffice.models import StaffScope
from urne.campaign.models import Campaign, Elector, ElectorImport
from urne.candidacies import filing
from urne.candidacies.models import Union
from urne.support.roles import HELPDESK_GROUP

pytestmark = pytest.mark.usefixtures("importable_campaign", "imports_root", "csa_national")

INDEX = reverse("imports:index")
BAD_ALICE = ALICE.replace("alice.durand@ac-dijon.fr", "alice.durand")
BRUNO = (
    "M.;Bruno;Martin;bruno.martin@ac-dijon.fr;Professeur certifié;Classe normale;"
    "Lycée Carnot, Dijon;dijon;csa-men"
)


def logged(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def upload(
    client: Client,
    campaign: Campaign,
    content: bytes,
    capture: Any,
    *,
    name: str = "electeurs.csv",
    dry_run: bool = False,
) -> Any:
    data: dict[str, Any] = {"campaign": campaign.pk, "file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        return client.post(INDEX, data)


def csv_file(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def make_job(campaign: Campaign, **fields: Any) -> ElectorImport:
    job = ElectorImport(campaign=campaign, original_name="electeurs.csv", created_at=timezone.now())
    for name, value in fields.items():
        setattr(job, name, value)
    job.file.save("electeurs.csv", ContentFile(csv_file(ALICE)), save=False)
    job.save()
    return job


@pytest.fixture
def other_campaign(db: None) -> Campaign:
    return make_campaign(
        name="Élections 2018", year=2018, vote_opens_at=timezone.now() + timedelta(7)
    )


@pytest.fixture
def other_job(other_campaign: Campaign) -> ElectorImport:
    return make_job(
        other_campaign,
        status=ElectorImport.Status.REJECTED,
        error_report="ligne;colonne;message\r\n2;email;secret.autre@ac-lyon.fr\r\n",
    )


@pytest.fixture
def helpdesk_dijon(dijon: Any) -> User:
    user = User.objects.create_user(
        "assistance@ac-dijon.fr", PASSWORD, is_staff=True, is_active=True
    )
    StaffScope.objects.create(user=user, academy=dijon)
    user.groups.add(Group.objects.get(name=HELPDESK_GROUP))
    return user


@pytest.fixture
def delegate(campaign: Campaign) -> User:
    union = Union.objects.create(campaign=campaign, acronym="SNES", name="Syndicat national")
    user = User.objects.create_user("delegue@snes.fr", PASSWORD, is_staff=True, is_active=True)
    StaffScope.objects.create(user=user, union=union)
    user.groups.add(Group.objects.get(name=filing.DELEGATES_GROUP))
    return user


# --- The organizer's upload ----------------------------------------------------------------------


def test_the_organizer_finds_the_section_and_the_form(client: Client, organizer: User) -> None:
    home = text(logged(client, organizer).get(reverse("backoffice:home")))
    page = text(client.get(INDEX))

    assert f'href="{INDEX}"' in home
    assert "Imports d'électeurs" in home
    assert 'enctype="multipart/form-data"' in page
    assert "Aucun import pour l'instant." in page


def test_an_uploaded_file_is_imported_and_its_page_shows_the_report(
    client: Client,
    organizer: User,
    campaign: Campaign,
    dijon: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = upload(
        logged(client, organizer), campaign, csv_file(ALICE), django_capture_on_commit_callbacks
    )

    job = ElectorImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=[job.pk])
    page = text(client.get(response["Location"]))
    assert job.status == ElectorImport.Status.DONE
    assert job.requested_by == organizer
    assert Elector.objects.filter(email="alice.durand@ac-dijon.fr").exists()
    assert "Fichier déposé : l'import est lancé." in page
    assert "Électeurs créés : 1" in page
    assert "backoffice/progress.js" not in page  # finished: nothing to poll
    assert "<p data-errors hidden>" in page  # no errors to download
    listing = text(client.get(INDEX))
    assert reverse("imports:detail", args=[job.pk]) in listing
    assert "Terminé" in listing


def test_the_upload_is_audited_with_the_import_it_starts(
    client: Client,
    organizer: User,
    campaign: Campaign,
    dijon: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    upload(logged(client, organizer), campaign, csv_file(ALICE), django_capture_on_commit_callbacks)

    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor_id"))
    assert ("import.upload", organizer.pk) in actions
    assert ("import.start", organizer.pk) in actions
    assert ("import.finish", organizer.pk) in actions
    entry = AuditEntry.objects.get(action="import.upload")
    assert entry.details == {"name": "electeurs.csv", "dry_run": False}
    assert entry.campaign_id == campaign.pk


def test_a_dry_run_writes_nothing(
    client: Client,
    organizer: User,
    campaign: Campaign,
    dijon: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = upload(
        logged(client, organizer),
        campaign,
        csv_file(ALICE),
        django_capture_on_commit_callbacks,
        dry_run=True,
    )

    page = text(client.get(response["Location"]))
    assert not Elector.objects.exists()
    assert "Essai à blanc : rien n'a été enregistré." in page


def test_a_file_with_a_bad_line_is_rejected_and_its_errors_downloaded(
    client: Client,
    organizer: User,
    campaign: Campaign,
    dijon: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = upload(
        logged(client, organizer),
        campaign,
        csv_file(BRUNO, BAD_ALICE),
        django_capture_on_commit_callbacks,
    )
    job = ElectorImport.objects.get()
    page = text(client.get(response["Location"]))
    download = client.get(reverse("imports:errors", args=[job.pk]))

    assert job.status == ElectorImport.Status.REJECTED
    assert not Elector.objects.exists()  # all or nothing
    assert "Refusé : erreurs dans le fichier" in page
    assert "ligne 3 : adresse de messagerie invalide" in page
    assert f'href="{reverse("imports:errors", args=[job.pk])}"' in page
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="erreurs-import-{job.pk}.csv"' in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["ligne", "colonne", "message"],
        ["3", "email", "adresse de messagerie invalide « alice.durand »"],
    ]
    assert AuditEntry.objects.filter(action="import.errors_export", actor_id=organizer.pk).exists()


def test_an_import_without_errors_has_no_error_file(client: Client, organizer: User) -> None:
    job = make_job(organizer_campaign(organizer), status=ElectorImport.Status.DONE)

    response = logged(client, organizer).get(reverse("imports:errors", args=[job.pk]))

    assert response.status_code == 404


def organizer_campaign(user: User) -> Campaign:
    scope = StaffScope.objects.get(user=user)
    assert scope.campaign is not None
    return scope.campaign


def test_an_xlsx_workbook_is_imported_too(
    client: Client,
    organizer: User,
    campaign: Campaign,
    dijon: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(";"))
    sheet.append(ALICE.split(";"))
    content = io.BytesIO()
    workbook.save(content)

    upload(
        logged(client, organizer),
        campaign,
        content.getvalue(),
        django_capture_on_commit_callbacks,
        name="electeurs.xlsx",
    )

    job = ElectorImport.objects.get()
    assert job.status == ElectorImport.Status.DONE, job.report
    assert Elector.objects.filter(email="alice.durand@ac-dijon.fr").exists()


# --- Bad files: said at once, in French, nothing recorded ---------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("electeurs.csv", b"", "Le fichier est vide."),
        (
            "electeurs.csv",
            HEADER.replace(";", ",").encode() + b"\n",
            "le séparateur des colonnes doit être le point-virgule « ; »",
        ),
        ("electeurs.csv", "civilité;prénom\n".encode("latin-1"), "ligne 1 :"),
        ("electeurs.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "Excel"),
        ("electeurs.xlsx", b"PK\x03\x04 not a workbook", "electeurs.xlsx"),
        ("electeurs.csv", b"civilite;prenom;nom\n", "ligne 1 :"),
    ],
)
def test_a_file_the_import_cannot_read_is_refused_in_the_form(
    client: Client,
    organizer: User,
    campaign: Campaign,
    django_capture_on_commit_callbacks: Any,
    name: str,
    content: bytes,
    message: str,
) -> None:
    response = upload(
        logged(client, organizer), campaign, content, django_capture_on_commit_callbacks, name=name
    )

    page = text(response)
    assert response.status_code == 200
    assert "Le formulaire contient des erreurs" in page
    assert message in page
    assert 'href="#id_file"' in page  # the summary links to the field
    assert not ElectorImport.objects.exists()
    assert not AuditEntry.objects.filter(action="import.upload").exists()


def test_a_file_over_the_size_limit_is_refused(
    client: Client,
    organizer: User,
    campaign: Campaign,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.URNE_IMPORT_MAX_BYTES = 100
    response = upload(
        logged(client, organizer),
        campaign,
        csv_file(ALICE, BRUNO),
        django_capture_on_commit_callbacks,
    )

    assert "plus que la limite de 100" in text(response)
    assert not ElectorImport.objects.exists()


def test_the_upload_is_refused_once_the_vote_has_opened(
    client: Client, organizer: User, campaign: Campaign, django_capture_on_commit_callbacks: Any
) -> None:
    reschedule(campaign, vote_opens_at=timezone.now() - timedelta(minutes=1))

    response = upload(
        logged(client, organizer), campaign, csv_file(ALICE), django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert "les listes électorales sont scellées" in text(response)
    assert not ElectorImport.objects.exists()


# --- Progress ------------------------------------------------------------------------------------


def test_a_running_import_shows_its_progress_and_polls_for_more(
    client: Client, organizer: User, campaign: Campaign
) -> None:
    job = make_job(
        campaign,
        status=ElectorImport.Status.RUNNING,
        started_at=timezone.now(),
        lines_total=1_000_000,
        lines_done=250_000,
    )
    logged(client, organizer)

    page = text(client.get(reverse("imports:detail", args=[job.pk])))
    running = json.loads(client.get(reverse("imports:progress", args=[job.pk])).content)
    ElectorImport.objects.filter(pk=job.pk).update(
        status=ElectorImport.Status.DONE, lines_done=1_000_000, report="Lignes lues : 1 000 000"
    )
    done = json.loads(client.get(reverse("imports:progress", args=[job.pk])).content)

    assert "backoffice/progress.js" in page
    assert f'data-progress-url="{reverse("imports:progress", args=[job.pk])}"' in page
    assert "250\u202f000 lignes lues sur environ 1\u202f000\u202f000 (25 %)" in page
    assert running["finished"] is False
    assert running["percent"] == 25
    assert running["report"] == ""
    assert running["status_label"] == "En cours"
    assert done["finished"] is True
    assert done["percent"] == 100
    assert done["report"] == "Lignes lues : 1 000 000"
    assert done["has_errors"] is False


# --- Who is refused ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["reader_dijon", "observer", "helpdesk_dijon", "delegate", "organizer_dijon"]
)
def test_other_roles_are_refused_every_page(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    campaign: Campaign,
    organizer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Academy staff (even an academy's organizer, who holds the permission), the helpdesk,
    observers and union delegates: no page, no form, no import of their campaign."""
    job = make_job(
        campaign,
        status=ElectorImport.Status.REJECTED,
        error_report="ligne;colonne;message\r\n2;email;secret@ac-dijon.fr\r\n",
    )
    user: User = request.getfixturevalue(persona)
    logged(client, user)

    home = text(client.get(reverse("backoffice:home")))
    responses = [
        client.get(INDEX),
        upload(client, campaign, csv_file(ALICE), django_capture_on_commit_callbacks),
        client.get(reverse("imports:detail", args=[job.pk])),
        client.get(reverse("imports:progress", args=[job.pk])),
        client.get(reverse("imports:errors", args=[job.pk])),
    ]

    # Without the permission every page is refused; with it but an academy's perimeter, the
    # campaign's import is out of reach (404, as if it did not exist).
    expected = [403, 403, 404, 404, 404] if persona == "organizer_dijon" else [403] * 5
    assert [r.status_code for r in responses] == expected
    assert all(b"secret@ac-dijon.fr" not in r.content for r in responses)
    assert ElectorImport.objects.count() == 1
    if persona != "organizer_dijon":  # the section follows the permission
        assert f'href="{INDEX}"' not in home


def test_an_academy_organizer_is_told_why(client: Client, organizer_dijon: User) -> None:
    response = logged(client, organizer_dijon).get(INDEX)

    assert response.status_code == 403
    assert "réservés aux organisateurs de toute une campagne" in text(response)


def test_another_campaigns_import_answers_404_by_every_address(
    client: Client, organizer: User, other_job: ElectorImport
) -> None:
    logged(client, organizer)
    urls = [
        reverse("imports:detail", args=[other_job.pk]),
        reverse("imports:progress", args=[other_job.pk]),
        reverse("imports:errors", args=[other_job.pk]),
    ]

    responses = [client.get(url) for url in urls]
    listing = text(client.get(INDEX))

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(b"secret.autre" not in r.content for r in responses)
    assert "Aucun import pour l'instant." in listing


def test_an_import_into_another_campaign_is_refused_in_the_form(
    client: Client,
    organizer: User,
    other_campaign: Campaign,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = upload(
        logged(client, organizer),
        other_campaign,
        csv_file(ALICE),
        django_capture_on_commit_callbacks,
    )

    assert response.status_code == 200
    assert "Choisissez une campagne de votre périmètre." in text(response)
    assert not ElectorImport.objects.exists()


def test_the_pages_need_the_second_factor(client: Client, organizer: User) -> None:
    from tests.conftest import login_without_second_factor

    login_without_second_factor(client, organizer)

    response = client.get(INDEX)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

"""The back office (/gestion/) for the campaign: pages, permissions and the electors upload."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.campaign.conftest import ALICE as ALICE_ON_THE_CSA
from tests.campaign.conftest import HEADER, text
from tests.conftest import PASSWORD, reschedule
from urne.accounts.models import User
from urne.campaign import services
from urne.campaign.models import Academy, Campaign, Elector, ElectorImport, RollEntry, Scrutin

# Alice on the roll of her academy's CAPA too.
ALICE = f"{ALICE_ON_THE_CSA}|capa-certifies-dijon"
# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = [pytest.mark.usefixtures("importable_campaign"), pytest.mark.urls(SCOPED_ADMIN_URLS)]


@pytest.fixture
def gestion(client: Client, db: None) -> Client:
    """A browser where the staff superuser is logged in."""
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))
    return client


def grant(user: User, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def upload(
    client: Client, campaign: Campaign, content: str, capture: Any, dry_run: bool = False
) -> str:
    """Upload the file, let its transaction commit (which starts the import), and return the
    page staff are sent to."""
    data: dict[str, Any] = {
        "campaign": campaign.pk,
        "file": SimpleUploadedFile("electeurs.csv", content.encode(), "text/csv"),
    }
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        response = client.post("/gestion/campaign/electorimport/add/", data)
    assert response.status_code == 302
    job = ElectorImport.objects.get()
    assert response["Location"] == f"/gestion/campaign/electorimport/{job.pk}/change/"
    return client.get(response["Location"]).content.decode()


# Pages


def test_every_campaign_page_renders_for_the_superuser(
    gestion: Client, elector_bob: Elector, csa_national: Scrutin, imports_root: Path
) -> None:
    campaign, academy = elector_bob.campaign, elector_bob.academy
    entry = RollEntry.objects.filter(elector=elector_bob).first()
    assert entry is not None
    pages = [
        "/gestion/",
        "/gestion/campaign/campaign/",
        f"/gestion/campaign/campaign/{campaign.pk}/change/",
        "/gestion/campaign/campaign/add/",
        "/gestion/campaign/academy/",
        f"/gestion/campaign/academy/{academy.pk}/change/",
        "/gestion/campaign/elector/",
        f"/gestion/campaign/elector/{elector_bob.pk}/change/",
        "/gestion/campaign/elector/add/",
        "/gestion/campaign/scrutin/",
        f"/gestion/campaign/scrutin/{csa_national.pk}/change/",
        "/gestion/campaign/rollentry/",
        f"/gestion/campaign/rollentry/{entry.pk}/change/",
        "/gestion/campaign/electorimport/",
        "/gestion/campaign/electorimport/add/",
    ]
    for page in pages:
        response = gestion.get(page)
        assert response.status_code == 200, page


def test_the_back_office_speaks_french(gestion: Client, campaign: Campaign) -> None:
    page = gestion.get("/gestion/").content.decode()

    assert "urne — gestion des élections" in page
    assert "Électeurs" in page
    assert "Scrutins" in page


def test_the_campaign_form_groups_the_calendar(gestion: Client, campaign: Campaign) -> None:
    page = gestion.get(f"/gestion/campaign/campaign/{campaign.pk}/change/").content.decode()

    assert "Calendrier" in page
    assert "Ouverture du vote" in page
    assert "Fin des demandes de mise à jour du profil" in page


def test_electors_are_found_by_name_and_by_address(
    gestion: Client, elector_bob: Elector, outsider_charlie: User
) -> None:
    by_name = gestion.get("/gestion/campaign/elector/", {"q": "martin"}).content.decode()
    by_address = gestion.get(
        "/gestion/campaign/elector/", {"q": "charlie.durand@ac-lyon"}
    ).content.decode()

    assert "bob.martin@ac-dijon.fr" in by_name
    assert "charlie.durand@ac-lyon.fr" not in by_name
    assert "charlie.durand@ac-lyon.fr" in by_address
    assert "bob.martin@ac-dijon.fr" not in by_address


def test_electors_are_filtered_by_academy_and_by_scrutin(
    gestion: Client, elector_bob: Elector, outsider_charlie: User, capa_dijon: Scrutin
) -> None:
    lyon = Academy.objects.get(code="lyon")

    in_lyon = gestion.get("/gestion/campaign/elector/", {"academy__id__exact": lyon.pk})
    on_capa = gestion.get("/gestion/campaign/elector/", {"scrutins__id__exact": capa_dijon.pk})

    assert "charlie.durand@ac-lyon.fr" in in_lyon.content.decode()
    assert "bob.martin@ac-dijon.fr" not in in_lyon.content.decode()
    assert "bob.martin@ac-dijon.fr" in on_capa.content.decode()
    assert "charlie.durand@ac-lyon.fr" not in on_capa.content.decode()


def test_the_elector_page_shows_the_roll(gestion: Client, elector_bob: Elector) -> None:
    page = gestion.get(f"/gestion/campaign/elector/{elector_bob.pk}/change/").content.decode()

    assert "Inscriptions sur les listes électorales" in page
    assert "CAPA des professeurs certifiés de Dijon" in page


def test_the_scrutin_list_counts_each_roll(
    gestion: Client, elector_bob: Elector, outsider_charlie: User, csa_national: Scrutin
) -> None:
    RollEntry.objects.create(scrutin=csa_national, elector=outsider_charlie.elector)  # type: ignore[misc]

    response = gestion.get("/gestion/campaign/scrutin/")

    page = response.content.decode()
    assert f'<a href="/gestion/campaign/elector/?scrutins__id__exact={csa_national.pk}">2</a>' in (
        page
    )


# Permissions


def test_staff_without_permissions_see_nothing(client: Client, staff_dijon: User) -> None:
    client.force_login(staff_dijon)

    assert client.get("/gestion/campaign/elector/").status_code == 403
    assert "Électeurs" not in client.get("/gestion/").content.decode()


def test_staff_allowed_to_view_electors_see_only_electors(
    client: Client, staff_dijon: User, elector_bob: Elector
) -> None:
    grant(staff_dijon, "view_elector")
    client.force_login(staff_dijon)

    index = client.get("/gestion/").content.decode()
    assert "Électeurs" in index
    assert "Campagnes" not in index
    assert client.get("/gestion/campaign/elector/").status_code == 200
    assert client.get("/gestion/campaign/campaign/").status_code == 403
    assert client.get("/gestion/campaign/elector/add/").status_code == 403
    change = client.post(
        f"/gestion/campaign/elector/{elector_bob.pk}/change/", {"last_name": "Dupont"}
    )
    assert change.status_code == 403
    elector_bob.refresh_from_db()
    assert elector_bob.last_name == "Martin"


def test_staff_allowed_to_change_electors_can_correct_a_profile(
    client: Client, staff_dijon: User, elector_bob: Elector
) -> None:
    grant(staff_dijon, "view_elector", "change_elector")
    client.force_login(staff_dijon)
    url = f"/gestion/campaign/elector/{elector_bob.pk}/change/"
    data = {
        "campaign": elector_bob.campaign_id,
        "civilite": "M",
        "first_name": "Bob",
        "last_name": "Martin-Lefort",
        "email": "bob.martin@ac-dijon.fr",
        "academy": elector_bob.academy_id,
        "corps": "Professeur certifié",
        "grade": "Hors classe",
        "establishment": "Lycée Carnot, Dijon",
        "roll_entries-TOTAL_FORMS": "0",
        "roll_entries-INITIAL_FORMS": "0",
        "reason": "Arrêté de promotion du 1er septembre.",
    }

    response = client.post(url, data)

    assert response.status_code == 302
    elector_bob.refresh_from_db()
    assert (elector_bob.last_name, elector_bob.grade) == ("Martin-Lefort", "Hors classe")


# Uploading an electors file


def test_the_import_button_shows_only_to_staff_allowed_to_import(
    client: Client, staff_dijon: User, gestion: Client, campaign: Campaign
) -> None:
    url = f"/gestion/campaign/campaign/{campaign.pk}/change/"
    button = f"/gestion/campaign/electorimport/add/?campaign={campaign.pk}"
    assert button in gestion.get(url).content.decode()

    grant(staff_dijon, "view_campaign")
    client.force_login(staff_dijon)
    assert button not in client.get(url).content.decode()
    assert client.get("/gestion/campaign/electorimport/add/").status_code == 403


def test_the_upload_form_names_the_campaign_from_the_button(
    gestion: Client, campaign: Campaign
) -> None:
    page = gestion.get(f"/gestion/campaign/electorimport/add/?campaign={campaign.pk}")

    assert page.context["adminform"].form.initial["campaign"] == str(campaign.pk)


def test_an_uploaded_file_is_imported_and_its_report_kept(
    gestion: Client,
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    page = upload(gestion, campaign, f"{HEADER}\n{ALICE}\n", django_capture_on_commit_callbacks)

    job = ElectorImport.objects.get()
    assert job.status == ElectorImport.Status.DONE
    assert job.original_name == "electeurs.csv"
    assert job.requested_by is not None and job.requested_by.email == "gestion@urne.example"
    assert job.finished_at is not None
    alice = Elector.objects.get(email="alice.durand@ac-dijon.fr")
    assert set(alice.scrutins.values_list("code", flat=True)) == {"csa-men", "capa-certifies-dijon"}
    # The file is kept, out of the media folder, for the record.
    assert (imports_root / job.file.name).read_text(encoding="utf-8").startswith(HEADER)
    assert "Fichier déposé : l&#x27;import est lancé." in page
    assert "Terminé" in page
    assert "Électeurs créés : 1 ; modifiés : 0 ; inchangés : 0" in page


def test_an_uploaded_file_with_bad_lines_is_refused_with_the_list(
    gestion: Client,
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    bad = ALICE.replace("alice.durand@ac-dijon.fr", "alice.durand")
    page = upload(
        gestion, campaign, f"{HEADER}\n{ALICE}\n{bad}\n", django_capture_on_commit_callbacks
    )

    assert ElectorImport.objects.get().status == ElectorImport.Status.REJECTED
    assert Elector.objects.count() == 0
    assert "Refusé : erreurs dans le fichier" in page
    assert "Import refusé : 1 erreur, rien n&#x27;a été enregistré." in page
    assert "ligne 3 : adresse de messagerie invalide « alice.durand »" in page


def test_a_rejected_upload_offers_its_errors_as_a_csv_file(
    gestion: Client,
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    bad = ALICE.replace("alice.durand@ac-dijon.fr", "alice.durand").replace(
        ";Durand;", ";=HYPERLINK(1);"
    )
    page = upload(
        gestion, campaign, f"{HEADER}\n{ALICE}\n{bad}\n", django_capture_on_commit_callbacks
    )
    job = ElectorImport.objects.get()
    url = f"/gestion/campaign/electorimport/{job.pk}/erreurs.csv"

    response = gestion.get(url)

    assert f'href="{url}"' in page
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["ligne", "colonne", "message"]
    assert rows[1][:2] == ["3", "nom"]
    assert rows[1][2].startswith("le champ « nom » commence par « = »")
    assert rows[2] == ["3", "email", "adresse de messagerie invalide « alice.durand »"]


def test_the_errors_of_an_import_are_not_offered_to_staff_who_may_not_see_it(
    client: Client,
    gestion: Client,
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    imports_root: Path,
    staff_dijon: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    bad = ALICE.replace("alice.durand@ac-dijon.fr", "alice.durand")
    upload(gestion, campaign, f"{HEADER}\n{bad}\n", django_capture_on_commit_callbacks)
    job = ElectorImport.objects.get()
    client.force_login(staff_dijon)

    response = client.get(f"/gestion/campaign/electorimport/{job.pk}/erreurs.csv")

    assert response.status_code in (403, 404)
    assert b"alice.durand" not in response.content


def test_an_import_page_shows_its_progress_and_reloads_until_it_ends(
    gestion: Client, campaign: Campaign, imports_root: Path
) -> None:
    job = ElectorImport.objects.create(
        campaign=campaign,
        original_name="electeurs.csv",
        created_at=timezone.now(),
        status=ElectorImport.Status.RUNNING,
        started_at=timezone.now(),
        lines_total=1_000_000,
        lines_done=250_000,
    )
    url = f"/gestion/campaign/electorimport/{job.pk}/change/"

    running = gestion.get(url).content.decode()
    ElectorImport.objects.filter(pk=job.pk).update(
        status=ElectorImport.Status.DONE, lines_done=1_000_000
    )
    done = gestion.get(url).content.decode()

    assert "250\u202f000 lignes lues sur environ 1\u202f000\u202f000 (25 %)" in running
    assert '<meta http-equiv="refresh" content="5">' in running
    assert "1\u202f000\u202f000 lignes lues sur environ 1\u202f000\u202f000 (100 %)" in done
    assert 'http-equiv="refresh"' not in done


def test_a_dry_run_upload_writes_nothing(
    gestion: Client,
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    page = upload(
        gestion, campaign, f"{HEADER}\n{ALICE}\n", django_capture_on_commit_callbacks, dry_run=True
    )

    assert ElectorImport.objects.get().status == ElectorImport.Status.DONE
    assert Elector.objects.count() == 0
    assert "Essai à blanc : rien n&#x27;a été enregistré." in page


def test_an_import_record_cannot_be_edited(
    gestion: Client,
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    upload(gestion, campaign, f"{HEADER}\n{ALICE}\n", django_capture_on_commit_callbacks)
    job = ElectorImport.objects.get()
    url = f"/gestion/campaign/electorimport/{job.pk}/change/"

    page = gestion.get(url).content.decode()
    response = gestion.post(url, {"report": "rien"})

    assert 'name="_save"' not in page
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.report.startswith("Import des électeurs")


def test_deleting_an_import_record_deletes_its_file(
    gestion: Client,
    campaign: Campaign,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    imports_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    upload(gestion, campaign, f"{HEADER}\n{ALICE}\n", django_capture_on_commit_callbacks)
    job = ElectorImport.objects.get()
    stored = imports_root / job.file.name
    assert stored.exists()

    response = gestion.post(f"/gestion/campaign/electorimport/{job.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not ElectorImport.objects.exists()
    assert not stored.exists()
    # The electors it imported stay: the record only documents the import.
    assert Elector.objects.filter(email="alice.durand@ac-dijon.fr").exists()


# The rolls are sealed once the vote opens: the back office refuses as the import does

SEALED = "les listes électorales sont scellées"


def open_the_vote(campaign: Campaign) -> None:
    reschedule(campaign, vote_opens_at=timezone.now() - timedelta(hours=1))


def roll_entry_data(elector: Elector, scrutin: Scrutin) -> dict[str, Any]:
    return {"elector": elector.pk, "scrutin": scrutin.pk}


def test_a_roll_entry_can_be_added_until_the_vote_opens(
    gestion: Client, elector_bob: Elector, campaign: Campaign
) -> None:
    other = Scrutin.objects.create(
        campaign=campaign, code="ccp", name="CCP", level="national", kind="CCP", seats=3
    )

    response = gestion.post(
        "/gestion/campaign/rollentry/add/",
        {**roll_entry_data(elector_bob, other), "reason": "Oubli de l'import."},
    )

    assert response.status_code == 302
    assert RollEntry.objects.filter(elector=elector_bob, scrutin=other).exists()


def test_it_refuses_to_add_a_roll_entry_once_the_vote_has_opened(
    gestion: Client, elector_bob: Elector, campaign: Campaign
) -> None:
    other = Scrutin.objects.create(
        campaign=campaign, code="ccp", name="CCP", level="national", kind="CCP", seats=3
    )
    open_the_vote(campaign)

    response = gestion.post("/gestion/campaign/rollentry/add/", roll_entry_data(elector_bob, other))

    assert response.status_code == 200
    assert SEALED in text(response)
    assert not RollEntry.objects.filter(elector=elector_bob, scrutin=other).exists()


def test_a_roll_entry_cannot_be_changed_or_deleted_once_the_vote_has_opened(
    gestion: Client, elector_bob: Elector, campaign: Campaign, csa_national: Scrutin
) -> None:
    entry = RollEntry.objects.get(elector=elector_bob, scrutin__code="capa-certifies-dijon")
    open_the_vote(campaign)
    url = f"/gestion/campaign/rollentry/{entry.pk}/"

    page = text(gestion.get(url + "change/"))
    changed = gestion.post(url + "change/", roll_entry_data(elector_bob, csa_national))
    deleted = gestion.post(url + "delete/", {"post": "yes"})

    assert SEALED in page
    assert 'name="_save"' not in page
    assert (changed.status_code, deleted.status_code) == (403, 403)
    entry.refresh_from_db()
    assert entry.scrutin.code == "capa-certifies-dijon"


def test_an_elector_is_read_only_once_the_vote_has_opened(
    gestion: Client, elector_bob: Elector, campaign: Campaign
) -> None:
    """Neither their record nor their scrutins can change: they are part of the sealed roll."""
    entries = list(RollEntry.objects.filter(elector=elector_bob).order_by("pk"))
    other = Scrutin.objects.create(
        campaign=campaign, code="ccp", name="CCP", level="national", kind="CCP", seats=3
    )
    open_the_vote(campaign)
    url = f"/gestion/campaign/elector/{elector_bob.pk}/change/"
    data = {
        "campaign": campaign.pk,
        "civilite": "M",
        "first_name": "Bob",
        "last_name": "Martin-Lefort",
        "email": elector_bob.email,
        "academy": elector_bob.academy_id,
        "corps": elector_bob.corps,
        "grade": elector_bob.grade,
        "establishment": elector_bob.establishment,
        # A forged form: delete the first entry, add a scrutin.
        "roll_entries-TOTAL_FORMS": "3",
        "roll_entries-INITIAL_FORMS": "2",
        "roll_entries-0-id": entries[0].pk,
        "roll_entries-0-elector": elector_bob.pk,
        "roll_entries-0-scrutin": entries[0].scrutin_id,
        "roll_entries-0-DELETE": "on",
        "roll_entries-1-id": entries[1].pk,
        "roll_entries-1-elector": elector_bob.pk,
        "roll_entries-1-scrutin": entries[1].scrutin_id,
        "roll_entries-2-elector": elector_bob.pk,
        "roll_entries-2-scrutin": other.pk,
    }

    page = text(gestion.get(url))
    response = gestion.post(url, data)

    assert SEALED in page
    assert "roll_entries-0-DELETE" not in page
    assert 'name="_save"' not in page
    assert response.status_code == 403
    elector_bob.refresh_from_db()
    assert elector_bob.last_name == "Martin"
    assert list(RollEntry.objects.filter(elector=elector_bob).order_by("pk")) == entries


def test_an_elector_on_a_roll_cannot_be_deleted_once_the_vote_has_opened(
    gestion: Client, elector_bob: Elector, campaign: Campaign
) -> None:
    open_the_vote(campaign)
    url = f"/gestion/campaign/elector/{elector_bob.pk}/delete/"

    page = text(gestion.get(url))
    response = gestion.post(url, {"post": "yes"})

    assert SEALED in page
    assert response.status_code == 403
    assert RollEntry.objects.filter(elector=elector_bob).count() == 2


def test_the_upload_is_refused_once_the_vote_has_opened(
    gestion: Client, campaign: Campaign, imports_root: Path
) -> None:
    open_the_vote(campaign)

    response = gestion.post(
        "/gestion/campaign/electorimport/add/",
        {
            "campaign": campaign.pk,
            "file": SimpleUploadedFile("electeurs.csv", f"{HEADER}\n{ALICE}\n".encode()),
        },
    )

    assert response.status_code == 200
    assert SEALED in text(response)
    assert not ElectorImport.objects.exists()


def test_the_rolls_stay_sealed_after_the_vote_closes(campaign: Campaign) -> None:
    reschedule(
        campaign,
        vote_opens_at=timezone.now() - timedelta(days=9),
        vote_closes_at=timezone.now() - timedelta(days=1),
    )

    with pytest.raises(services.RollsFrozen) as frozen:
        services.check_roll_editable(campaign)

    assert SEALED in str(frozen.value.message)

"""The back office for candidacies: lists with their candidates and a profession de foi that
must really be a PDF."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from reportlab.pdfgen import canvas

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.conftest import PASSWORD
from tests.voting.conftest import SealScrutins, seal_scrutins, trustees_text
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.candidacies.models import Candidate, CandidateList, Union

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = pytest.mark.urls(SCOPED_ADMIN_URLS)


def make_pdf(text: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


@pytest.fixture
def gestion(client: Client, db: None) -> Client:
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))
    return client


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def union(campaign: Campaign) -> Union:
    return Union.objects.create(
        campaign=campaign, acronym="UEPL", name="Union pour l'école publique et laïque"
    )


def list_form(scrutin: Scrutin, union: Union, pdf: SimpleUploadedFile | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "scrutin": scrutin.pk,
        "position": 1,
        "title": "Liste UEPL",
        "status": "validated",
        "listunion_set-TOTAL_FORMS": "1",
        "listunion_set-INITIAL_FORMS": "0",
        "listunion_set-0-union": union.pk,
        "candidates-TOTAL_FORMS": "2",
        "candidates-INITIAL_FORMS": "0",
        "candidates-0-position": "1",
        "candidates-0-civilite": "MME",
        "candidates-0-last_name": "Roussel",
        "candidates-0-first_name": "Anne",
        "candidates-0-corps_grade": "Professeur certifié, hors classe",
        "candidates-0-affectation": "Lycée Carnot, Dijon",
        "candidates-1-position": "2",
        "candidates-1-civilite": "M",
        "candidates-1-last_name": "Fabre",
        "candidates-1-first_name": "Luc",
        "candidates-1-corps_grade": "Professeur certifié, classe normale",
        "candidates-1-affectation": "Collège Rameau, Dijon",
    }
    if pdf is not None:
        data["profession_de_foi"] = pdf
    return data


def test_every_candidacies_page_renders_for_the_superuser(
    gestion: Client, capa_dijon: Scrutin, union: Union, media_root: Path
) -> None:
    candidate_list = CandidateList.objects.create(
        status="validated", scrutin=capa_dijon, position=1, title="Liste"
    )
    candidate_list.unions.add(union)
    candidate = Candidate.objects.create(
        candidate_list=candidate_list,
        position=1,
        civilite="MME",
        last_name="Roussel",
        first_name="Anne",
        corps_grade="Professeur certifié",
        affectation="Lycée Carnot, Dijon",
    )
    pages = [
        "/gestion/candidacies/union/",
        f"/gestion/candidacies/union/{union.pk}/change/",
        "/gestion/candidacies/candidatelist/",
        f"/gestion/candidacies/candidatelist/{candidate_list.pk}/change/",
        "/gestion/candidacies/candidatelist/add/",
        "/gestion/candidacies/candidate/",
        f"/gestion/candidacies/candidate/{candidate.pk}/change/",
    ]
    for page in pages:
        assert gestion.get(page).status_code == 200, page


def test_a_list_is_filed_with_its_ordered_candidates_and_its_pdf(
    gestion: Client, capa_dijon: Scrutin, union: Union, media_root: Path
) -> None:
    pdf = SimpleUploadedFile("programme.pdf", make_pdf("Profession de foi"), "application/pdf")

    response = gestion.post(
        "/gestion/candidacies/candidatelist/add/", list_form(capa_dijon, union, pdf)
    )

    assert response.status_code == 302
    filed = CandidateList.objects.get()
    assert [c.last_name for c in filed.candidates.order_by("position")] == ["Roussel", "Fabre"]
    assert list(filed.unions.all()) == [union]
    assert (media_root / filed.profession_de_foi.name).read_bytes().startswith(b"%PDF-")


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(
    gestion: Client, capa_dijon: Scrutin, union: Union, media_root: Path
) -> None:
    fake = SimpleUploadedFile("programme.pdf", b"<html>pas un PDF</html>", "application/pdf")

    response = gestion.post(
        "/gestion/candidacies/candidatelist/add/", list_form(capa_dijon, union, fake)
    )

    assert response.status_code == 200
    assert "Ce fichier n&#x27;est pas un PDF : son contenu ne commence pas par « %PDF- »." in (
        response.content.decode()
    )
    assert CandidateList.objects.count() == 0
    assert Candidate.objects.count() == 0


def test_a_profession_de_foi_too_large_is_refused(
    gestion: Client,
    capa_dijon: Scrutin,
    union: Union,
    media_root: Path,
    settings: Any,
) -> None:
    settings.URNE_PROFESSION_DE_FOI_MAX_BYTES = 1000
    big = SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n" + b"0" * 2000, "application/pdf")

    response = gestion.post(
        "/gestion/candidacies/candidatelist/add/", list_form(capa_dijon, union, big)
    )

    assert response.status_code == 200
    assert "la limite est de 1000" in response.content.decode()
    assert CandidateList.objects.count() == 0


def test_the_list_of_lists_shows_unions_candidates_and_pdf(
    gestion: Client, capa_dijon: Scrutin, union: Union, media_root: Path
) -> None:
    other = Union.objects.create(campaign=capa_dijon.campaign, acronym="RÉSO", name="Réseau")
    joint = CandidateList.objects.create(
        status="validated", scrutin=capa_dijon, position=1, title="Liste commune"
    )
    joint.unions.add(union, other)

    page = gestion.get("/gestion/candidacies/candidatelist/").content.decode()

    assert "RÉSO – UEPL" in page


def test_staff_open_the_current_profession_de_foi_through_the_back_office(
    gestion: Client, capa_dijon: Scrutin, union: Union, media_root: Path
) -> None:
    pdf = SimpleUploadedFile("programme.pdf", make_pdf("Profession de foi"), "application/pdf")
    gestion.post("/gestion/candidacies/candidatelist/add/", list_form(capa_dijon, union, pdf))
    filed = CandidateList.objects.get()
    download = f"/gestion/candidacies/candidatelist/{filed.pk}/profession-de-foi.pdf"

    page = gestion.get(f"/gestion/candidacies/candidatelist/{filed.pk}/change/").content.decode()
    response = gestion.get(download)

    assert f'href="{download}"' in page
    assert "/media/" not in page
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]


def test_staff_without_the_view_permission_cannot_download_it(
    client: Client,
    staff_dijon: User,
    capa_dijon: Scrutin,
    union: Union,
    media_root: Path,
) -> None:
    filed = CandidateList.objects.create(
        status="validated", scrutin=capa_dijon, position=1, title="Liste UEPL"
    )
    filed.profession_de_foi.save("p.pdf", ContentFile(make_pdf("Profession de foi")))
    client.force_login(staff_dijon)

    response = client.get(f"/gestion/candidacies/candidatelist/{filed.pk}/profession-de-foi.pdf")

    assert response.status_code == 403


def test_lists_and_candidates_of_a_sealed_scrutin_no_longer_change(
    gestion: Client,
    capa_dijon: Scrutin,
    elector_bob: Elector,
    union: Union,
    media_root: Path,
    seal_scrutins: SealScrutins,
) -> None:
    seal_scrutins(capa_dijon)
    first = CandidateList.objects.filter(scrutin=capa_dijon).order_by("position").first()
    assert first is not None
    title = first.title
    candidate = Candidate.objects.create(
        candidate_list=first,
        position=1,
        civilite="M",
        last_name="Fabre",
        first_name="Luc",
        corps_grade="Professeur certifié",
        affectation="Collège Rameau, Dijon",
    )

    # A new list for the sealed scrutin is refused with the rule's message, nothing stored.
    response = gestion.post(
        "/gestion/candidacies/candidatelist/add/",
        {**list_form(capa_dijon, union, None), "position": 9, "title": "Liste tardive"},
    )
    assert response.status_code == 200
    assert "est scellée" in response.content.decode()
    assert not CandidateList.objects.filter(title="Liste tardive").exists()

    # An existing list or candidate can be read, not changed or deleted.
    change = f"/gestion/candidacies/candidatelist/{first.pk}/change/"
    renamed = {**list_form(capa_dijon, union, None), "title": "Autre titre"}
    assert gestion.post(change, renamed).status_code == 403
    assert (
        gestion.post(
            f"/gestion/candidacies/candidatelist/{first.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        gestion.post(
            f"/gestion/candidacies/candidate/{candidate.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert gestion.get(change).status_code == 200
    first.refresh_from_db()
    assert first.title == title
    assert Candidate.objects.filter(pk=candidate.pk).exists()


__all__ = ["seal_scrutins", "trustees_text"]  # fixtures used here, defined with the vote's tests

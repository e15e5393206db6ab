"""The rolls in the back office (/gestion/listes-electorales/): each roll paginated and searched,
exported as CSV and PDF for display, with its history; academy staff see and export their
academy's part of a national roll, and nothing of another academy's roll."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.conftest import make_elector, reschedule
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign import roll_history, staff_rolls
from urne.campaign.models import Academy, Campaign, Elector, RollChange, Scrutin

PDFTOTEXT = shutil.which("pdftotext")


def url(name: str, scrutin: Scrutin) -> str:
    return reverse(f"campaign_gestion:{name}", args=[scrutin.pk])


def content(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return str(response.content.decode())


def pdf_text(data: bytes, tmp_path: Any) -> str:
    assert PDFTOTEXT is not None, "pdftotext is missing: run `make deps` (Debian's poppler-utils)"
    path = tmp_path / "liste.pdf"
    path.write_bytes(data)
    return subprocess.run(  # noqa: S603 - poppler's pdftotext on our own file
        [PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


# --- Reading ------------------------------------------------------------------------------------


def test_an_organizer_reads_the_whole_national_roll(
    client: Client, organizer: User, csa_national: Scrutin, national_roll: dict[str, Elector]
) -> None:
    client.force_login(organizer)

    index = content(client.get(reverse("campaign_gestion:rolls")))
    page = content(client.get(url("roll", csa_national)))

    assert url("roll", csa_national) in index
    assert "4 électeurs inscrits." in page
    for name in ("BERNARD", "PETIT", "HADDAD", "ROUX"):
        assert name in page
    assert "@ac-" not in page  # never an address


def test_academy_staff_read_only_their_academys_part_of_a_national_roll(
    client: Client, reader_dijon: User, csa_national: Scrutin, national_roll: dict[str, Elector]
) -> None:
    client.force_login(reader_dijon)

    page = content(client.get(url("roll", csa_national)))
    index = content(client.get(reverse("campaign_gestion:rolls")))

    assert "2 électeurs inscrits." in page
    assert "BERNARD" in page and "PETIT" in page
    assert "HADDAD" not in page and "ROUX" not in page
    assert "les électeurs de l'académie de Dijon" in page
    assert "CSA" in index and "Lyon" not in index


@pytest.mark.parametrize("name", ["roll", "roll_csv", "roll_pdf", "roll_history"])
def test_another_academys_roll_is_answered_as_if_it_did_not_exist(
    client: Client,
    reader_dijon: User,
    capa_lyon: Scrutin,
    national_roll: dict[str, Elector],
    name: str,
) -> None:
    reader_dijon.user_permissions.add(Permission.objects.get(codename="view_rollchange"))
    client.force_login(reader_dijon)

    assert client.get(url(name, capa_lyon)).status_code == 404
    assert not AuditEntry.objects.filter(action="roll.export").exists()


def test_the_search_finds_names_without_accents(
    client: Client, organizer: User, csa_national: Scrutin, national_roll: dict[str, Elector]
) -> None:
    client.force_login(organizer)

    page = content(client.get(url("roll", csa_national), {"q": "lea"}))

    assert "1 électeur inscrit correspond à « lea »." in page
    assert "ROUX" in page and "BERNARD" not in page


def test_a_long_roll_is_paginated_and_the_search_is_kept(
    client: Client,
    organizer: User,
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
) -> None:
    from urne.campaign.models import RollEntry

    for number in range(staff_rolls.PAGE_SIZE + 5):
        elector = make_elector(campaign, dijon, f"Jean{number:03d}", "Martin")
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
    client.force_login(organizer)

    first = content(client.get(url("roll", csa_national), {"q": "martin"}))
    second = content(client.get(url("roll", csa_national), {"q": "martin", "page": "2"}))

    assert "Page 1 sur 2" in first
    assert "?q=martin&amp;page=2" in first
    assert second.count('<th scope="row">') == 5


def test_without_the_permission_the_rolls_are_refused(
    client: Client, staff_dijon: User, csa_national: Scrutin
) -> None:
    client.force_login(staff_dijon)

    for address in (reverse("campaign_gestion:rolls"), url("roll", csa_national)):
        assert client.get(address).status_code == 403
    assert client.get(url("roll_csv", csa_national)).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client: Client, csa_national: Scrutin) -> None:
    assert client.get(url("roll_csv", csa_national)).status_code == 302


# --- Exports -------------------------------------------------------------------------------------


def test_the_csv_is_made_for_excel_and_inert(
    client: Client, organizer: User, csa_national: Scrutin, national_roll: dict[str, Elector]
) -> None:
    client.force_login(organizer)

    response = client.get(url("roll_csv", csa_national))
    text = content(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="liste-electorale-csa-men-' in response["Content-Disposition"]
    lines = text.split("\r\n")
    assert lines[0] == "\ufeffCivilité;Nom;Prénom;Affectation;Académie"
    assert "Mme;BERNARD;Claire;Lycée Carnot, Dijon;Dijon" in lines
    assert "M.;PETIT;Hugo;'=1+1;Dijon" in lines  # a formula, made text
    assert "Mme;ROUX;Léa;'@SUM(A1);Lyon" in lines
    entry = AuditEntry.objects.get(action="roll.export")
    assert entry.details == {"format": "csv", "electors": 4}
    assert entry.actor_id == organizer.pk


def test_academy_staff_export_only_their_part(
    client: Client, reader_dijon: User, csa_national: Scrutin, national_roll: dict[str, Elector]
) -> None:
    client.force_login(reader_dijon)

    text = content(client.get(url("roll_csv", csa_national)))

    assert "BERNARD" in text and "PETIT" in text
    assert "HADDAD" not in text and "ROUX" not in text
    assert AuditEntry.objects.get(action="roll.export").details["electors"] == 2


def test_the_pdf_lists_the_roll_for_display(
    client: Client,
    organizer: User,
    reader_dijon: User,
    csa_national: Scrutin,
    national_roll: dict[str, Elector],
    tmp_path: Any,
) -> None:
    client.force_login(organizer)
    response = client.get(url("roll_pdf", csa_national))
    client.force_login(reader_dijon)
    dijon_only = client.get(url("roll_pdf", csa_national))

    whole = pdf_text(response.content, tmp_path)
    part = pdf_text(dijon_only.content, tmp_path)

    assert response["Content-Type"] == "application/pdf"
    assert "Liste électorale — CSA ministériel" in whole
    assert "4 électeur(s) inscrit(s)" in whole
    assert "HADDAD" in whole and "BERNARD" in whole and "=1+1" in whole
    assert "Électeurs de l'académie de : Dijon" in part
    assert "BERNARD" in part and "HADDAD" not in part
    assert list(
        AuditEntry.objects.filter(action="roll.export").values_list("details__format", flat=True)
    ) == ["pdf", "pdf"]


def test_an_observer_reads_and_exports_but_has_no_history(
    client: Client, observer: User, csa_national: Scrutin, national_roll: dict[str, Elector]
) -> None:
    client.force_login(observer)

    page = content(client.get(url("roll", csa_national)))

    assert "4 électeurs inscrits." in page
    assert client.get(url("roll_csv", csa_national)).status_code == 200
    assert url("roll_history", csa_national) not in page
    assert client.get(url("roll_history", csa_national)).status_code == 403


# --- History -------------------------------------------------------------------------------------


def test_the_history_shows_the_rolls_changes(
    client: Client,
    organizer: User,
    campaign: Campaign,
    csa_national: Scrutin,
    national_roll: dict[str, Elector],
) -> None:
    reschedule(campaign, vote_opens_at=campaign.vote_opens_at + timedelta(days=30))
    claire = national_roll["claire"]
    before = roll_history.snapshot(claire)
    claire.establishment = "Collège Rameau, Dijon"
    claire.save()
    roll_history.do_record_elector_change(
        organizer, claire, before, source=RollChange.Source.BACK_OFFICE, reason="Mutation"
    )
    client.force_login(organizer)

    page = content(client.get(url("roll_history", csa_national)))

    assert "Collège Rameau, Dijon" in page and "Lycée Carnot, Dijon" in page
    assert "Mutation" in page and organizer.email in page

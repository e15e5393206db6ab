"""The results pages: staff with the turnout permission read every scrutin of their reach, with
charts (SVG, labelled, patterned) beside their tables, exports and the procès-verbal; anyone
reads the results once proclaimed."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.models import Scrutin

pytestmark = pytest.mark.django_db


def grant_results(user: User) -> User:
    group, _ = Group.objects.get_or_create(name="Résultats")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="voting", codename="view_turnout")
    )
    user.groups.add(group)
    return User.objects.get(pk=user.pk)


def test_the_staff_page_shows_figures_charts_and_tables(
    client: Client, staff_organizer: User, decided: Scrutin
):
    client.force_login(grant_results(staff_organizer))
    text = client.get(reverse("results:scrutin", args=[decided.pk])).content.decode()
    assert "Suffrages valablement exprimés" in text
    # Two charts, each an image with a title, every bar labelled and filled with a pattern.
    assert text.count('role="img"') == 2
    assert '<title id="voix-title">Voix par liste</title>' in text
    assert "2 (66,67\u00a0%)" in text  # FSU's bar label: its votes and share
    assert 'fill="url(#voix-p0)"' in text
    assert "2 sièges" in text and "1 siège" in text
    # The tables beside the charts.
    assert "<caption>Voix et part des suffrages exprimés</caption>" in text
    assert "Anne ARNAUD, Bruno BLANC" in text
    assert decided.election.last_event in text
    assert reverse("voting:board", args=[decided.election.uuid]) in text
    assert "<script" not in text.split("<main", 1)[-1].split("</main>")[0]


def test_the_index_shows_the_national_figure_and_each_scrutin(
    client: Client, staff_organizer: User, decided: Scrutin, capa_dijon: Scrutin
):
    client.force_login(grant_results(staff_organizer))
    text = client.get(reverse("results:index")).content.decode()
    assert "Résultat national (CSA ministériel)" in text
    # Unions' votes: FSU 2 of 3 exprimés.
    assert "66,67\u00a0%" in text
    assert "en attente du dépouillement" in text  # the CAPA of Dijon, not decided
    assert reverse("results:scrutin", args=[capa_dijon.pk]) in text


def test_the_exports(client: Client, staff_organizer: User, decided: Scrutin):
    client.force_login(grant_results(staff_organizer))
    response = client.get(reverse("results:csv", args=[decided.pk]))
    raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    body = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][:4] == ["Rubrique", "Liste", "Organisations", "Nombre"]
    assert rows[1][:4] == ["Inscrits", "", "", "5"]
    assert rows[6] == [
        "Liste",
        "Liste FSU",
        "FSU",
        "2",
        "66,67",
        "2",
        "2",
        "Anne ARNAUD, Bruno BLANC",
        "Chloé CHEN, Denis DURAND",
    ]
    data = json.loads(client.get(reverse("results:json", args=[decided.pk])).content)
    assert (data["votants"], data["blancs"], data["nuls"], data["exprimes"]) == (4, 1, 0, 3)
    assert data["turnout"] == "4/5"
    assert data["lists"][1]["elected_titulaires"] == ["Ève EMERY"]
    overview = json.loads(client.get(reverse("results:overview_json")).content)
    assert overview["national"]["unions"][0] == {
        "union": "FSU",
        "votes": "2",
        "votes_rounded": "2",
        "share": "2/3",
        "share_percent": "66.67",
    }


def test_the_minutes_are_downloaded_and_recorded(
    client: Client, staff_organizer: User, decided: Scrutin
):
    client.force_login(grant_results(staff_organizer))
    response = client.get(reverse("results:minutes", args=[decided.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="proces-verbal-csa-men-'
    )
    assert AuditEntry.objects.filter(action="results.minutes").count() == 1


def test_staff_without_the_permission_are_refused(
    client: Client, staff_organizer: User, decided: Scrutin
):
    client.force_login(staff_organizer)
    for name, args in [
        ("results:index", []),
        ("results:scrutin", [decided.pk]),
        ("results:minutes", [decided.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403


def test_a_scrutin_out_of_reach_is_not_found(client: Client, staff_dijon: User, lyon, campaign):
    capa_lyon = Scrutin.objects.create(
        campaign=campaign,
        code="capa-lyon",
        name="CAPA de Lyon",
        level="academic",
        kind="CAP",
        academy=lyon,
        seats=2,
    )
    client.force_login(grant_results(staff_dijon))
    assert client.get(reverse("results:scrutin", args=[capa_lyon.pk])).status_code == 404


def test_a_scrutin_without_result_has_no_export(
    client: Client, staff_organizer: User, capa_dijon: Scrutin
):
    client.force_login(grant_results(staff_organizer))
    page = client.get(reverse("results:scrutin", args=[capa_dijon.pk]))
    assert "pas encore de résultat" in page.content.decode()
    assert client.get(reverse("results:csv", args=[capa_dijon.pk])).status_code == 404
    assert client.get(reverse("results:minutes", args=[capa_dijon.pk])).status_code == 404


def test_the_public_page_only_once_proclaimed(client: Client, decided: Scrutin):
    page = client.get(reverse("results:public_scrutin", args=[decided.code]))
    assert page.status_code == 404
    assert "pas encore proclamés" in page.content.decode()
    assert escape(decided.name) not in client.get(reverse("results:public_index")).content.decode()


def test_the_public_page_once_proclaimed(client: Client, proclaimed: Scrutin):
    decided = proclaimed
    text = client.get(reverse("results:public_index")).content.decode()
    assert escape(decided.name) in text
    page = client.get(reverse("results:public_scrutin", args=[decided.code]))
    assert page.status_code == 200
    assert "Anne ARNAUD" in page.content.decode()
    assert "proces-verbal" not in page.content.decode()
    data = json.loads(client.get(reverse("results:public_json", args=[decided.code])).content)
    assert data["exprimes"] == 3


def test_no_public_result_before_the_result(client: Client, capa_dijon: Scrutin):
    response = client.get(reverse("results:public_scrutin", args=[capa_dijon.code]))
    assert response.status_code == 404
    assert "pas encore proclamés" in response.content.decode()
    assert client.get(reverse("results:public_csv", args=[capa_dijon.code])).status_code == 404

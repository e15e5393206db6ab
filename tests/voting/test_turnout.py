"""Turnout and émargement in the back office: live figures per scrutin and per academy for those
holding "voir la participation", the émargement (and its CSV) for those holding "voir émargement",
each within their perimeter — the staff of Dijon see Dijon's electors only."""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from tests.conftest import make_elector
from tests.voting.conftest import Identifiers, SealScrutins, cast
from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.voting import turnout
from urne.voting.models import ScrutinElection
from urne.web.spreadsheet import inert_cell

pytestmark = pytest.mark.django_db


def grant(user: User, *codenames: str) -> User:
    group, _ = Group.objects.get_or_create(name="+".join(codenames))
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="voting", codename__in=codenames)
    )
    user.groups.add(group)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def voter_lyon(campaign: Campaign, lyon: Academy, csa_national: Scrutin) -> Elector:
    # A last name a spreadsheet would run as a formula.
    louise = make_elector(campaign, lyon, "Louise", '=HYPERLINK("http://x")', civilite="MME")
    RollEntry.objects.create(scrutin=csa_national, elector=louise)
    return louise


@pytest.fixture
def voter_dijon_2(campaign: Campaign, dijon: Academy, csa_national: Scrutin) -> Elector:
    dan = make_elector(campaign, dijon, "Dan", "Petit", establishment="@Collège Rameau")
    RollEntry.objects.create(scrutin=csa_national, elector=dan)
    return dan


@pytest.fixture
def capa_lyon(campaign: Campaign, lyon: Academy) -> Scrutin:
    return Scrutin.objects.create(
        campaign=campaign,
        code="capa-certifies-lyon",
        name="CAPA des professeurs certifiés de Lyon",
        level=Scrutin.Level.ACADEMIC,
        kind=Scrutin.Kind.CAP,
        academy=lyon,
        seats=8,
    )


@pytest.fixture
def voted(
    elector_bob: Elector,
    voter_lyon: Elector,
    voter_dijon_2: Elector,
    csa_national: Scrutin,
    capa_lyon: Scrutin,
    seal_scrutins: SealScrutins,
) -> tuple[ScrutinElection, Identifiers]:
    """The national CSA sealed, Bob (Dijon) and Louise (Lyon) voted, Dan (Dijon) did not."""
    identifiers = seal_scrutins(csa_national)
    election = ScrutinElection.objects.get(scrutin=csa_national)
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    cast(election, voter_lyon, identifiers.of(voter_lyon), None)
    return election, identifiers


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- Turnout -------------------------------------------------------------------------------------


def test_the_staff_of_dijon_see_the_turnout_of_dijons_electors_only(
    client: Client, staff_dijon: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    staff = grant(staff_dijon, "view_turnout")
    rows = {row.scrutin.code: row.turnout for row in turnout.turnout_by_scrutin(staff)}
    # Bob and Dan of Dijon on the national roll, Bob voted; Louise of Lyon is not theirs.
    assert rows["csa-men"] == turnout.Turnout(electors=2, voters=1)
    assert rows["csa-men"].percent == 50
    assert "capa-certifies-lyon" not in rows

    text = login(client, staff).get(reverse("voting:turnout")).content.decode()
    assert election.scrutin.name.replace("'", "&#x27;") in text
    assert "50,00 %" in text or "50.00 %" in text
    assert "Lyon" not in text


def test_the_organizer_sees_every_academy_of_a_scrutin(
    client: Client, staff_organizer: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    staff = grant(staff_organizer, "view_turnout")
    assert turnout.turnout_by_academy(staff, election.scrutin) == [
        ("Dijon", turnout.Turnout(2, 1)),
        ("Lyon", turnout.Turnout(1, 1)),
    ]
    response = login(client, staff).get(
        reverse("voting:turnout_scrutin", args=[election.scrutin.pk])
    )
    text = response.content.decode()
    assert '<th scope="row">Dijon</th>' in text and '<th scope="row">Lyon</th>' in text
    # Turnout alone: no way to the names.
    assert reverse("voting:emargement", args=[election.scrutin.pk]) not in text


def test_the_turnout_is_live(
    staff_organizer: User, voted: tuple[ScrutinElection, Identifiers], voter_dijon_2: Elector
) -> None:
    election, identifiers = voted
    staff = grant(staff_organizer, "view_turnout")
    assert turnout.scrutin_turnout(staff, election.scrutin) == turnout.Turnout(3, 2)
    cast(election, voter_dijon_2, identifiers.of(voter_dijon_2), 1)
    assert turnout.scrutin_turnout(staff, election.scrutin) == turnout.Turnout(3, 3)


def test_another_academys_scrutin_is_answered_as_if_it_did_not_exist(
    client: Client, staff_dijon: User, capa_lyon: Scrutin, voted: object
) -> None:
    staff = grant(staff_dijon, "view_turnout", "view_emargement")
    for name in ("voting:turnout_scrutin", "voting:emargement", "voting:emargement_csv"):
        response = login(client, staff).get(reverse(name, args=[capa_lyon.pk]))
        assert response.status_code == 404, name


def test_turnout_needs_its_permission(
    client: Client, staff_organizer: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    login(client, staff_organizer)
    assert client.get(reverse("voting:turnout")).status_code == 403
    url = reverse("voting:turnout_scrutin", args=[election.scrutin.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert "voir la participation" in response.content.decode()


def test_visitors_and_electors_are_sent_to_the_login_page(
    client: Client, voter_bob: User, voted: object
) -> None:
    response = client.get(reverse("voting:turnout"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    login(client, voter_bob)
    assert client.get(reverse("voting:turnout")).status_code == 403  # not staff


def test_observers_see_turnout_but_not_the_emargement(
    client: Client, staff_organizer: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    staff_organizer.groups.add(Group.objects.get(name=turnout.OBSERVERS_GROUP))
    login(client, staff_organizer)
    assert client.get(reverse("voting:turnout")).status_code == 200
    scrutin = election.scrutin.pk
    assert client.get(reverse("voting:turnout_scrutin", args=[scrutin])).status_code == 200
    assert client.get(reverse("voting:emargement", args=[scrutin])).status_code == 403
    assert client.get(reverse("voting:emargement_csv", args=[scrutin])).status_code == 403


# --- Émargement ----------------------------------------------------------------------------------


def test_the_emargement_of_dijon_names_dijons_voters_only(
    client: Client, staff_dijon: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    staff = grant(staff_dijon, "view_emargement")
    text = (
        login(client, staff)
        .get(reverse("voting:emargement", args=[election.scrutin.pk]))
        .content.decode()
    )
    assert '<th scope="row">MARTIN</th>' in text
    assert "Lycée Carnot, Dijon" in text
    assert "Louise" not in text  # of Lyon
    assert "PETIT" not in text  # did not vote


def test_the_csv_opens_in_french_excel_and_runs_no_formula(
    client: Client, staff_organizer: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    staff = grant(staff_organizer, "view_emargement")
    response = login(client, staff).get(
        reverse("voting:emargement_csv", args=[election.scrutin.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="emargement-csa-men-')
    raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["Nom", "Prénom", "Établissement", "Académie", "A voté le"]
    # In the order of the votes, to the second (then by name): the two voted in the same second
    # or one after the other.
    assert sorted(line[:4] for line in lines[1:]) == [
        ['\'=HYPERLINK("HTTP://X")', "Louise", "Lycée Carnot, Lyon", "Lyon"],
        ["MARTIN", "Bob", "Lycée Carnot, Dijon", "Dijon"],
    ]
    assert raw.endswith(b"\r\n")


@pytest.mark.parametrize(
    ("cell", "inert"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6", "'+33 6"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Lycée = Carnot", "Lycée = Carnot"),
        ("", ""),
    ],
)
def test_cells_that_start_like_a_formula_are_made_text(cell: str, inert: str) -> None:
    assert inert_cell(cell) == inert


def test_an_establishment_starting_with_at_is_escaped_in_the_csv(
    voted: tuple[ScrutinElection, Identifiers], voter_dijon_2: Elector, staff_organizer: User
) -> None:
    election, identifiers = voted
    cast(election, voter_dijon_2, identifiers.of(voter_dijon_2), 2)
    staff = grant(staff_organizer, "view_emargement")
    text = "".join(turnout.emargement_csv(turnout.emargement_rows(staff, election.scrutin)))
    assert ";'@Collège Rameau;" in text


def test_staff_who_may_read_only_the_emargement_find_it_without_figures(
    client: Client, staff_dijon: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    staff = grant(staff_dijon, "view_emargement")
    text = login(client, staff).get(reverse("voting:turnout")).content.decode()
    assert reverse("voting:emargement", args=[election.scrutin.pk]) in text
    assert "Votants" not in text
    url = reverse("voting:turnout_scrutin", args=[election.scrutin.pk])
    assert client.get(url).status_code == 403


def test_the_back_office_index_leads_to_turnout(
    client: Client, staff_dijon: User, voted: object
) -> None:
    staff = grant(staff_dijon, "view_turnout")
    text = login(client, staff).get(reverse("backoffice:home")).content.decode()
    assert reverse("voting:turnout") in text
    page = client.get(reverse("voting:turnout")).content.decode()
    assert 'href="/gestion/participation/" aria-current="page"' in page  # the portal's frame


def test_the_emargement_needs_its_permission(
    client: Client, staff_dijon: User, voted: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = voted
    staff = grant(staff_dijon, "view_turnout")
    login(client, staff)
    response = client.get(reverse("voting:emargement", args=[election.scrutin.pk]))
    assert response.status_code == 403
    assert "liste d'émargement" in html.unescape(response.content.decode())

"""The scrutins' elections in the back office: read-only, where each stands, two actions, each
staff member within their perimeter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.conftest import make_campaign, reschedule
from tests.voting.conftest import Identifiers, add_lists, give_credentials
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.voting import setup
from urne.voting.models import Ballot, PublicCredential, ScrutinElection

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = [pytest.mark.django_db, pytest.mark.urls(SCOPED_ADMIN_URLS)]

CHANGELIST = "admin:voting_scrutinelection_changelist"
PREPARE = "admin:voting_scrutinelection_prepare"


@pytest.fixture
def before_the_vote(campaign: Campaign) -> Campaign:
    reschedule(campaign, vote_opens_at=timezone.now() + timedelta(days=1))
    return campaign


def allow(user: User) -> User:
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_scrutinelection", "change_scrutinelection"])
    )
    return user


def logged_in(client: Client, user: User) -> Client:
    client.force_login(allow(user))
    return client


def ready(scrutin: Scrutin, trustees_text: str) -> ScrutinElection:
    """Lists, trustees and credentials: everything but the seal."""
    add_lists(scrutin)
    setup.do_set_trustees(scrutin, trustees_text)
    election = ScrutinElection.objects.get(scrutin=scrutin)
    give_credentials(election, Identifiers())
    return election


def test_the_organizer_prepares_the_elections_of_the_campaign(
    client: Client,
    before_the_vote: Campaign,
    staff_organizer: User,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
) -> None:
    logged_in(client, staff_organizer)
    page = client.get(reverse(CHANGELIST))
    assert "Préparer les élections" in page.content.decode()
    form = client.get(reverse(PREPARE))
    assert before_the_vote.name in form.content.decode()
    response = client.post(reverse(PREPARE), {"campaign": before_the_vote.pk}, follow=True)
    assert "2 élection(s) préparée(s)" in response.content.decode()
    assert ScrutinElection.objects.filter(scrutin__campaign=before_the_vote).count() == 2


def test_the_list_says_what_each_election_lacks(
    client: Client,
    before_the_vote: Campaign,
    staff_organizer: User,
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    trustees_text: str,
) -> None:
    setup.do_prepare_elections(before_the_vote)
    ready(csa_national, trustees_text)
    logged_in(client, staff_organizer)
    text = client.get(reverse(CHANGELIST)).content.decode()
    assert "prête" in text
    assert "il manque : les clés publiques des autorités de déchiffrement" in text
    assert "1 / 1" in text  # the national scrutin: Bob's credential, Bob on its roll
    assert "0 / 1" in text


def test_sealing_seals_what_is_ready_and_says_what_the_others_lack(
    client: Client,
    before_the_vote: Campaign,
    staff_organizer: User,
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    trustees_text: str,
) -> None:
    setup.do_prepare_elections(before_the_vote)
    national = ready(csa_national, trustees_text)
    capa = ScrutinElection.objects.get(scrutin=capa_dijon)
    logged_in(client, staff_organizer)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "seal", "_selected_action": [national.pk, capa.pk]},
        follow=True,
    )
    text = response.content.decode()
    national.refresh_from_db()
    capa.refresh_from_db()
    assert national.is_sealed
    assert f"élection scellée (empreinte {national.fingerprint})" in text
    assert not capa.is_sealed
    assert "ne peut pas être scellée" in text


def test_an_election_is_never_edited_added_or_deleted_through_the_back_office(
    client: Client, before_the_vote: Campaign, staff_organizer: User, csa_national: Scrutin
) -> None:
    (election,) = setup.do_prepare_elections(before_the_vote)
    logged_in(client, staff_organizer)
    url = reverse("admin:voting_scrutinelection_change", args=[election.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"uuid": "x" * 22}).status_code == 403
    election.refresh_from_db()
    assert election.uuid != "x" * 22
    assert client.get(reverse("admin:voting_scrutinelection_add")).status_code == 403
    delete = reverse("admin:voting_scrutinelection_delete", args=[election.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ScrutinElection.objects.filter(pk=election.pk).exists()


def test_the_staff_of_an_academy_seal_only_their_academys_scrutins(
    client: Client,
    before_the_vote: Campaign,
    staff_dijon: User,
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    trustees_text: str,
) -> None:
    setup.do_prepare_elections(before_the_vote)
    national = ready(csa_national, trustees_text)
    capa = ready(capa_dijon, trustees_text)
    logged_in(client, staff_dijon)
    # They read the national scrutin's election (shared with every academy)...
    listed = client.get(reverse(CHANGELIST)).context["cl"].result_list
    assert {election.pk for election in listed} == {national.pk, capa.pk}
    # ...but do not seal it: the whole action is refused, nothing is sealed.
    response = client.post(
        reverse(CHANGELIST), {"action": "seal", "_selected_action": [national.pk, capa.pk]}
    )
    assert response.status_code == 403
    assert not ScrutinElection.objects.filter(sealed_at__isnull=False).exists()
    client.post(reverse(CHANGELIST), {"action": "seal", "_selected_action": [capa.pk]})
    capa.refresh_from_db()
    assert capa.is_sealed


def test_the_staff_of_an_academy_do_not_prepare_a_campaigns_elections(
    client: Client, before_the_vote: Campaign, staff_dijon: User, csa_national: Scrutin
) -> None:
    logged_in(client, staff_dijon)
    assert "Aucune campagne" in client.get(reverse(PREPARE)).content.decode()
    client.post(reverse(PREPARE), {"campaign": before_the_vote.pk})
    assert not ScrutinElection.objects.exists()


def test_staff_without_the_change_permission_neither_prepare_nor_seal(
    client: Client, before_the_vote: Campaign, staff_organizer: User, csa_national: Scrutin
) -> None:
    staff_organizer.user_permissions.add(Permission.objects.get(codename="view_scrutinelection"))
    client.force_login(staff_organizer)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    assert client.get(reverse(PREPARE)).status_code == 403


def test_another_campaigns_elections_are_out_of_reach(
    client: Client, before_the_vote: Campaign, staff_organizer: User
) -> None:
    other = make_campaign(name="Autre campagne", vote_opens_at=timezone.now() + timedelta(1))
    Scrutin.objects.create(
        campaign=other,
        code="csa-autre",
        name="CSA",
        level=Scrutin.Level.NATIONAL,
        kind=Scrutin.Kind.CSA,
        seats=3,
    )
    (theirs,) = setup.do_prepare_elections(other)
    logged_in(client, staff_organizer)
    assert client.get(reverse(CHANGELIST)).context["cl"].result_list.count() == 0
    page = reverse("admin:voting_scrutinelection_change", args=[theirs.pk])
    assert client.get(page).status_code in (302, 404)
    assert client.post(reverse(PREPARE), {"campaign": other.pk}).status_code == 200
    assert ScrutinElection.objects.filter(scrutin__campaign=other).count() == 1


def test_ballots_and_credentials_are_not_in_the_back_office() -> None:
    for model in (Ballot, PublicCredential):
        assert model not in admin.site._registry

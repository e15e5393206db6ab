"""/gestion/supervision/: the live figures for the organizers and the operators, readable
without JavaScript, refreshed by a script of our static files."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.voting.casting import ballot_text, election_of
from tests.voting.conftest import Identifiers
from urne.accounts.models import User
from urne.campaign.apps import ORGANIZERS_GROUP
from urne.campaign.models import Scrutin
from urne.operations.apps import OPERATORS_GROUP
from urne.voting.turnout import OBSERVERS_GROUP

pytestmark = pytest.mark.django_db

PAGE = reverse("operations:supervision")
DATA = reverse("operations:supervision_data")


@pytest.fixture
def operator(staff_organizer: User) -> User:
    """An operator whose perimeter is the whole campaign."""
    staff_organizer.groups.add(Group.objects.get(name=OPERATORS_GROUP))
    return staff_organizer


def test_the_roles_operators_and_organizers_hold_it_observers_do_not() -> None:
    def holds(group: str) -> bool:
        return (
            Group.objects.get(name=group)
            .permissions.filter(codename="view_supervision", content_type__app_label="operations")
            .exists()
        )

    assert holds(OPERATORS_GROUP)
    assert holds(ORGANIZERS_GROUP)
    assert not holds(OBSERVERS_GROUP)
    assert list(
        Group.objects.get(name=OPERATORS_GROUP).permissions.values_list("codename", flat=True)
    ) == ["view_supervision"]


def test_staff_without_the_permission_are_refused(client: Client, staff_dijon: User) -> None:
    client.force_login(staff_dijon)

    assert client.get(PAGE).status_code == 403
    assert client.get(DATA).status_code == 403


def test_an_operator_of_one_academy_is_refused_the_platforms_figures(
    client: Client, staff_dijon: User
) -> None:
    staff_dijon.groups.add(Group.objects.get(name=OPERATORS_GROUP))
    client.force_login(staff_dijon)

    response = client.get(PAGE)

    assert response.status_code == 403
    assert "une campagne entière" in response.content.decode()
    assert client.get(DATA).status_code == 403


def test_a_voter_never_sees_it(client: Client, voter_bob: User) -> None:
    client.force_login(voter_bob)

    assert client.get(PAGE).status_code == 403


def test_a_visitor_is_sent_to_the_login(client: Client, db: None) -> None:
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_operator_reads_the_figures_without_javascript(
    client: Client,
    operator: User,
    voter_bob: User,
    csa_national: Scrutin,
    identifiers: Identifiers,
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert voter_bob.elector is not None
    voter = Client()
    voter.force_login(voter_bob)
    url = reverse("voting:api_cast", args=[election_of(csa_national).uuid])
    ballot = ballot_text(csa_national, identifiers.of(voter_bob.elector))
    with django_capture_on_commit_callbacks(execute=True):
        voter.post(url, {"ballot": ballot, "submission": "s" * 20}, content_type="application/json")
    voter.post(url, {"ballot": ballot, "submission": "t" * 20}, content_type="application/json")

    client.force_login(operator)
    response = client.get(PAGE)
    page = response.content.decode()

    assert response.status_code == 200
    assert '<dd data-figure="ballots_in_box">1</dd>' in page
    assert '<dd data-figure="ballots_last_minute">1</dd>' in page
    assert "<code>already_voted</code>" in page
    assert "Tous les composants répondent." in page
    assert "<code>database</code>" in page
    assert 'src="/static/urne/operations/supervision.js"' in page
    assert "<script>" not in page
    assert "Supervision" in client.get(reverse("backoffice:home")).content.decode()


def test_the_figures_as_json(client: Client, operator: User) -> None:
    client.force_login(operator)
    body = client.get(DATA).json()

    assert body["ok"] is True
    assert {c["name"] for c in body["health"]} == {"database", "cache", "broker", "disk"}
    assert body["ballots_in_box"] == 0
    assert body["mailings"] == {"sent": 0, "failed": 0}

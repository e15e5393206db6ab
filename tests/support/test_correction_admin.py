"""Staff answer profile correction requests in the back office: accept, refuse, say why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.campaign.conftest import text
from tests.conftest import paris
from urne.accounts.models import User
from urne.campaign import services
from urne.campaign.models import Elector, ProfileCorrectionRequest

CHANGELIST = reverse("admin:campaign_profilecorrectionrequest_changelist")


@pytest.fixture
def staff(client: Client, staff_dijon: User) -> Client:
    staff_dijon.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_profilecorrectionrequest", "change_profilecorrectionrequest"]
        )
    )
    client.force_login(staff_dijon)
    return client


def ask(elector: Elector, field: str = "grade") -> ProfileCorrectionRequest:
    return ProfileCorrectionRequest.objects.create(
        elector=elector, field=field, correction="Hors classe", created_at=timezone.now()
    )


def test_staff_see_the_requests_and_filter_them_by_status(staff: Client, elector_bob: Elector):
    ask(elector_bob)

    response = staff.get(CHANGELIST, {"status__exact": "submitted"})

    assert response.status_code == 200
    page = text(response)
    assert "Hors classe" in page
    assert "M. Bob MARTIN" in page
    assert "?status__exact=accepted" in page  # the status filter is offered


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("accept", ProfileCorrectionRequest.Status.ACCEPTED),
        ("refuse", ProfileCorrectionRequest.Status.REFUSED),
    ],
)
def test_an_action_answers_the_selected_requests(
    staff: Client,
    staff_dijon: User,
    elector_bob: Elector,
    travel: Callable[[datetime], None],
    action: str,
    status: str,
):
    request = ask(elector_bob)
    travel(paris(2014, 11, 3, 15))

    staff.post(CHANGELIST, {"action": action, "_selected_action": [request.pk]})

    request.refresh_from_db()
    assert request.status == status
    assert request.answered_by == staff_dijon
    assert request.answered_at == paris(2014, 11, 3, 15)


def test_an_action_leaves_already_answered_requests_alone(
    staff: Client, staff_dijon: User, elector_bob: Elector
):
    request = ask(elector_bob)
    services.do_answer_corrections(
        ProfileCorrectionRequest.objects.all(), ProfileCorrectionRequest.Status.REFUSED, staff_dijon
    )

    response = staff.post(
        CHANGELIST, {"action": "accept", "_selected_action": [request.pk]}, follow=True
    )

    request.refresh_from_db()
    assert request.status == ProfileCorrectionRequest.Status.REFUSED
    assert "Aucune demande n'a changé" in text(response)


def test_staff_write_an_answer_the_elector_then_reads(
    staff: Client, staff_dijon: User, elector_bob: Elector, voter_bob: User
):
    request = ask(elector_bob)
    url = reverse("admin:campaign_profilecorrectionrequest_change", args=[request.pk])

    staff.post(url, {"status": "accepted", "staff_answer": "Corrigé dans la base académique."})

    request.refresh_from_db()
    assert request.status == ProfileCorrectionRequest.Status.ACCEPTED
    assert request.answered_by == staff_dijon
    assert request.answered_at is not None
    elector_view = Client()
    elector_view.force_login(voter_bob)
    page = text(elector_view.get(reverse("campaign:profile")))
    assert "Acceptée" in page
    assert "Corrigé dans la base académique." in page


def test_staff_cannot_change_what_the_elector_asked(staff: Client, elector_bob: Elector):
    request = ask(elector_bob)
    url = reverse("admin:campaign_profilecorrectionrequest_change", args=[request.pk])

    staff.post(url, {"status": "submitted", "correction": "Autre chose", "field": "corps"})

    request.refresh_from_db()
    assert request.correction == "Hors classe"
    assert request.field == "grade"


def test_requests_cannot_be_created_in_the_back_office(staff: Client, elector_bob: Elector):
    response = staff.get(reverse("admin:campaign_profilecorrectionrequest_add"))

    assert response.status_code == 403


def test_the_service_refuses_an_answer_that_is_not_one(staff_dijon: User, elector_bob: Elector):
    ask(elector_bob)

    with pytest.raises(ValueError, match="not an answer"):
        services.do_answer_corrections(
            ProfileCorrectionRequest.objects.all(),
            ProfileCorrectionRequest.Status.SUBMITTED,
            staff_dijon,
        )

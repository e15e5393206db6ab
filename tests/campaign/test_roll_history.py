"""The history of the published rolls: every change after the publication — a correction
accepted, an edit in the back office, an import — is written with who, when, why and what, and
read by the staff of its perimeter; nothing before the publication; nothing changes once the
vote opens."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.campaign.conftest import csv_text, text
from tests.conftest import PASSWORD, paris
from urne.accounts.models import User
from urne.backoffice.models import StaffScope
from urne.campaign import corrections
from urne.campaign.imports import do_import_electors
from urne.campaign.models import (
    Academy,
    Campaign,
    Elector,
    ProfileCorrectionRequest,
    RollChange,
    RollEntry,
    Scrutin,
)

HISTORY = reverse("admin:campaign_rollchange_changelist")
# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = [pytest.mark.usefixtures("calendar_2014"), pytest.mark.urls(SCOPED_ADMIN_URLS)]


@pytest.fixture(autouse=True)
def _rolls_published(calendar_2014: Campaign, travel: Callable[[datetime], None]) -> None:
    travel(paris(2014, 10, 20, 9))  # published on 15 October, the vote on 27 November


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def answerer(user: User) -> User:
    """`user` with the right to answer profile correction requests."""
    return grant(user, "change_profilecorrectionrequest")


def elector_form(elector: Elector, **changes: str) -> dict[str, Any]:
    return {
        "campaign": elector.campaign_id,
        "civilite": elector.civilite,
        "first_name": elector.first_name,
        "last_name": elector.last_name,
        "email": elector.email,
        "academy": elector.academy_id,
        "corps": elector.corps,
        "grade": elector.grade,
        "establishment": elector.establishment,
        "roll_entries-TOTAL_FORMS": "0",
        "roll_entries-INITIAL_FORMS": "0",
        **changes,
    }


@pytest.fixture
def dijon_staff(client: Client, staff_dijon: User) -> Client:
    grant(staff_dijon, "view_elector", "change_elector", "view_rollchange")
    client.force_login(staff_dijon)
    return client


def test_an_edit_after_the_publication_is_recorded_with_who_when_why(
    dijon_staff: Client,
    staff_dijon: User,
    elector_bob: Elector,
    travel: Callable[[datetime], None],
):
    travel(paris(2014, 10, 20, 9, 30))
    url = reverse("admin:campaign_elector_change", args=[elector_bob.pk])

    response = dijon_staff.post(
        url, elector_form(elector_bob, grade="Hors classe", reason="Arrêté du 1er octobre.")
    )

    assert response.status_code == 302
    change = RollChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == (
        "grade",
        "Classe normale",
        "Hors classe",
    )
    assert (change.actor, change.actor_label) == (staff_dijon, "gestion@ac-dijon.fr")
    assert change.at == paris(2014, 10, 20, 9, 30)
    assert change.reason == "Arrêté du 1er octobre."
    assert change.source == RollChange.Source.BACK_OFFICE
    page = text(dijon_staff.get(HISTORY))
    assert "Arrêté du 1er octobre." in page
    assert "Classe normale" in page and "Hors classe" in page


def test_an_edit_after_the_publication_must_say_why(dijon_staff: Client, elector_bob: Elector):
    url = reverse("admin:campaign_elector_change", args=[elector_bob.pk])

    response = dijon_staff.post(url, elector_form(elector_bob, grade="Hors classe"))

    assert response.status_code == 200
    assert "indiquez le motif de la modification" in text(response)
    elector_bob.refresh_from_db()
    assert elector_bob.grade == "Classe normale"
    assert not RollChange.objects.exists()


def test_nothing_is_recorded_before_the_publication(
    dijon_staff: Client, elector_bob: Elector, travel: Callable[[datetime], None]
):
    travel(paris(2014, 10, 1))  # rolls published on 15 October
    url = reverse("admin:campaign_elector_change", args=[elector_bob.pk])

    response = dijon_staff.post(url, elector_form(elector_bob, grade="Hors classe"))

    assert response.status_code == 302
    assert not RollChange.objects.exists()


def test_a_roll_entry_removed_in_the_back_office_is_recorded(
    client: Client, elector_bob: Elector, capa_dijon: Scrutin
):
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))
    entry = RollEntry.objects.get(elector=elector_bob, scrutin=capa_dijon)

    client.post(reverse("admin:campaign_rollentry_delete", args=[entry.pk]), {"post": "yes"})

    change = RollChange.objects.get()
    assert (change.kind, change.scrutin, change.elector) == ("removed", capa_dijon, elector_bob)


def test_an_accepted_correction_is_recorded_with_its_request(
    staff_dijon: User, elector_bob: Elector
):
    request = ProfileCorrectionRequest.objects.create(
        elector=elector_bob,
        field="last_name",
        correction="Martin-Lefort",
        created_at=timezone.now(),
    )

    corrections.do_accept_correction(answerer(staff_dijon), request, answer="Mariage.")

    change = RollChange.objects.get()
    assert change.correction == request
    assert (change.old_value, change.new_value) == ("Martin", "Martin-Lefort")
    assert change.reason == f"Demande de mise à jour n° {request.pk} acceptée : Mariage."


def test_an_import_is_recorded_with_its_counts(
    campaign: Campaign, dijon: Academy, csa_national: Scrutin, staff_organizer: User
):
    line = (
        "Mme;Alice;Durand;alice.durand@ac-dijon.fr;Professeur des écoles;;École, Beaune;"
        "dijon;csa-men"
    )
    do_import_electors(campaign, io.BytesIO(csv_text(line).encode()), actor=staff_organizer)

    change = RollChange.objects.get()
    assert change.source == RollChange.Source.IMPORT
    assert change.details["created"] == 1 and change.details["roll_added"] == 1
    assert change.actor_label == "organisation@education.gouv.fr"
    assert change.academy is None  # the whole campaign: its staff read it


def test_staff_read_the_history_of_their_perimeter_only(
    elector_bob: Elector, outsider_charlie: User, lyon: Academy, staff_organizer: User
):
    charlie = outsider_charlie.elector
    assert charlie is not None
    for elector, grade in ((elector_bob, "Hors classe"), (charlie, "Classe exceptionnelle")):
        request = ProfileCorrectionRequest.objects.create(
            elector=elector, field="grade", correction=grade, created_at=timezone.now()
        )
        corrections.do_accept_correction(answerer(staff_organizer), request)
    staff_lyon = User.objects.create_user(
        "gestion@ac-lyon.fr", PASSWORD, is_staff=True, is_active=True
    )
    StaffScope.objects.create(user=staff_lyon, academy=lyon)
    lyon_staff = Client()
    lyon_staff.force_login(grant(staff_lyon, "view_rollchange"))
    bob_change = RollChange.objects.get(elector=elector_bob)

    listing = text(lyon_staff.get(HISTORY))
    by_address = lyon_staff.get(reverse("admin:campaign_rollchange_change", args=[bob_change.pk]))

    assert "Classe exceptionnelle" in listing
    assert "M. Bob MARTIN" not in listing
    assert by_address.status_code == 302  # as if it did not exist
    organizer = Client()
    organizer.force_login(grant(staff_organizer, "view_rollchange"))
    assert "M. Bob MARTIN" in text(organizer.get(HISTORY))


def test_the_history_of_one_roll(
    client: Client, elector_bob: Elector, staff_organizer: User, capa_dijon: Scrutin
):
    request = ProfileCorrectionRequest.objects.create(
        elector=elector_bob, field="grade", correction="Hors classe", created_at=timezone.now()
    )
    corrections.do_accept_correction(answerer(staff_organizer), request)
    client.force_login(grant(staff_organizer, "view_rollchange"))

    page = text(client.get(HISTORY, {"scrutin": capa_dijon.pk}))

    assert "Hors classe" in page  # Bob is on the CAPA's roll


def test_the_history_is_only_read(client: Client, elector_bob: Elector):
    client.force_login(User.objects.create_superuser("gestion@urne.example", PASSWORD))

    assert client.get(reverse("admin:campaign_rollchange_add")).status_code == 403


def test_once_the_vote_opens_neither_the_elector_nor_the_roll_changes(
    dijon_staff: Client,
    staff_dijon: User,
    elector_bob: Elector,
    travel: Callable[[datetime], None],
):
    request = ProfileCorrectionRequest.objects.create(
        elector=elector_bob, field="grade", correction="Hors classe", created_at=timezone.now()
    )
    travel(paris(2014, 11, 27, 10))
    url = reverse("admin:campaign_elector_change", args=[elector_bob.pk])

    edited = dijon_staff.post(url, elector_form(elector_bob, grade="Hors classe", reason="x"))
    with pytest.raises(corrections.CorrectionNotAnswerable.__mro__[1]):  # VisitorError
        corrections.do_accept_correction(answerer(staff_dijon), request)

    assert edited.status_code == 403
    elector_bob.refresh_from_db()
    assert elector_bob.grade == "Classe normale"
    assert not RollChange.objects.exists()

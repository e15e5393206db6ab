"""What staff do is recorded — who, when, what, from where — by the back office, the correction
queue, the imports, the invitations and the staff login, and nothing of what voters do."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.campaign.conftest import ALICE, csv_text, importable_campaign
from tests.conftest import PASSWORD, paris, reschedule
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.campaign.imports import ElectorImportRejected, do_import_electors
from urne.campaign.models import Campaign, Elector, ProfileCorrectionRequest
from urne.support.models import FaqEntry

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = pytest.mark.urls(SCOPED_ADMIN_URLS)

LOGIN = reverse("accounts:login")

__all__ = ["importable_campaign"]


def grant(user: User, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))


def test_a_change_in_the_back_office_is_recorded_with_who_and_where(
    client: Client, staff_dijon: User, elector_bob: Elector, travel: Callable[[datetime], None]
) -> None:
    grant(staff_dijon, "view_elector", "change_elector")
    client.force_login(staff_dijon)
    travel(paris(2014, 10, 20, 9, 30))
    url = reverse("admin:campaign_elector_change", args=[elector_bob.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "grade": "Hors classe",
            "roll_entries-TOTAL_FORMS": "0",
            "roll_entries-INITIAL_FORMS": "0",
        }
    )

    response = client.post(url, data, REMOTE_ADDR="198.51.100.7")

    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert entry.action == "admin.change"
    assert entry.actor_id == staff_dijon.pk
    assert entry.actor_label == "gestion@ac-dijon.fr"
    assert entry.actor_role == "Académie : Dijon"
    assert entry.at == paris(2014, 10, 20, 9, 30)
    assert entry.source == "198.51.100.7"
    assert (entry.object_type, entry.object_id) == ("campaign.elector", str(elector_bob.pk))
    assert entry.object_repr == str(elector_bob)
    assert (entry.campaign_id, entry.academy_id) == (
        elector_bob.campaign_id,
        elector_bob.academy_id,
    )
    assert entry.details == {"changes": [{"changed": {"fields": ["Grade"]}}]}
    assert "Hors classe" not in str(entry.details)  # names of fields, never their values


def test_a_deletion_in_the_back_office_is_recorded_before_the_row_goes(
    client: Client, staff_organizer: User, campaign: Campaign
) -> None:
    entry_faq = FaqEntry.objects.create(campaign=campaign, question="Quand voter ?", answer="…")
    grant(staff_organizer, "view_faqentry", "delete_faqentry")
    client.force_login(staff_organizer)

    client.post(reverse("admin:support_faqentry_delete", args=[entry_faq.pk]), {"post": "yes"})

    assert not FaqEntry.objects.exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_repr) == ("admin.delete", "Quand voter ?")
    assert (entry.object_type, entry.object_id) == ("support.faqentry", str(entry_faq.pk))
    assert entry.campaign_id == campaign.pk
    assert entry.actor_role == f"Campagne : {campaign}"


def test_answering_corrections_records_each_request_and_no_generic_action(
    client: Client, staff_dijon: User, elector_bob: Elector, campaign: Campaign
) -> None:
    reschedule(campaign, vote_opens_at=timezone.now() + timedelta(days=7))  # rolls not sealed
    grant(staff_dijon, "view_profilecorrectionrequest", "change_profilecorrectionrequest")
    client.force_login(staff_dijon)
    asked = [
        ProfileCorrectionRequest.objects.create(
            elector=elector_bob, field=field, correction="Hors classe", created_at=timezone.now()
        )
        for field in ["grade", "corps"]
    ]

    client.post(
        reverse("admin:campaign_profilecorrectionrequest_changelist"),
        {"action": "accept", "_selected_action": [request.pk for request in asked]},
    )

    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [entry.action for entry in entries] == ["correction.accept", "correction.accept"]
    assert sorted(entry.details["field"] for entry in entries) == ["corps", "grade"]
    assert {entry.academy_id for entry in entries} == {elector_bob.academy_id}
    assert all(entry.source == "127.0.0.1" for entry in entries)  # from the request served

    client.post(
        reverse("admin:campaign_profilecorrectionrequest_changelist"),
        {"action": "accept", "_selected_action": [asked[0].pk]},
    )
    assert actions() == ["correction.accept", "correction.accept", "admin.action"]  # no change


def test_staff_logins_and_failed_ones_are_recorded_without_the_password(
    client: Client, staff_dijon: User
) -> None:
    client.post(LOGIN, {"email": "gestion@ac-dijon.fr", "password": "pas-le-bon"})
    client.post(LOGIN, {"email": "gestion@ac-dijon.fr", "password": PASSWORD})

    assert actions() == ["staff.login_failed", "staff.login"]
    for entry in AuditEntry.objects.all():
        assert entry.actor_label == "gestion@ac-dijon.fr"
        assert entry.source == "127.0.0.1"
        assert entry.academy_id == staff_dijon.staff_scopes.get().academy_id
        assert "pas-le-bon" not in entry.canonical().decode()
        assert PASSWORD not in entry.canonical().decode()


def test_voters_logging_in_are_not_in_the_staff_audit_log(client: Client, voter_bob: User) -> None:
    client.post(LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": "pas-le-bon"})
    client.post(LOGIN, {"email": "bob.martin@ac-dijon.fr", "password": PASSWORD})

    assert not AuditEntry.objects.exists()


def test_a_staff_password_reset_is_recorded(staff_dijon: User) -> None:
    from urne.accounts.services import do_set_password

    do_set_password(staff_dijon, "Printemps2014z")

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_label) == ("staff.password_reset", "gestion@ac-dijon.fr")


def test_an_import_records_its_start_and_its_outcome(
    importable_campaign: Campaign, staff_organizer: User, csa_national: object, dijon: object
) -> None:
    campaign = importable_campaign
    do_import_electors(campaign, io.BytesIO(csv_text(ALICE).encode()), actor=staff_organizer)
    with pytest.raises(ElectorImportRejected):
        do_import_electors(campaign, io.BytesIO(csv_text("M;;;pas-une-adresse;;;;;").encode()))

    entries = list(AuditEntry.objects.order_by("sequence"))
    assert [entry.action for entry in entries] == ["import.start", "import.finish"] * 2
    assert entries[0].actor_label == "organisation@education.gouv.fr"
    assert entries[1].details["outcome"] == "done"
    assert entries[1].details["created"] == 1
    assert entries[2].actor_label.startswith("système")  # the command line
    assert entries[3].details["outcome"] == "rejected"
    assert entries[3].details["errors"] >= 1
    assert {entry.campaign_id for entry in entries} == {campaign.pk}

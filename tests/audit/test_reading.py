"""Organizers read, filter and export the log; academy staff only what is about their academy;
nobody changes it in the back office."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.audit.services import record
from urne.campaign.models import Academy, Campaign, Elector

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = pytest.mark.urls(SCOPED_ADMIN_URLS)

CHANGELIST = reverse("admin:audit_auditentry_changelist")
EXPORT = reverse("admin:audit_auditentry_export")


@pytest.fixture
def log(
    staff_dijon: User,
    staff_organizer: User,
    elector_bob: Elector,
    outsider_charlie: User,
    campaign: Campaign,
) -> dict[str, AuditEntry]:
    """An entry about Dijon's elector, one about Lyon's, one about the campaign, one about no
    campaign (a superuser's change of rights)."""
    for user in (staff_dijon, staff_organizer):
        user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    charlie = outsider_charlie.elector
    assert charlie is not None
    return {
        "dijon": record(staff_dijon, "admin.change", elector_bob, changes=["grade"]),
        "lyon": record(staff_organizer, "admin.change", charlie, changes=["=HYPERLINK(1)"]),
        "campaign": record(staff_organizer, "admin.change", campaign),
        "nowhere": record(None, "admin.change", description="Groupe « organisateurs »"),
    }


def shown(client: Client, user: User, **query: str) -> set[int]:
    client.force_login(user)
    response = client.get(CHANGELIST, query)
    assert response.status_code == 200
    return {entry.pk for entry in response.context["cl"].result_list}


def exported(client: Client, user: User, **query: str) -> list[list[str]]:
    client.force_login(user)
    response = client.get(EXPORT, query)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_an_organizer_reads_the_whole_campaign_but_not_what_is_about_no_campaign(
    client: Client, staff_organizer: User, log: dict[str, AuditEntry]
) -> None:
    assert shown(client, staff_organizer) == {log[k].pk for k in ("dijon", "lyon", "campaign")}


def test_academy_staff_read_only_the_entries_about_their_academy(
    client: Client, staff_dijon: User, log: dict[str, AuditEntry]
) -> None:
    assert shown(client, staff_dijon) == {log["dijon"].pk}
    client.force_login(staff_dijon)
    url = reverse("admin:audit_auditentry_change", args=[log["lyon"].pk])
    assert client.get(url).status_code == 302  # Django's "does not exist" redirect


def test_a_superuser_reads_everything(client: Client, log: dict[str, AuditEntry]) -> None:
    admin = User.objects.create_superuser("admin@education.gouv.fr", "Bonjour2014x")

    assert shown(client, admin) == {entry.pk for entry in log.values()}


def test_staff_without_the_view_permission_read_nothing(
    client: Client, staff_organizer: User, log: dict[str, AuditEntry]
) -> None:
    staff_organizer.user_permissions.clear()
    client.force_login(staff_organizer)

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_list_filters_by_action_actor_object_and_dates(
    client: Client, staff_organizer: User, log: dict[str, AuditEntry], elector_bob: Elector
) -> None:
    dijon = log["dijon"]
    assert shown(client, staff_organizer, q="gestion@ac-dijon.fr") == {dijon.pk}
    assert shown(client, staff_organizer, actor_id=str(dijon.actor_id)) == {dijon.pk}
    assert shown(
        client, staff_organizer, object_type="campaign.elector", object_id=str(elector_bob.pk)
    ) == {dijon.pk}
    assert shown(client, staff_organizer, action="import.start") == set()
    day = dijon.at.date()
    assert len(shown(client, staff_organizer, at__gte=str(day))) == 3
    assert shown(client, staff_organizer, at__lt=str(day)) == set()


def test_the_export_is_the_filtered_list_with_formulas_made_harmless(
    client: Client, staff_organizer: User, log: dict[str, AuditEntry]
) -> None:
    rows = exported(client, staff_organizer, object_type="campaign.elector")

    assert rows[0][:3] == ["n°", "date (UTC)", "auteur"]
    assert [row[0] for row in rows[1:]] == [str(log["dijon"].sequence), str(log["lyon"].sequence)]
    details = rows[2][12]
    assert details == '{"changes": ["=HYPERLINK(1)"]}'  # inside JSON: not a formula
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    last = AuditEntry.objects.order_by("-sequence").first()
    assert last is not None
    assert (last.action, last.actor_label) == ("audit.export", staff_organizer.email)
    assert last.details == {"filters": {"object_type": "campaign.elector"}}


def test_a_cell_that_would_be_a_formula_is_written_as_text(
    client: Client, staff_organizer: User, dijon: Academy, log: dict[str, AuditEntry]
) -> None:
    record(staff_organizer, "admin.change", dijon, description='=HYPERLINK("http://x")')

    rows = exported(client, staff_organizer, action="admin.change")

    assert '\'=HYPERLINK("http://x")' in [row[8] for row in rows]


def test_nobody_adds_changes_or_deletes_an_entry_in_the_back_office(
    client: Client, log: dict[str, AuditEntry]
) -> None:
    admin = User.objects.create_superuser("admin@education.gouv.fr", "Bonjour2014x")
    client.force_login(admin)
    entry = log["dijon"]

    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
    response = client.post(
        reverse("admin:audit_auditentry_change", args=[entry.pk]), {"action": "x.y"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "admin.change"

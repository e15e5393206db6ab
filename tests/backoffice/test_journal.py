"""The audit log's page (/gestion/journal/): organizers read, filter and export their campaign's
entries; academy staff see nothing of it unless given the right, and then only their academy's."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.conftest import make_campaign, paris
from urne.accounts.models import User
from urne.audit.models import AuditEntry
from urne.audit.services import record
from urne.campaign.models import Academy, Campaign, Elector, Scrutin

JOURNAL = reverse("audit:journal")
EXPORT = reverse("audit:journal_csv")


def content(response: Any) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return str(response.content.decode())


@pytest.fixture
def log(
    travel: Any,
    organizer: User,
    staff_dijon: User,
    elector_bob: Elector,
    outsider_charlie: User,
    campaign: Campaign,
    csa_national: Scrutin,
) -> dict[str, AuditEntry]:
    """Entries on three days: Dijon's elector, Lyon's, the campaign's scrutin, another campaign,
    and one about no campaign."""
    charlie = outsider_charlie.elector
    assert charlie is not None
    other = make_campaign(name="Élections 2018", year=2018)
    travel(paris(2026, 3, 2, 10))
    dijon = record(staff_dijon, "admin.change", elector_bob, changes=["grade"])
    travel(paris(2026, 3, 3, 10))
    lyon = record(organizer, "admin.change", charlie, description='=HYPERLINK("x")')
    scrutin = record(organizer, "scrutin.change", csa_national)
    travel(paris(2026, 3, 4, 10))
    elsewhere = record(None, "campaign.calendar", other)
    nowhere = record(None, "staff.rights")
    travel(paris(2026, 3, 5, 10))
    return {
        "dijon": dijon,
        "lyon": lyon,
        "scrutin": scrutin,
        "elsewhere": elsewhere,
        "nowhere": nowhere,
    }


def sequences(page: str, log: dict[str, AuditEntry]) -> set[str]:
    return {name for name, entry in log.items() if f'<th scope="row">{entry.sequence}</th>' in page}


def test_an_organizer_reads_their_campaigns_entries_only(
    client: Client, organizer: User, log: dict[str, AuditEntry]
) -> None:
    client.force_login(organizer)

    page = content(client.get(JOURNAL))

    assert sequences(page, log) == {"dijon", "lyon", "scrutin"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "gestion@ac-dijon"}, {"dijon"}),
        ({"action": "scrutin.change"}, {"scrutin"}),
        ({"since": "2026-03-03", "until": "2026-03-03"}, {"lyon", "scrutin"}),
        ({"until": "2026-03-02"}, {"dijon"}),
        ({"target": "campaign.scrutin"}, {"scrutin"}),
        ({"target": "Martin"}, {"dijon"}),
    ],
)
def test_the_filters_pick_who_what_when_and_which_object(
    client: Client,
    organizer: User,
    log: dict[str, AuditEntry],
    query: dict[str, str],
    expected: set[str],
) -> None:
    client.force_login(organizer)

    page = content(client.get(JOURNAL, query))

    assert sequences(page, log) == expected


def test_a_range_that_ends_before_it_starts_is_refused_with_its_message(
    client: Client, organizer: User, log: dict[str, AuditEntry]
) -> None:
    client.force_login(organizer)

    page = content(client.get(JOURNAL, {"since": "2026-03-04", "until": "2026-03-02"}))

    assert 'href="#id_until"' in page
    assert "La date de fin ne peut pas précéder la date de début." in page


def test_the_log_is_paginated_keeping_the_filters(
    client: Client, organizer: User, campaign: Campaign, csa_national: Scrutin
) -> None:
    for _ in range(55):
        record(organizer, "scrutin.change", csa_national)
    client.force_login(organizer)

    page = content(client.get(JOURNAL, {"action": "scrutin.change"}))

    assert "55 entrées." in page and "Page 1 sur 2" in page
    assert "?action=scrutin.change&amp;page=2" in page


def test_the_export_holds_the_filtered_entries_inert_and_is_recorded(
    client: Client, organizer: User, log: dict[str, AuditEntry], campaign: Campaign
) -> None:
    client.force_login(organizer)

    response = client.get(EXPORT, {"since": "2026-03-03"})
    rows = list(csv.reader(io.StringIO(content(response))))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    export = AuditEntry.objects.get(action="audit.export")
    # The export's own entry, recorded first, is in it: the file says it was taken.
    assert [row[0] for row in rows[1:]] == [
        str(log["lyon"].sequence),
        str(log["scrutin"].sequence),
        str(export.sequence),
    ]
    assert rows[1][8] == '\'=HYPERLINK("x")'
    assert export.actor_id == organizer.pk and export.campaign_id == campaign.pk
    assert export.details["filters"]["since"] == "2026-03-03"


def test_academy_staff_see_nothing_of_it_without_the_right(
    client: Client, staff_dijon: User, observer: User, log: dict[str, AuditEntry]
) -> None:
    for user in (staff_dijon, observer):
        client.force_login(user)
        assert client.get(JOURNAL).status_code == 403
        assert client.get(EXPORT).status_code == 403
    assert not AuditEntry.objects.filter(action="audit.export").exists()


def test_academy_staff_given_the_right_read_their_academys_entries(
    client: Client, staff_dijon: User, log: dict[str, AuditEntry]
) -> None:
    staff_dijon.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client.force_login(staff_dijon)

    page = content(client.get(JOURNAL))
    rows = list(csv.reader(io.StringIO(content(client.get(EXPORT)))))

    assert sequences(page, log) == {"dijon"}
    assert [row[0] for row in rows[1:]] == [str(log["dijon"].sequence)]  # its export: no campaign


def test_the_page_is_read_only(client: Client, organizer: User, log: dict[str, AuditEntry]) -> None:
    client.force_login(organizer)

    assert client.post(JOURNAL).status_code == 405
    assert client.post(EXPORT).status_code == 405
    assert AuditEntry.objects.count() == len(log)


def test_staff_with_several_perimeters_export_under_none(
    client: Client, organizer: User, dijon: Academy, log: dict[str, AuditEntry]
) -> None:
    """An export recorded by staff of two campaigns is filed under no campaign (a superuser's),
    never under one they did not choose."""
    from urne.backoffice.models import StaffScope

    StaffScope.objects.create(user=organizer, campaign=make_campaign(name="B", year=2020))
    client.force_login(User.objects.get(pk=organizer.pk))

    client.get(EXPORT)

    assert AuditEntry.objects.get(action="audit.export").campaign_id is None

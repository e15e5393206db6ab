"""The back office: accounts, and the action that sends the invitations (with its permission)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from urne.accounts.models import InvitationCampaign, User
from urne.campaign.models import Campaign

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = pytest.mark.urls(SCOPED_ADMIN_URLS)

CHANGELIST = reverse("admin:accounts_invitationcampaign_changelist")


def grant(user: User, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def run_action(client: Client, campaign: Campaign):
    return client.post(
        CHANGELIST,
        {"action": "send_invitations", "_selected_action": [str(campaign.pk)]},
        follow=True,
    )


def test_staff_with_the_permission_send_the_invitations(
    client: Client, staff_organizer: User, campaign: Campaign, elector_alice
) -> None:
    grant(staff_organizer, "send_invitations")
    client.force_login(staff_organizer)

    page = client.get(CHANGELIST).content.decode()
    response = run_action(client, campaign)

    assert "Envoyer les invitations aux électeurs sans compte" in page
    assert "1 invitation(s) envoyée(s), 0 en échec" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["alice.bernard@ac-dijon.fr"]]


def test_staff_without_the_permission_cannot(
    client: Client, staff_organizer: User, campaign: Campaign, elector_alice
) -> None:
    grant(staff_organizer, "view_invitationcampaign")
    client.force_login(staff_organizer)

    page = client.get(CHANGELIST).content.decode()
    run_action(client, campaign)

    assert "Envoyer les invitations" not in page
    assert mail.outbox == []


def test_the_list_counts_accounts_and_invitations(
    client: Client, staff_organizer: User, campaign: Campaign, voter_bob, elector_alice
) -> None:
    grant(staff_organizer, "send_invitations")
    client.force_login(staff_organizer)
    run_action(client, campaign)

    campaign_row = InvitationCampaign.objects.get(pk=campaign.pk)
    page = client.get(CHANGELIST).content.decode()

    assert campaign_row.name in page
    assert '<td class="field-elector_count">2</td>' in page
    assert '<td class="field-account_count">1</td>' in page
    assert '<td class="field-invited_count">1</td>' in page
    assert '<td class="field-pending_count">0</td>' in page


def test_the_user_admin_lists_and_creates_accounts(client: Client, voter_bob: User, db) -> None:
    admin = User.objects.create_superuser("admin@urne.example", "Bonjour2014x")
    client.force_login(admin)

    listing = client.get(reverse("admin:accounts_user_changelist"))
    change = client.get(reverse("admin:accounts_user_change", args=[voter_bob.pk]))
    created = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nouveau@ac-dijon.fr",
            "usable_password": "true",
            "password1": "Bonjour2014x",
            "password2": "Bonjour2014x",
        },
    )

    assert "bob.martin@ac-dijon.fr" in listing.content.decode()
    assert change.status_code == 200
    assert created.status_code == 302
    assert User.objects.filter(email="nouveau@ac-dijon.fr").exists()

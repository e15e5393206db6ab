"""Django's admin is the technical administrators' (issue 8): superusers verified by their second
factor. Every other staff member, whatever their permissions and perimeter, is refused by each of
its addresses and sent to the back office's home, where their own pages are."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.backoffice.personas import organizer  # noqa: F401 (fixture)
from tests.staffauth.conftest import HOME
from urne.accounts.models import User
from urne.campaign.models import Campaign, Elector


def admin_requests(
    elector: Elector, campaign: Campaign
) -> list[tuple[str, str, dict[str, object]]]:
    change = reverse("admin:campaign_elector_change", args=[elector.pk])
    return [
        ("get", reverse("admin:index"), {}),
        ("get", reverse("admin:campaign_elector_changelist"), {}),
        ("get", change, {}),
        ("get", reverse("admin:campaign_campaign_change", args=[campaign.pk]), {}),
        ("get", reverse("admin:campaign_electorimport_add"), {}),
        ("post", change, {"last_name": "Forgé"}),
        (
            "post",
            reverse("admin:campaign_elector_changelist"),
            {"action": "delete_selected", "_selected_action": [elector.pk], "post": "yes"},
        ),
    ]


@pytest.mark.parametrize("persona", ["organizer", "staff_dijon"])
def test_staff_who_are_not_superusers_are_refused_and_sent_to_their_home(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    elector_bob: Elector,
    campaign: Campaign,
) -> None:
    member: User = request.getfixturevalue(persona)
    member.user_permissions.add(*Permission.objects.all())  # rights do not open the admin
    client.force_login(member)  # with the second factor

    for method, url, data in admin_requests(elector_bob, campaign):
        response = getattr(client, method)(url, data, follow=True)
        assert response.redirect_chain[0][0].startswith("/gestion/login/"), url
        assert response.redirect_chain[-1][0] == HOME, url
        assert response.status_code == 200, url

    stored = Elector.objects.get(pk=elector_bob.pk)
    assert stored.last_name == elector_bob.last_name  # neither changed nor deleted


def test_a_superuser_is_let_in(client: Client, elector_bob: Elector, campaign: Campaign) -> None:
    client.force_login(User.objects.create_superuser("admin@education.gouv.fr", "Racine2014x"))

    pages = [url for method, url, _ in admin_requests(elector_bob, campaign) if method == "get"]

    assert [client.get(url).status_code for url in pages] == [200] * len(pages)


def test_the_home_offers_the_admin_to_superusers_only(
    client: Client,
    organizer: User,  # noqa: F811
) -> None:
    client.force_login(organizer)
    staff_home = client.get(HOME).content.decode()
    client.force_login(User.objects.create_superuser("admin@education.gouv.fr", "Racine2014x"))
    superuser_home = client.get(HOME).content.decode()

    assert f'href="{reverse("admin:index")}"' not in staff_home
    assert "Administration technique" not in staff_home
    assert f'href="{reverse("admin:index")}"' in superuser_home

"""The back office's own pages: who gets in, and the menu each staff member sees."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.conftest import login_without_second_factor
from urne.accounts.models import User

HOME = reverse("backoffice:home")
TURNOUT = reverse("voting:turnout")


def test_a_visitor_is_sent_to_sign_in_and_brought_back(client: Client, db: None) -> None:
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fgestion%2Faccueil%2F"


def test_an_elector_is_refused_with_a_reason(client: Client, voter_bob: User) -> None:
    client.force_login(voter_bob)

    response = client.get(HOME)

    assert response.status_code == 403
    assert "Votre rôle ne permet pas" in response.content.decode()


def test_a_password_alone_does_not_open_the_back_office(client: Client, staff_dijon: User) -> None:
    login_without_second_factor(client, staff_dijon)

    assert client.get(HOME).status_code == 302


def test_the_menu_shows_only_the_sections_of_the_staff_members_rights(
    client: Client, staff_dijon: User
) -> None:
    client.force_login(staff_dijon)
    page = client.get(HOME).content.decode()
    assert "aucun rôle" in page
    assert TURNOUT not in page

    staff_dijon.user_permissions.add(
        Permission.objects.get(content_type__app_label="voting", codename="view_turnout")
    )
    page = client.get(HOME).content.decode()

    assert f'href="{TURNOUT}"' in page
    assert "aucun rôle" not in page


def test_the_pages_are_never_cached_and_refuse_other_methods(
    client: Client, staff_dijon: User
) -> None:
    client.force_login(staff_dijon)

    assert "no-cache" in client.get(HOME)["Cache-Control"]
    assert client.post(HOME).status_code == 405

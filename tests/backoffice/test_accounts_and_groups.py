"""Accounts and groups in the back office (security review): staff who are not superusers only
read electors' accounts of their perimeter (never a staff or superuser account, never a
password), never name another academy's elector through a raw-id input, and never touch the
groups, which carry rights."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db.models import ForeignKey
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.conftest import PASSWORD, make_elector
from urne.accounts.models import User
from urne.backoffice import access
from urne.campaign.models import Academy, Campaign

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = pytest.mark.urls(SCOPED_ADMIN_URLS)

NEW_PASSWORD = "Autre-Secret-2026"
USER_RIGHTS = ["view_user", "change_user", "delete_user"]


def grant(user: User, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def set_password(client: Client, account: User) -> int:
    response = client.post(
        reverse("admin:auth_user_password_change", args=[account.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    return response.status_code


@pytest.fixture
def rector(campaign: Campaign, dijon: Academy) -> User:
    """A superuser who is also an elector of Dijon."""
    elector = make_elector(campaign, dijon, "Rita", "Recteur")
    return User.objects.create_user(
        "rita.recteur@ac-dijon.fr",
        PASSWORD,
        elector=elector,
        is_staff=True,
        is_superuser=True,
        is_active=True,
    )


@pytest.fixture
def colleague(campaign: Campaign, dijon: Academy) -> User:
    """A staff member (not a superuser) who is also an elector of Dijon."""
    elector = make_elector(campaign, dijon, "Paul", "Collègue")
    return User.objects.create_user(
        "paul.collegue@ac-dijon.fr", PASSWORD, elector=elector, is_staff=True, is_active=True
    )


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("gestion@urne.example", PASSWORD)


@pytest.mark.parametrize("staff_fixture", ["staff_dijon", "staff_organizer"])
def test_staff_never_reach_a_staff_or_superuser_account_linked_to_their_electors(
    request: pytest.FixtureRequest,
    client: Client,
    staff_fixture: str,
    rector: User,
    colleague: User,
    voter_bob: User,
) -> None:
    staff: User = request.getfixturevalue(staff_fixture)
    grant(staff, *USER_RIGHTS)
    client.force_login(staff)

    listing = client.get(reverse("admin:accounts_user_changelist"))
    pages = [
        client.get(reverse(f"admin:accounts_user_{name}", args=[account.pk]))
        for account in (rector, colleague)
        for name in ("change", "delete")
    ]
    client.post(reverse("admin:accounts_user_delete", args=[rector.pk]), {"post": "yes"})

    assert [u.email for u in listing.context["cl"].result_list] == [voter_bob.email]
    assert all(page.status_code == 302 for page in pages)  # as if they did not exist
    assert User.objects.filter(pk=rector.pk).exists()
    assert set_password(client, rector) in (403, 404)
    rector.refresh_from_db()
    assert rector.check_password(PASSWORD)
    # The access layer judges an account in memory the same way.
    assert not access.may_change(staff, rector)
    assert not access.may_change(staff, colleague)
    assert access.may_change(staff, voter_bob)


@pytest.mark.parametrize("staff_fixture", ["staff_dijon", "staff_organizer"])
def test_no_staff_but_superusers_set_a_voters_password(
    request: pytest.FixtureRequest, client: Client, staff_fixture: str, voter_bob: User
) -> None:
    staff: User = request.getfixturevalue(staff_fixture)
    grant(staff, *USER_RIGHTS)
    client.force_login(staff)

    status = set_password(client, voter_bob)

    assert status == 403
    voter_bob.refresh_from_db()
    assert voter_bob.check_password(PASSWORD)


def test_academy_staff_only_read_a_voters_account(
    client: Client, staff_dijon: User, voter_bob: User, campaign: Campaign, dijon: Academy
) -> None:
    elector_alice = make_elector(campaign, dijon, "Alice", "Bernard")
    grant(staff_dijon, *USER_RIGHTS)
    client.force_login(staff_dijon)
    url = reverse("admin:accounts_user_change", args=[voter_bob.pk])

    page = client.get(url)
    posted = client.post(
        url, {"email": "pirate@example.com", "elector": str(elector_alice.pk), "is_active": ""}
    )

    body = page.content.decode()
    assert page.status_code == 200
    assert voter_bob.email in body
    for field in ("email", "elector", "is_active", "password", "is_staff", "groups"):
        assert f'name="{field}"' not in body, field
    assert "../password/" not in body  # not even the button to a page they may not use
    assert posted.status_code == 403
    voter_bob.refresh_from_db()
    assert voter_bob.email == "bob.martin@ac-dijon.fr"
    assert voter_bob.elector_id != elector_alice.pk
    assert voter_bob.is_active


def test_superusers_keep_every_right_on_accounts(
    client: Client, superuser: User, rector: User, voter_bob: User
) -> None:
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[voter_bob.pk])

    body = client.get(url).content.decode()
    status = set_password(client, rector)

    for field in ("email", "elector", "is_active", "is_staff", "groups"):
        assert f'name="{field}"' in body, field
    assert status == 302
    rector.refresh_from_db()
    assert rector.check_password(NEW_PASSWORD)


# The raw-id input of an account's elector


def test_the_elector_of_another_academy_is_not_named_in_a_posted_account_form(
    client: Client, staff_dijon: User, voter_bob: User, outsider_charlie: User
) -> None:
    grant(staff_dijon, *USER_RIGHTS)
    client.force_login(staff_dijon)

    response = client.post(
        reverse("admin:accounts_user_change", args=[voter_bob.pk]),
        {"email": voter_bob.email, "elector": str(outsider_charlie.elector_id), "is_active": "on"},
    )

    assert "DURAND" not in response.content.decode()


def test_a_raw_id_input_names_only_a_row_of_the_perimeter(
    rf: RequestFactory, staff_dijon: User, voter_bob: User, outsider_charlie: User
) -> None:
    request = rf.get("/gestion/")
    request.user = staff_dijon
    user_admin = admin.site._registry[User]

    elector_field = cast("ForeignKey[Any, Any]", User._meta.get_field("elector"))
    field = user_admin.formfield_for_foreignkey(elector_field, request)
    assert field is not None
    mine = field.widget.render("elector", voter_bob.elector_id)
    theirs = field.widget.render("elector", outsider_charlie.elector_id)
    garbage = field.widget.render("elector", "pas-un-nombre")

    assert "MARTIN" in mine
    assert "DURAND" not in theirs
    assert "DURAND" not in garbage


# Groups carry rights: superusers only


def test_staff_cannot_grant_rights_through_their_group(client: Client, staff_dijon: User) -> None:
    group = Group.objects.create(name="assistance")
    group.permissions.add(
        *Permission.objects.filter(codename__in=["view_group", "change_group", "add_group"])
    )
    staff_dijon.groups.add(group)
    client.force_login(staff_dijon)
    wanted = Permission.objects.filter(codename__in=["change_user", "delete_user"])

    changed = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "assistance", "permissions": [p.pk for p in wanted]},
    )
    added = client.post(
        reverse("admin:auth_group_add"),
        {"name": "pirates", "permissions": [p.pk for p in wanted]},
    )

    assert changed.status_code in (302, 403)
    assert added.status_code == 403
    assert not group.permissions.filter(codename__in=["change_user", "delete_user"]).exists()
    assert not Group.objects.filter(name="pirates").exists()
    assert not staff_dijon.has_perm("accounts.change_user")


def test_staff_without_a_perimeter_do_not_list_the_groups(client: Client, db: None) -> None:
    nobody = User.objects.create_user(
        "sans.perimetre@ac-dijon.fr", PASSWORD, is_staff=True, is_active=True
    )
    grant(nobody, "view_group")
    Group.objects.create(name="groupe-secret")
    client.force_login(nobody)

    listing = client.get(reverse("admin:auth_group_changelist"))
    index = client.get(reverse("admin:index"))

    assert listing.status_code == 403
    assert "groupe-secret" not in listing.content.decode()
    assert reverse("admin:auth_group_changelist") not in index.content.decode()


def test_superusers_manage_the_groups(client: Client, superuser: User) -> None:
    client.force_login(superuser)
    right = Permission.objects.get(codename="view_elector")

    added = client.post(
        reverse("admin:auth_group_add"), {"name": "assistance", "permissions": [right.pk]}
    )

    assert added.status_code == 302
    assert list(Group.objects.get(name="assistance").permissions.all()) == [right]
    assert "assistance" in client.get(reverse("admin:auth_group_changelist")).content.decode()

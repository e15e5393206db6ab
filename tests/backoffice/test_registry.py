"""Nothing is registered in the back office without the access layer: every ModelAdmin is either
scoped (its model has a perimeter rule) or for superusers only, so that a model added later
cannot be forgotten (Django's GroupAdmin, registered as is, let any staff member with
change_group grant themselves every right)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from tests.backoffice.scoped_admin_urls import SCOPED_ADMIN_URLS
from tests.conftest import PASSWORD
from urne.accounts.models import User
from urne.backoffice import access
from urne.backoffice.admin import ScopedAdminMixin, ScopedInlineMixin, SuperuserOnlyAdminMixin
from urne.campaign.models import Elector

# Staff who are not superusers are refused by the admin (issue 8); these tests exercise the
# access layer through the admin's own pages, mounted with their former gate
# (tests/backoffice/scoped_admin_urls.py).
pytestmark = pytest.mark.urls(SCOPED_ADMIN_URLS)


def registered() -> list[tuple[type[Any], admin.ModelAdmin[Any]]]:
    return list(admin.site._registry.items())


def test_every_registered_admin_is_scoped_or_for_superusers_only() -> None:
    for model, model_admin in registered():
        label = model._meta.label
        if isinstance(model_admin, SuperuserOnlyAdminMixin):
            continue
        assert isinstance(model_admin, ScopedAdminMixin), (
            f"{label}: neither scoped nor superuser-only"
        )
        assert access.rule_for(model) is not None, f"{label}: scoped but without a rule"
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopedInlineMixin), f"{label}: {inline.__name__}"


def test_the_groups_are_for_superusers_only() -> None:
    assert isinstance(admin.site._registry[Group], SuperuserOnlyAdminMixin)


@pytest.mark.parametrize("perimeter", ["staff_dijon", "staff_organizer", None])
def test_staff_with_every_permission_list_nothing_outside_the_rules(
    request: pytest.FixtureRequest,
    client: Client,
    perimeter: str | None,
    voter_bob: User,
    outsider_charlie: User,
) -> None:
    """Whatever Django permissions a staff member holds, a list of a superuser-only model is
    refused, and a scoped list holds no row their perimeter does not reach."""
    if perimeter is None:
        staff = User.objects.create_user(
            "sans.perimetre@ac-dijon.fr", PASSWORD, is_staff=True, is_active=True
        )
    else:
        staff = request.getfixturevalue(perimeter)
    staff.user_permissions.add(*Permission.objects.all())
    Group.objects.create(name="groupe-secret")
    client.force_login(staff)

    for model, model_admin in registered():
        meta = model._meta
        response = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        if isinstance(model_admin, SuperuserOnlyAdminMixin):
            assert response.status_code == 403, meta.label
            continue
        assert response.status_code == 200, meta.label
        shown = {row.pk for row in response.context["cl"].result_list}
        reachable = set(
            access.scoped(model._default_manager.all(), staff).values_list("pk", flat=True)
        )
        assert shown <= reachable, meta.label
    assert isinstance(voter_bob.elector, Elector)

"""The back office's roles: groups of permissions, each defined once by the app it belongs to.

A role is a group name and the permissions it holds ("app_label.codename"), declared as two
constants in that app's AppConfig module and kept in the database by `connect_role` after every
migrate and flush. Permissions say *what*; the staff member's perimeter (`StaffScope`) still says
*where* (`urne.backoffice.access`): a role alone reaches nothing.

The group only ever gains the permissions its list names: what a superuser added by hand stays.
docs/backoffice.md says which group holds what.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models.signals import post_migrate


def ensure_group(name: str, permissions: Iterable[str]) -> bool:
    """Create the group `name` if missing and give it `permissions`. Changes nothing and returns
    False while one of them does not exist yet (each app's permissions are made by its own
    post_migrate signal, in the order of INSTALLED_APPS)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    wanted = {tuple(permission.split(".", 1)) for permission in permissions}
    condition = Q(pk__in=[])
    for app_label, codename in wanted:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(condition))
    if len(found) < len(wanted):
        return False
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(*found)
    return True


def connect_role(name: str, permissions: tuple[str, ...]) -> None:
    """Keep the group `name` holding `permissions` after every migrate and flush. The receiver
    listens to every app's signal, so that it acts once the last permission it names exists."""

    def receiver(**kwargs: Any) -> None:
        ensure_group(name, permissions)

    post_migrate.connect(receiver, weak=False, dispatch_uid=f"urne.role.{name}")

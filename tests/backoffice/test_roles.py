"""The roles « Organisateurs » and « Observateurs »: groups kept by post_migrate from one list
each, and a role never reaches beyond the staff member's perimeter."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from urne.backoffice.roles import ensure_group
from urne.campaign.apps import ORGANIZERS_GROUP, ORGANIZERS_PERMISSIONS
from urne.voting.apps import OBSERVERS_PERMISSIONS
from urne.voting.turnout import OBSERVERS_GROUP


def held(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrate_gives_each_group_its_list(db: None) -> None:
    assert held(ORGANIZERS_GROUP) == set(ORGANIZERS_PERMISSIONS)
    assert held(OBSERVERS_GROUP) == set(OBSERVERS_PERMISSIONS)


def test_observers_only_read(db: None) -> None:
    assert all(name.split(".")[1].startswith("view_") for name in OBSERVERS_PERMISSIONS)
    assert "voting.view_emargement" not in OBSERVERS_PERMISSIONS


def test_it_keeps_what_a_superuser_added_and_restores_what_was_removed(db: None) -> None:
    group = Group.objects.get(name=OBSERVERS_GROUP)
    extra = Permission.objects.get(content_type__app_label="voting", codename="view_emargement")
    group.permissions.add(extra)
    group.permissions.remove(Permission.objects.get(codename="view_turnout"))

    assert ensure_group(OBSERVERS_GROUP, OBSERVERS_PERMISSIONS) is True

    assert held(OBSERVERS_GROUP) == {*OBSERVERS_PERMISSIONS, "voting.view_emargement"}


def test_it_waits_for_permissions_not_made_yet(db: None) -> None:
    assert ensure_group("Rôle futur", ("campaign.view_campaign", "nowhere.view_thing")) is False
    assert not Group.objects.filter(name="Rôle futur").exists()

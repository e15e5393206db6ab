from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "urne.voting"
    verbose_name = _("Vote")

    def ready(self) -> None:
        post_migrate.connect(_ensure_observers_group, sender=self)
        from urne.backoffice.pages import Section, register_section

        register_section(
            Section(
                url_name="voting:turnout",
                title=_("Participation"),
                description=_(
                    "Participation en direct par scrutin et par académie, listes d'émargement."
                ),
                permission="voting.view_turnout",
                order=60,
            )
        )


def _ensure_observers_group(sender: AppConfig, **kwargs: Any) -> None:
    """The « Observateurs » group with turnout only, after every migrate and flush (a flush
    empties the tables the data migration filled; Django sends post_migrate after both)."""
    from django.contrib.auth.models import Group, Permission

    from urne.voting.turnout import OBSERVERS_GROUP

    permission = Permission.objects.filter(
        content_type__app_label="voting", codename="view_turnout"
    ).first()
    if permission is None:  # the permissions are made by an earlier post_migrate receiver
        return
    group, _ = Group.objects.get_or_create(name=OBSERVERS_GROUP)
    group.permissions.add(permission)

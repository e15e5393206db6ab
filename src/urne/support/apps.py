from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "urne.support"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        post_migrate.connect(_ensure_groups, sender=self)
        from urne.backoffice.pages import Section, register_section
        from urne.support import roles

        register_section(
            Section(
                url_name="helpdesk:search",
                title=_("Assistance aux électeurs"),
                description=_(
                    "Retrouver un électeur, l'état de son compte et les messages envoyés ; "
                    "renvoyer la confirmation, débloquer un compte."
                ),
                permission=roles.VIEW_ELECTOR,
                order=20,
            )
        )
        register_section(
            Section(
                url_name="corrections:queue",
                title=_("Demandes de mise à jour du profil"),
                description=_(
                    "Les demandes des électeurs en attente : les accepter ou les refuser, avec "
                    "le motif que l'électeur lira."
                ),
                permission=roles.VIEW_CORRECTIONS,
                order=30,
            )
        )


def _ensure_groups(sender: AppConfig, **kwargs: Any) -> None:
    """The groups « Assistance » and « Gestionnaires académiques » with their rights, after
    every migrate and flush (Django sends post_migrate after both). Rights are only added: an
    operator may have given a group more."""
    from django.contrib.auth.models import Group, Permission

    from urne.support.roles import GROUP_PERMISSIONS

    for name, wanted in GROUP_PERMISSIONS.items():
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            found = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is None:  # made by an earlier post_migrate receiver, in a later migrate
                return
            permissions.append(found)
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "urne.support"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role
        from urne.support import roles

        for name, permissions in roles.GROUP_PERMISSIONS.items():
            connect_role(name, permissions)

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

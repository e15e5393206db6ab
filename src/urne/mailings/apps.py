from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "urne.mailings"
    verbose_name = _("Envois de courriels")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role
        from urne.mailings.services import SENDERS_GROUP

        # Organizers (campaign-wide perimeter) and academy staff (an academy's) join it; their
        # perimeter says whose electors they write to.
        connect_role(SENDERS_GROUP, ("mailings.send_mailing",))

        register_section(
            Section(
                url_name="mailings:index",
                title=_("Envois de courriels"),
                description=_(
                    "Invitations à créer son compte, relances des électeurs sans compte ou qui "
                    "n'ont pas voté : rédaction, aperçu, envoi et suivi."
                ),
                permission="mailings.send_mailing",
                order=50,
            )
        )

from __future__ import annotations

from typing import Final

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The operators of the platform (« Exploitation »): the supervision page and nothing else.
OPERATORS_GROUP: Final = "Exploitation"
VIEW_SUPERVISION: Final = "operations.view_supervision"
# The organizers see it too (urne.campaign's ORGANIZERS_PERMISSIONS): they run the campaign's
# opening hour. The observers do not: the page's figures are the whole platform's, and an
# observer's perimeter may be one academy (urne.voting.turnout shows them their own).


class OperationsConfig(AppConfig):
    name = "urne.operations"
    verbose_name = _("Exploitation")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role

        connect_role(OPERATORS_GROUP, (VIEW_SUPERVISION,))

        register_section(
            Section(
                url_name="operations:supervision",
                title=_("Supervision"),
                description=_(
                    "Santé de la plateforme, bulletins par minute, refus par motif, connexions, "
                    "files d'attente et courriels envoyés, en direct."
                ),
                permission=VIEW_SUPERVISION,
                order=95,
            )
        )

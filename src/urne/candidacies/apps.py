from __future__ import annotations

from typing import Final

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidaciesConfig(AppConfig):
    name = "urne.candidacies"
    verbose_name = _("Candidatures")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role

        connect_role(DELEGATES_GROUP, DELEGATES_PERMISSIONS)

        register_section(
            Section(
                url_name="candidacies:filing",
                title=_("Dépôt des listes"),
                description=_(
                    "Déposer les listes de candidats de votre organisation syndicale, leurs "
                    "candidats et leur profession de foi ; suivre la décision de l'organisateur."
                ),
                permission="candidacies.file_candidatelist",
                order=40,
            )
        )
        register_section(
            Section(
                url_name="candidacies:review",
                title=_("Candidatures"),
                description=_(
                    "Les listes déposées, scrutin par scrutin : les examiner, les valider ou les "
                    "rejeter, tirer au sort leur ordre officiel (en lecture seule pour les "
                    "observateurs)."
                ),
                permission="candidacies.view_candidatelist",
                order=45,
            )
        )


DELEGATES_GROUP: Final = "Délégués syndicaux"
DELEGATES_PERMISSIONS: Final = ("candidacies.file_candidatelist",)
"""A union delegate: files their union's lists (the perimeter, a StaffScope row naming their
union, says which). The organizers' right to validate is in urne.campaign.apps's list."""

from __future__ import annotations

from typing import Final

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

MEMBERS_GROUP: Final = "Membres du bureau de vote"
# A member reaches only their own bureau's pages (urne.counting.ceremony.access_member_bureau);
# the permission opens the section, the membership says which bureau.
MEMBERS_PERMISSIONS: Final = ("counting.view_bureau", "sealing.view_campaignseal")


class CountingConfig(AppConfig):
    name = "urne.counting"
    label = "counting"
    verbose_name = _("Dépouillement")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role

        connect_role(MEMBERS_GROUP, MEMBERS_PERMISSIONS)
        register_section(
            Section(
                url_name="bureau:mine",
                title=_("Mon bureau de vote"),
                description=_("Cérémonie des clés : vos fragments de clé, étape par étape."),
                permission="counting.view_bureau",
                order=70,
            )
        )
        register_section(
            Section(
                url_name="results:index",
                title=_("Résultats"),
                description=_(
                    "Résultats de chaque scrutin et agrégés, sièges, graphiques, exports et "
                    "procès-verbaux."
                ),
                permission="voting.view_turnout",
                order=80,
            )
        )
        register_section(
            Section(
                url_name="bureau:list",
                title=_("Bureaux de vote électronique"),
                description=_(
                    "Composition des bureaux, scrutins couverts, suivi de la cérémonie des clés."
                ),
                permission="campaign.change_campaign",
                order=65,
            )
        )

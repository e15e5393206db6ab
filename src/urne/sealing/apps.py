from __future__ import annotations

from typing import Final

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SEALING_GROUP: Final = "Scellement"
"""The role that seals the campaign and verifies its seal (the organizer's technical staff).
The bureau's members are given `VIEW_SEAL` (see and verify), with their own role."""

VIEW_SEAL: Final = "sealing.view_campaignseal"
"""See the seal and run a verification (page « Scellement »)."""

MAKE_SEAL: Final = "sealing.add_campaignseal"
"""Seal the campaign (also needs a perimeter that may change the campaign)."""

SEALING_PERMISSIONS: Final = (VIEW_SEAL, MAKE_SEAL, "campaign.view_campaign")


class SealingConfig(AppConfig):
    name = "urne.sealing"
    verbose_name = _("Scellement")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role

        connect_role(SEALING_GROUP, SEALING_PERMISSIONS)
        register_section(
            Section(
                url_name="sealing:seals",
                title=_("Scellement"),
                description=_(
                    "L'empreinte du code, de la configuration et de chaque scrutin, relevée "
                    "avant l'ouverture du vote ; sa vérification à tout moment."
                ),
                permission=VIEW_SEAL,
                order=65,
            )
        )

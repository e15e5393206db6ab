from __future__ import annotations

from typing import Final

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The observers read, never change: the rolls, the candidacies and turnout (the figures, never
# who voted), within their perimeter. The group's name is urne.voting.turnout.OBSERVERS_GROUP.
OBSERVERS_PERMISSIONS: Final = (
    "campaign.view_campaign",
    "campaign.view_academy",
    "campaign.view_scrutin",
    "campaign.view_rollentry",
    "candidacies.view_union",
    "candidacies.view_candidatelist",
    "candidacies.view_candidate",
    "voting.view_turnout",
)

# The count (urne.counting, /gestion/depouillement/): the bureau's members follow it and upload
# their partial decryptions; closing the box by hand and publishing the result are the
# operators' (the box closes by itself at its time, the result comes with the last share).
BUREAU_GROUP: Final = "Bureau de vote électronique"
BUREAU_PERMISSIONS: Final = (
    "campaign.view_scrutin",
    "voting.view_counting",
    "voting.upload_partial_decryption",
)
COUNTING_OPERATORS_GROUP: Final = "Opérateurs du dépouillement"
COUNTING_OPERATORS_PERMISSIONS: Final = (
    "campaign.view_scrutin",
    "voting.view_counting",
    "voting.close_election",
)


class VotingConfig(AppConfig):
    name = "urne.voting"
    verbose_name = _("Vote")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role
        from urne.voting.turnout import OBSERVERS_GROUP

        connect_role(OBSERVERS_GROUP, OBSERVERS_PERMISSIONS)
        connect_role(BUREAU_GROUP, BUREAU_PERMISSIONS)
        connect_role(COUNTING_OPERATORS_GROUP, COUNTING_OPERATORS_PERMISSIONS)

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
        register_section(
            Section(
                url_name="tally:index",
                title=_("Dépouillement"),
                description=_(
                    "Clôture des urnes, dépouillement chiffré, déchiffrements partiels du bureau "
                    "et résultats."
                ),
                permission="voting.view_counting",
                order=70,
            )
        )

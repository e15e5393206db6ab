from __future__ import annotations

from typing import Final

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

# The organizers run the whole campaign (with a campaign-wide perimeter): its setup (calendar,
# academies, scrutins, who is on which roll), the rolls and their history, the imports, the
# answers to correction requests and the candidacies, turnout, and the audit log.
ORGANIZERS_GROUP: Final = "Organisateurs"
ORGANIZERS_PERMISSIONS: Final = (
    "campaign.view_campaign",
    "campaign.change_campaign",
    "campaign.view_academy",
    "campaign.add_academy",
    "campaign.change_academy",
    "campaign.view_scrutin",
    "campaign.add_scrutin",
    "campaign.change_scrutin",
    "campaign.view_elector",
    "campaign.change_elector",
    "campaign.view_rollentry",
    "campaign.add_rollentry",
    "campaign.change_rollentry",
    "campaign.delete_rollentry",
    "campaign.view_rollchange",
    "campaign.view_electorimport",
    "campaign.add_electorimport",
    "campaign.view_profilecorrectionrequest",
    "campaign.change_profilecorrectionrequest",
    "candidacies.view_union",
    "candidacies.view_candidatelist",
    "candidacies.change_candidatelist",
    "candidacies.view_candidate",
    "candidacies.validate_candidatelist",
    "accounts.send_invitations",
    "mailings.send_mailing",
    "voting.view_turnout",
    "voting.view_emargement",
    "audit.view_auditentry",
    # The platform's live figures (urne.operations, docs/supervision.md).
    "operations.view_supervision",
)


class CampaignConfig(AppConfig):
    name = "urne.campaign"
    verbose_name = _("Campagne électorale")

    def ready(self) -> None:
        from urne.audit.models import AuditEntry
        from urne.backoffice.pages import Section, register_section
        from urne.backoffice.roles import connect_role
        from urne.campaign.roll_history import record_import_from_audit

        connect_role(ORGANIZERS_GROUP, ORGANIZERS_PERMISSIONS)
        register_section(
            Section(
                url_name="campaign_gestion:campaigns",
                title=_("Paramétrage de la campagne"),
                description=_(
                    "Calendrier, académies, scrutins et sièges, inscription des électeurs aux "
                    "scrutins."
                ),
                permission="campaign.change_campaign",
                order=10,
            )
        )
        register_section(
            Section(
                url_name="campaign_gestion:rolls",
                title=_("Listes électorales"),
                description=_(
                    "Chaque liste électorale, sa recherche, ses exports CSV et PDF pour "
                    "l'affichage, son historique."
                ),
                permission="campaign.view_rollentry",
                order=20,
            )
        )
        register_section(
            Section(
                url_name="imports:index",
                title=_("Imports d'électeurs"),
                description=_(
                    "Dépôt du fichier des électeurs (CSV ou XLSX), essai à blanc, progression en "
                    "direct et erreurs par ligne."
                ),
                permission="campaign.add_electorimport",
                order=15,
            )
        )

        # An import's outcome, once recorded, goes to the roll's history too.
        post_save.connect(
            record_import_from_audit, sender=AuditEntry, dispatch_uid="urne.roll_history.import"
        )

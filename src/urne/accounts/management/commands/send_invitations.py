"""`urne send_invitations [--campaign ID]`: invite the electors without an account to create one.

Safe to run again at any time: electors already invited, or who have an account, are skipped.
Without --campaign, every campaign whose account creation is open and whose vote is not over.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from urne.accounts import invitations, tasks
from urne.audit import services as audit
from urne.campaign.models import Campaign


class Command(BaseCommand):
    help = "Envoie aux électeurs sans compte l'invitation à créer leur compte électeur."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, help=_("identifiant de la campagne"))

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = self._campaigns(options["campaign"])
        for campaign in campaigns:
            try:
                invitations.check_invitations_open(campaign)
            except invitations.InvitationsNotOpen as refused:
                raise CommandError(str(refused.message)) from None
            result = tasks.send_invitations.delay(campaign.pk)
            audit.record(
                None,
                "invitation.send",
                campaign,
                **(result.result if result.ready() else {"queued": True}),
            )
            if not result.ready():
                self.stdout.write(
                    _("%(campaign)s : envoi lancé par les workers Celery.")
                    % {"campaign": campaign.name}
                )
                continue
            summary = result.result
            self.stdout.write(
                _("%(campaign)s : %(sent)d invitation(s) envoyée(s), %(failed)d en échec.")
                % {"campaign": campaign.name, **summary}
            )
            if summary["failed"]:
                raise CommandError(
                    _(
                        "%(failed)d invitation(s) non envoyée(s) : relancez la commande pour les "
                        "renvoyer (les autres ne partiront pas deux fois)."
                    )
                    % summary
                )

    def _campaigns(self, campaign_id: int | None) -> list[Campaign]:
        if campaign_id is not None:
            try:
                return [Campaign.objects.get(pk=campaign_id)]
            except Campaign.DoesNotExist:
                raise CommandError(
                    _("Aucune campagne n'a l'identifiant %(id)d.") % {"id": campaign_id}
                ) from None
        found = list(Campaign.objects.accounts_open().order_by("pk"))
        if not found:
            raise CommandError(_("Aucune campagne n'a sa création de comptes ouverte."))
        return found

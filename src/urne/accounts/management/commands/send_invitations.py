"""`urne send_invitations [--campaign ID]`: invite the electors without an account to create one.

Safe to run again at any time: electors already invited, or who have an account, are skipped.
Without --campaign, every campaign whose account creation is open and whose vote is not over.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from urne import clock
from urne.accounts import invitations, tasks
from urne.campaign.models import Campaign


class Command(BaseCommand):
    help = "Envoie aux électeurs sans compte l'invitation à créer leur compte électeur."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, help="identifiant de la campagne")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = self._campaigns(options["campaign"])
        for campaign in campaigns:
            try:
                invitations.check_invitations_open(campaign)
            except invitations.InvitationsNotOpen as refused:
                raise CommandError(refused.message) from None
            result = tasks.send_invitations.delay(campaign.pk)
            if not result.ready():
                self.stdout.write(f"{campaign.name} : envoi lancé par les workers Celery.")
                continue
            summary = result.result
            self.stdout.write(
                f"{campaign.name} : {summary['sent']} invitation(s) envoyée(s), "
                f"{summary['failed']} en échec."
            )
            if summary["failed"]:
                raise CommandError(
                    f"{summary['failed']} invitation(s) non envoyée(s) : relancez la commande "
                    "pour les renvoyer (les autres ne partiront pas deux fois)."
                )

    def _campaigns(self, campaign_id: int | None) -> list[Campaign]:
        if campaign_id is not None:
            try:
                return [Campaign.objects.get(pk=campaign_id)]
            except Campaign.DoesNotExist:
                raise CommandError(f"Aucune campagne n'a l'identifiant {campaign_id}.") from None
        now = clock.now()
        found = list(
            Campaign.objects.filter(accounts_open_at__lte=now, vote_closes_at__gt=now).order_by(
                "pk"
            )
        )
        if not found:
            raise CommandError("Aucune campagne n'a sa création de comptes ouverte.")
        return found

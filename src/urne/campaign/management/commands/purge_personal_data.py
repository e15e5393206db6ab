"""`urne purge_personal_data CAMPAIGN [--execute]`: delete a campaign's personal data once its
retention period is over (urne.campaign.purge, docs/backups.md). Without --execute, only says
what would be deleted and what is kept."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from urne.campaign.management.commands.import_electors import find_campaign
from urne.campaign.purge import (
    PersonalData,
    RetentionNotOver,
    count_personal_data,
    do_purge_personal_data,
    retention_months,
)


class Command(BaseCommand):
    help = (
        "Supprime les données personnelles d'une campagne (électeurs, comptes, émargement, "
        "identifiants scellés, demandes, historique, envois, fichiers importés) après la durée "
        "de conservation. Sans --execute : compte seulement ce qui serait supprimé."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("campaign", help=_("numéro ou nom exact de la campagne"))
        parser.add_argument(
            "--execute",
            action="store_true",
            help=_("supprimer vraiment (refusé avant la fin de la durée de conservation)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        if not options["execute"]:
            found = count_personal_data(campaign)
            self.stdout.write(self.describe(found, done=False))
            self.stdout.write(
                _("Essai à blanc : rien n'a été supprimé. Ajoutez --execute pour supprimer.")
            )
            return
        try:
            deleted = do_purge_personal_data(campaign)
        except RetentionNotOver as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(self.describe(deleted, done=True))
        self.stdout.write(_("Suppression enregistrée dans le journal d'audit."))

    def describe(self, found: PersonalData, *, done: bool) -> str:
        ends_at = formats.date_format(
            timezone.localtime(found.retention_ends_at), "DATETIME_FORMAT"
        )
        width = max(len(str(count.kind.label)) for count in (*found.personal, *found.kept))
        lines = [
            _("Campagne « %(name)s » (n° %(pk)s)")
            % {"name": found.campaign.name, "pk": found.campaign.pk},
            _("Conservation jusqu'au %(date)s (clôture du vote et %(months)s mois).")
            % {"date": ends_at, "months": retention_months()},
            _("Supprimé :") if done else _("À supprimer :"),
            *(f"  {c.kind.label!s:<{width}}  {c.rows:>9}" for c in found.personal),
            _("Conservé :"),
            *(f"  {c.kind.label!s:<{width}}  {c.rows:>9}" for c in found.kept),
        ]
        return "\n".join(lines)

"""`urne bureau_rehearsal --campaign ID --bureau NAME --keys DIR`: every member's steps of a
bureau's key ceremony played here (urne.counting.rehearsal): a rehearsal, or the demonstration.
Whoever runs it holds every member's key: never for a real election."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.counting.models import Bureau
from urne.counting.rehearsal import do_play_ceremony
from urne.voting.management.commands._common import add_campaign, find_campaign
from urne.web.errors import VisitorError


class Command(BaseCommand):
    help = _(
        "Répétition : joue toutes les étapes de la cérémonie des clés d'un bureau, pour chaque "
        "membre, et range leurs clés dans un dossier. Qui la lance détient toutes les clés : "
        "jamais pour une élection réelle."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_campaign(parser)
        parser.add_argument("--bureau", required=True, help=_("nom du bureau"))
        parser.add_argument("--keys", required=True, help=_("dossier des clés des membres"))

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        bureau = Bureau.objects.filter(campaign=campaign, name=options["bureau"]).first()
        if bureau is None:
            raise CommandError(_("Aucun bureau de ce nom dans la campagne."))
        try:
            bureau = do_play_ceremony(bureau, Path(options["keys"]))
        except VisitorError as refused:
            raise CommandError(str(refused.message)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Cérémonie des clés du bureau « %(bureau)s » : %(step)s.")
                % {"bureau": bureau.name, "step": bureau.get_step_display()}
            )
        )

"""`urne prepare_elections --campaign ID`: each scrutin gets its election and its uuid."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from urne.voting import setup
from urne.voting.management.commands._common import add_campaign, find_campaign
from urne.voting.models import ScrutinElection


class Command(BaseCommand):
    help = _(
        "Donne à chaque scrutin de la campagne son élection Belenios et son uuid (ceux qui en "
        "ont déjà un le gardent). Le tiers de confiance en a besoin pour les certificats publics."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_campaign(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        made = setup.do_prepare_elections(campaign)
        for election in made:
            self.stdout.write(f"{election.scrutin.code}\t{election.uuid}")
        total = ScrutinElection.objects.filter(scrutin__campaign=campaign).count()
        self.stdout.write(
            self.style.SUCCESS(
                _("%(made)d élection(s) préparée(s) ; %(total)d scrutin(s) en ont une.")
                % {"made": len(made), "total": total}
            )
        )

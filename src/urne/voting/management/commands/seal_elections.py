"""`urne seal_elections --campaign ID [--scrutin CODE]`: seal each scrutin's election, or say
what it still lacks. Exit code 1 if any scrutin is left unsealed."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.campaign.models import Scrutin
from urne.voting import setup
from urne.voting.management.commands._common import (
    add_campaign,
    find_campaign,
    find_scrutin,
    local,
)


class Command(BaseCommand):
    help = _(
        "Scelle l'élection de chaque scrutin prêt (élection, autorités de déchiffrement, "
        "certificats publics : le début du tableau public, qui ne change plus) et dit, pour les "
        "autres, ce qui manque. Code de sortie non nul si un scrutin n'est pas scellé."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_campaign(parser)
        parser.add_argument("--scrutin", help=_("code d'un seul scrutin (défaut : tous)"))

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        if options["scrutin"]:
            scrutins = [find_scrutin(campaign, options["scrutin"])]
        else:
            scrutins = list(campaign.scrutins.order_by("code"))
        left = [scrutin.code for scrutin in scrutins if not self._seal(scrutin)]
        if left:
            raise CommandError(
                _("%(count)d scrutin(s) non scellé(s) : %(codes)s.")
                % {"count": len(left), "codes": ", ".join(left)}
            )
        self.stdout.write(
            self.style.SUCCESS(_("%(count)d scrutin(s) scellé(s).") % {"count": len(scrutins)})
        )

    def _seal(self, scrutin: Scrutin) -> bool:
        """Seal `scrutin` if it can be; say what happened. True if it is sealed now."""
        state = setup.do_seal_if_ready(None, scrutin)
        election = state.election
        if not state.sealed or election is None:
            self.stderr.write(
                _("%(scrutin)s : non scellée ; il manque : %(missing)s.")
                % {"scrutin": scrutin.code, "missing": " ; ".join(state.missing)}
            )
            return False
        if not state.now:
            self.stdout.write(
                _("%(scrutin)s : déjà scellée le %(when)s.")
                % {"scrutin": scrutin.code, "when": local(election.sealed_at)}
            )
            return True
        self.stdout.write(
            _("%(scrutin)s : scellée (empreinte %(fingerprint)s).")
            % {"scrutin": scrutin.code, "fingerprint": election.fingerprint}
        )
        return True

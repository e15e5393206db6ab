"""`urne authority_notices --campaign ID --out DIR`: the printable notices, one PDF per
establishment (needs the authority's private key)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.authority.keys import AuthorityKeyMissing, SealBroken, configured_private_key
from urne.authority.notices import do_write_notices
from urne.campaign.management.commands.import_electors import find_campaign


class Command(BaseCommand):
    help = (
        "Écrit les notices de vote à imprimer : un PDF par établissement, une page par électeur "
        "(identifiant de vote, scrutins, comment voter, ligne de signature). Il faut la clé "
        "privée de l'autorité (URNE_AUTHORITY_PRIVATE_KEY)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--campaign", required=True, help=_("numéro ou nom exact de la campagne")
        )
        parser.add_argument("--out", required=True, help=_("dossier où écrire les PDF"))

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        try:
            private_key = configured_private_key()
        except AuthorityKeyMissing as error:
            raise CommandError(
                _("Clé privée de l'autorité introuvable : %(error)s") % {"error": error}
            ) from error
        try:
            report = do_write_notices(campaign, private_key, Path(options["out"]))
        except SealBroken as error:
            raise CommandError(
                _(
                    "Un identifiant scellé ne s'ouvre pas avec cette clé privée : est-ce bien "
                    "celle de l'autorité de cette campagne ? (%(error)s)"
                )
                % {"error": error}
            ) from error
        except OSError as error:
            raise CommandError(
                _("Impossible d'écrire les notices : %(reason)s") % {"reason": error}
            ) from error
        self.stdout.write(report.as_text())

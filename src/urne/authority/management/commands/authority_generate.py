"""`urne authority_generate --campaign ID`: voting identifiers and public credentials."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.authority.generation import do_generate_identifiers
from urne.authority.keys import (
    AuthorityKeyMissing,
    configured_private_key,
    configured_public_key,
    private_key_configured,
)
from urne.campaign.management.commands.import_electors import find_campaign
from urne.voting.setup import SetupRefused


class Command(BaseCommand):
    help = (
        "Crée un identifiant de vote pour chaque électeur de la campagne qui n'en a pas "
        "(scellé avec la clé publique de l'autorité) et le certificat public de chaque "
        "électeur inscrit dans chaque scrutin. Relancée, elle n'ajoute que ce qui manque."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--campaign", required=True, help=_("numéro ou nom exact de la campagne")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        try:
            public_key = configured_public_key()
            private_key = configured_private_key() if private_key_configured() else None
        except AuthorityKeyMissing as error:
            raise CommandError(
                _("Clé de l'autorité introuvable : %(error)s") % {"error": error}
            ) from error

        def progress(done: int) -> None:
            if options["verbosity"] >= 2:
                self.stderr.write(_("… %(count)d électeurs") % {"count": done})

        started = time.perf_counter()
        try:
            report = do_generate_identifiers(campaign, public_key, private_key, progress)
        except SetupRefused as refused:
            raise CommandError(str(refused.message)) from refused
        self.stdout.write(report.as_text())
        if options["verbosity"] >= 1:
            self.stdout.write(
                _("Durée : %(seconds).1f s.") % {"seconds": time.perf_counter() - started}
            )

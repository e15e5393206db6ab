"""`urne scrutin_trustees --campaign ID --scrutin CODE FILE`: set a scrutin's trustees from the
trustees.json made offline (`urne trustees combine|threshold`, or belenios-tool)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.voting import setup
from urne.voting.management.commands._common import (
    add_campaign,
    find_campaign,
    find_scrutin,
    refused,
)
from urne.voting.overview import describe_trustees

MAX_BYTES = 10_000_000
"""Far above any real bureau's trustees.json (a 2-of-3 threshold is about 12 kB)."""


class Command(BaseCommand):
    help = _(
        "Enregistre les clés publiques des autorités de déchiffrement d'un scrutin (fichier "
        "trustees.json fait hors ligne par les membres du bureau de vote, avec urne ou "
        "belenios-tool). Chaque preuve est vérifiée ; un fichier refusé ne change rien."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_campaign(parser)
        parser.add_argument("--scrutin", required=True, help=_("code du scrutin"))
        parser.add_argument("file", help=_("fichier trustees.json ; « - » : entrée standard"))

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        scrutin = find_scrutin(campaign, options["scrutin"])
        text = _read(options["file"])
        try:
            setup.check_provisional_trustees(scrutin)
            election = setup.do_set_trustees(scrutin, text)
        except setup.SetupRefused as error:
            raise refused(error) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Autorités de déchiffrement du scrutin « %(scrutin)s » enregistrées : %(what)s.")
                % {"scrutin": scrutin.code, "what": describe_trustees(election.trustees)}
            )
        )


def _read(name: str) -> str:
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with Path(name).open("rb") as source:
                data = source.read(MAX_BYTES + 1)
    except OSError as error:
        raise CommandError(
            _("Impossible de lire « %(name)s » : %(reason)s")
            % {"name": name, "reason": error.strerror}
        ) from None
    if len(data) > MAX_BYTES:
        raise CommandError(
            _("« %(name)s » est trop gros pour un fichier trustees.json.") % {"name": name}
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(
            _("« %(name)s » n'est pas un fichier texte UTF-8 : ce n'est pas un trustees.json.")
            % {"name": name}
        ) from None

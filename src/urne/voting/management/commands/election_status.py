"""`urne election_status --campaign ID`: where each scrutin's election stands, in a table."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from urne.voting.management.commands._common import add_campaign, find_campaign, local
from urne.voting.overview import election_rows


class Command(BaseCommand):
    help = _(
        "Affiche l'état de l'élection de chaque scrutin de la campagne : uuid, autorités de "
        "déchiffrement, certificats publics (reçus / inscrits), scellement, bulletins reçus."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_campaign(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        header = (
            _("scrutin"),
            _("uuid"),
            _("autorités"),
            _("certificats"),
            _("scellée"),
            _("bulletins"),
        )
        lines = [header]
        for row in election_rows(campaign):
            lines.append(
                (
                    row.scrutin.code,
                    row.uuid,
                    row.trustees,
                    f"{row.credentials}/{row.electors}",
                    local(row.sealed_at) if row.sealed_at else _("non"),
                    str(row.ballots),
                )
            )
        widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
        for line in lines:
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(line, widths, strict=True)
                ).rstrip()
            )

"""`urne import_electors CAMPAIGN FILE [--dry-run] [--report PATH]`: import electors and rolls
from a CSV file or an XLSX workbook."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.campaign.imports import ElectorImportRejected, do_import_electors, format_count
from urne.campaign.models import Campaign


def find_campaign(reference: str) -> Campaign:
    """The campaign named by its number (as in the back office) or its exact name."""
    campaigns = Campaign.objects.all()
    found = (
        campaigns.filter(pk=int(reference))
        if reference.isdigit()
        else campaigns.filter(name__iexact=reference.strip())
    )
    matches = list(found[:2])
    if len(matches) != 1:
        known = ", ".join(f"{c.pk} « {c.name} »" for c in campaigns[:20]) or _("aucune")
        raise CommandError(
            _("Campagne introuvable ou ambiguë : « %(reference)s ». Campagnes connues : %(known)s.")
            % {"reference": reference, "known": known}
        )
    return matches[0]


class Command(BaseCommand):
    help = (
        "Importe les électeurs et leurs inscriptions sur les listes électorales depuis un fichier "
        "CSV ou un classeur XLSX (format : docs/import-format.md). Tout ou rien : une seule "
        "ligne en erreur et rien n'est enregistré."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("campaign", help=_("numéro ou nom exact de la campagne"))
        parser.add_argument(
            "file",
            help=_(
                "fichier CSV (UTF-8, séparateur « ; ») ou classeur XLSX ; « - » : entrée "
                "standard (CSV seulement)"
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("vérifier et compter les changements sans rien enregistrer"),
        )
        parser.add_argument("--report", help=_("écrire aussi le compte rendu dans ce fichier"))

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"])
        name: str = options["file"]

        def progress(lines: int) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(_("… %(count)s lignes") % {"count": format_count(lines)})

        try:
            if name == "-":
                report = do_import_electors(
                    campaign, sys.stdin.buffer, dry_run=options["dry_run"], progress=progress
                )
            else:
                try:
                    source = Path(name).open("rb")  # noqa: SIM115 - closed below
                except OSError as exc:
                    raise CommandError(
                        _("Impossible de lire « %(name)s » : %(reason)s")
                        % {"name": name, "reason": exc.strerror}
                    ) from exc
                with source:
                    report = do_import_electors(
                        campaign, source, dry_run=options["dry_run"], progress=progress
                    )
        except ElectorImportRejected as rejected:
            self._output(rejected.report.as_text(), options["report"])
            raise CommandError(
                _("Import refusé : %(count)s erreur(s), rien n'a été enregistré.")
                % {"count": format_count(rejected.report.error_count)}
            ) from None
        self._output(report.as_text(), options["report"])

    def _output(self, text: str, path: str | None) -> None:
        self.stdout.write(text)
        if path:
            Path(path).write_text(text + "\n", encoding="utf-8")

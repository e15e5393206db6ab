"""`urne audit verify [--json]` and `urne audit export --csv [--output FILE]`.

`verify` walks the whole chain (urne.audit.services.verify_chain): exit status 0 and a summary
(entries, last hash) when it holds, 1 and the first broken entry otherwise. Write the last hash
down somewhere else from time to time: an entry changed before it would then be seen even if
someone rewrote the whole chain after it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from urne.audit.export import csv_lines
from urne.audit.models import AuditEntry
from urne.audit.services import verify_chain


class Command(BaseCommand):
    help = "Vérifie ou exporte le journal d'audit (append-only, chaîné par empreintes SHA-256)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        verify = commands.add_parser(
            "verify", help=_("vérifier la chaîne entière (code de sortie 1 si elle est rompue)")
        )
        verify.add_argument("--json", action="store_true", help=_("résultat en JSON"))
        export = commands.add_parser("export", help=_("exporter le journal"))
        export.add_argument("--csv", action="store_true", required=True, help=_("au format CSV"))
        export.add_argument("--output", help=_("fichier à écrire (sinon la sortie standard)"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export":
            self._export(options["output"])
            return
        report = verify_chain()
        if options["json"]:
            problem = report.problem
            self.stdout.write(
                json.dumps(
                    {
                        "intact": report.intact,
                        "entries": report.entries,
                        "last_sequence": report.last_sequence,
                        "last_hash": report.last_hash,
                        "problem": None
                        if problem is None
                        else {
                            "sequence": problem.sequence,
                            "kind": problem.kind,
                            "message": problem.message,
                        },
                    },
                    ensure_ascii=False,
                )
            )
        elif report.problem is None:
            self.stdout.write(
                _("Journal d'audit intact : %(entries)d entrée(s), dernière empreinte %(hash)s")
                % {"entries": report.entries, "hash": report.last_hash}
            )
        if report.problem is not None:
            raise CommandError(
                _("Journal d'audit rompu : %(message)s (%(entries)d entrée(s) intactes avant)")
                % {"message": report.problem.message, "entries": report.entries},
                returncode=1,
            )

    def _export(self, output: str | None) -> None:
        lines = csv_lines(AuditEntry.objects.all())
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        try:
            with Path(output).open("w", encoding="utf-8", newline="") as out:
                out.writelines(lines)
        except OSError as error:
            raise CommandError(
                _("Impossible d'écrire « %(name)s » : %(reason)s")
                % {"name": output, "reason": error.strerror}
            ) from error

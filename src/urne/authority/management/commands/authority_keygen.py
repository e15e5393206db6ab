"""`urne authority_keygen --out DIR`: the credential authority's key pair.

See docs/credential-authority.md.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.authority.keys import write_key_pair


class Command(BaseCommand):
    help = (
        "Crée la paire de clés de l'autorité de certification des identifiants de vote : "
        "authority.key (privée, lisible par son seul propriétaire) et authority.pub (publique)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--out", required=True, help=_("dossier où écrire les deux clés"))

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["out"])
        try:
            private_path, public_path = write_key_pair(folder)
        except FileExistsError as error:
            raise CommandError(
                _(
                    "Une clé privée existe déjà dans %(folder)s : elle n'est jamais remplacée "
                    "(les identifiants scellés avec elle seraient perdus)."
                )
                % {"folder": folder}
            ) from error
        except OSError as error:
            raise CommandError(
                _("Impossible d'écrire dans %(folder)s : %(reason)s")
                % {"folder": folder, "reason": error.strerror}
            ) from error
        self.stdout.write(
            _(
                "Clé privée : %(private)s (à garder sur l'hôte de l'autorité seulement : "
                "URNE_AUTHORITY_PRIVATE_KEY)\nClé publique : %(public)s "
                "(URNE_AUTHORITY_PUBLIC_KEY)"
            )
            % {"private": private_path, "public": public_path}
        )

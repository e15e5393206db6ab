"""`urne close_elections`: close now every ballot box whose closing time has come and compute
the encrypted tallies still to compute (what the periodic task does; for an operator, or where
no celery beat runs). Idempotent: a box is closed once, a tally appended once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from urne.counting import closing


class Command(BaseCommand):
    help = _(
        "Clôt les urnes dont l'heure de clôture est passée et calcule les dépouillements "
        "chiffrés qui manquent (sans effet sur ce qui est déjà fait)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for election in closing.do_close_due_elections():
            self.stdout.write(_("Urne close : %(scrutin)s.") % {"scrutin": election.scrutin.code})
        for election in closing.untallied_elections():

            def report(progress: closing.Progress, code: str = election.scrutin.code) -> None:
                self.stdout.write(
                    _("Dépouillement de %(scrutin)s : %(done)d / %(total)d bulletins.")
                    % {"scrutin": code, "done": progress.done, "total": progress.total}
                )

            closing.do_compute_tally(election, report=report)
            self.stdout.write(
                _("Dépouillement chiffré publié : %(scrutin)s.")
                % {"scrutin": election.scrutin.code}
            )

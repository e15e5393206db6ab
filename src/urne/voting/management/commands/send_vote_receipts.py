"""`urne send_vote_receipts`: send now every receipt email still pending (what the workers do
after each ballot; for an operator after an outage of the broker or the mail server)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from urne.voting.receipts import do_send_pending_receipts


class Command(BaseCommand):
    help = _(
        "Envoie maintenant les accusés de réception de vote encore en attente (ce que font "
        "les workers après chaque bulletin)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = do_send_pending_receipts()
        self.stdout.write(_("%(count)d accusé(s) de réception envoyé(s).") % {"count": sent})

"""`urne resume_mailings`: queue again the mailings whose run fell silent (worker killed, machine
stopped) or that no worker took, so that they go on where they stopped. Safe to run at any time
(from cron, say every five minutes): a mailing sent by a live run is left alone, and no elector
gets a message twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from urne.mailings import sending, services
from urne.mailings.models import Mailing


class Command(BaseCommand):
    help = "Relance les envois de courriels interrompus (reprise là où ils s'étaient arrêtés)."

    def handle(self, *args: Any, **options: Any) -> None:
        stuck = Mailing.objects.filter(pk__in=sending.stale_mailings()).order_by("pk")
        for mailing in stuck:
            services.do_resume_mailing(None, mailing)
            self.stdout.write(
                _("Envoi n° %(id)d « %(subject)s » : relancé.")
                % {"id": mailing.pk, "subject": mailing.subject}
            )
        if not stuck:
            self.stdout.write(_("Aucun envoi interrompu."))

"""`urne demo_election [--voters N]`: a whole election on the demonstration campaign that `urne
demo` loaded — demo electors vote, the boxes close (the campaign's closing time is moved to now),
the bureau's allowed set decrypts, the president proclaims (`urne.demo.election`). Then the
results, seats and PV are in the back office and on /resultats/.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from urne.demo import election, generator
from urne.web.errors import VisitorError


class Command(BaseCommand):
    help = (
        "Démonstration : des électeurs votent, les urnes se ferment (l'heure de clôture de la "
        "campagne est avancée à maintenant), le président et deux délégués d'organisations "
        "différentes déchiffrent, le président proclame : résultats, sièges et procès-verbaux "
        "sont publiés."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--voters",
            type=int,
            default=election.VOTERS,
            help=f"électeurs qui votent dans chaque scrutin (défaut : {election.VOTERS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("La démonstration est interdite en production (URNE_PRODUCTION).")
        if options["voters"] < 0:
            raise CommandError("--voters : un nombre positif ou nul.")
        try:
            done = election.run_election(options["voters"], report=self.stdout.write)
        except VisitorError as refused:
            raise CommandError(str(refused.message)) from None
        site = settings.SITE_URL
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS(f"Élection de démonstration terminée : {len(done.scrutins)} "
                                 "scrutins dépouillés et proclamés."))  # fmt: skip
        for scrutin in done.scrutins:
            lists = ", ".join(f"{title} {votes}" for title, votes in scrutin.counts)
            write(f"  {scrutin.code} : {scrutin.tallied} votants, {scrutin.blank} blancs ; {lists}")
        write("")
        write("Où regarder :")
        write(f"  Résultats publics :           {site}{reverse('results:public_index')}")
        write(f"  Résultats, sièges, PV (gestion) : {site}{reverse('results:index')}")
        write(f"  Dépouillement (gestion) :     {site}{reverse('tally:index')}")
        write(f"  Tableau public et archives :  {site}/tableau/")
        write(
            f"  Gestion : {generator.STAFF_EMAIL} / {generator.STAFF_PASSWORD} ; bureau : "
            + ", ".join(f"{a.email} / {a.password}" for a in generator.BUREAU_ACCOUNTS[:1])
        )

"""`urne demo [--no-serve]`: prepare the database, load the demonstration (its vote open), say what
to try (and how to vote), serve.

`make demo` runs it with URNE_DEMO=1 URNE_DEBUG=1 on the embedded SQLite database (var/).
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from urne.demo import generator

ADDRESS = "127.0.0.1:8000"


def _url(name: str) -> str:
    return f"{settings.SITE_URL}{reverse(name)}"


class Command(BaseCommand):
    help = (
        "Prépare la base (migrations, cache), charge la campagne de démonstration si elle "
        "manque, affiche quoi essayer, puis sert le site sur http://127.0.0.1:8000."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--no-serve", action="store_true", help="préparer et afficher, sans servir le site"
        )
        parser.add_argument(
            "--addrport", default=ADDRESS, help=f"adresse et port du site (défaut : {ADDRESS})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "La démonstration crée des comptes aux mots de passe publics : elle est "
                "interdite en production (URNE_PRODUCTION)."
            )
        if "URNE_SITE_URL" not in os.environ:
            # Links in the demo's emails and in what is printed lead to the address served.
            settings.SITE_URL = f"http://{options['addrport']}"
        quiet = {"verbosity": 0}
        # The embedded database, the mail folder and the uploads live there.
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        self.stdout.write("Préparation de la base de données…")
        call_command("migrate", interactive=False, **quiet)
        call_command("createcachetable", **quiet)
        if generator.find_demo_campaign() is None:
            self.stdout.write("Chargement de la campagne de démonstration…")
        summary = generator.load_demo()
        self._explain(summary)
        if not options["no_serve"]:
            call_command(
                "runserver", options["addrport"], use_reloader=False, insecure_serving=True
            )

    def _explain(self, summary: generator.DemoSummary) -> None:
        write = self.stdout.write
        campaign = summary.campaign
        write("")
        write(
            self.style.SUCCESS(
                f"Campagne « {campaign.name} » "
                + (
                    "chargée"
                    if summary.created
                    else "déjà chargée : calendrier recalé sur aujourd'hui"
                )
                + f" — {summary.electors} électeurs, {summary.scrutins} scrutins, "
                f"{summary.lists} listes de candidats."
            )
        )
        write("")
        write("À essayer (données fictives) :")
        write(f"  Connexion à l'espace électeur : {_url('accounts:login')}")
        write(f"  Création d'un compte :          {_url('accounts:signup')}")
        write(f"  Espace électeur :               {_url('campaign:space')}")
        write(f"  FAQ et assistance :             {_url('support:faq')}")
        write(f"  Courriels envoyés :             {_url('demo:mailbox')}")
        write(f"  Gestion (back office) :         {_url('backoffice:home')}")
        write("")
        write(f"Comptes électeurs prêts (mot de passe : {generator.ELECTOR_PASSWORD}) :")
        for email, description in summary.ready_accounts:
            write(f"  {email} — {description}")
            identifier = generator.demo_identifier(email)
            if identifier:
                write(f"      identifiant de vote : {identifier}")
        if summary.without_account:
            write("")
            write(
                f"Inscrit sur les listes mais sans compte : {summary.without_account} — créez "
                "son compte, puis suivez le lien du courriel de confirmation."
            )
        write("")
        write("Gestion (/gestion/) :")
        write(
            f"  {generator.STAFF_EMAIL} / {generator.STAFF_PASSWORD} — tous les droits "
            "(démonstration uniquement)"
        )
        write(
            f"  {generator.HELPDESK_EMAIL} / {generator.HELPDESK_PASSWORD} — assistance : "
            "recherche des électeurs, renvoi de la confirmation, déblocage des comptes, "
            "lecture des demandes de mise à jour du profil, académie de Dijon seulement"
        )
        for account in generator.ROLE_ACCOUNTS:
            write(f"  {account.email} / {account.password} — {account.role}")
        write("")
        write(
            f"Les courriels ne partent pas : ils sont écrits dans {settings.EMAIL_FILE_PATH} "
            f"et se lisent sur {_url('demo:mailbox')}"
            + ("." if settings.DEMO else " (page visible avec URNE_DEMO=1, comme `make demo`).")
        )
        c = campaign
        write(
            "Calendrier : comptes, listes électorales et candidatures publiés ; identifiants "
            f"disponibles ; corrections closes le {_local(c.corrections_deadline)} ; vote ouvert "
            f"du {_local(c.vote_opens_at)} au {_local(c.vote_closes_at)} (heure du serveur)."
        )
        write("")
        write(
            "Voter : connectez-vous avec un compte prêt, « Mes scrutins » "
            f"({settings.SITE_URL}{reverse('campaign:scrutins')}), choisissez, puis tapez "
            "l'identifiant de vote ; l'accusé de réception donne l'empreinte du bulletin, à "
            f"retrouver sur le tableau public ({settings.SITE_URL}/tableau/)."
        )
        write(
            f"Identifiants de vote de tous les électeurs : {generator.identifiers_file()} "
            "(la démonstration y tient lieu des notices remises par le tiers de confiance)."
        )
        write("")
        write("Bureau de vote électronique (cérémonie des clés jouée par urne bureau_rehearsal) :")
        for member in generator.BUREAU_ACCOUNTS:
            write(f"  {member.email} / {member.password} — {member.description}")
        write(f"  Leurs fichiers de clé (hors de la base) : {generator.bureau_folder()}")
        write("")
        write(
            "Une élection entière (votes, clôture, déchiffrement par le bureau, proclamation) : "
            "URNE_DEMO=1 URNE_DEBUG=1 .venv/bin/urne demo_election, puis "
            f"{settings.SITE_URL}{reverse('results:public_index')}"
        )


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"

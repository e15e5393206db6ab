"""`urne seal create|verify|show [--campaign ID|NAME] [--json]`: seal the campaign before the
vote opens, recompute and compare its seal at any time, or show it (docs/sealing.md).

`verify` exits 0 when every component is identical, 1 naming each component that changed."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from urne.campaign.management.commands.import_electors import find_campaign
from urne.campaign.models import Campaign
from urne.campaign.services import NoCurrentCampaign, current_campaign
from urne.sealing import publish, services
from urne.sealing.models import CampaignSeal
from urne.voting.management.commands._common import local


class Command(BaseCommand):
    help = _(
        "Scellement de la campagne : « create » relève l'empreinte du code, de la "
        "configuration, de chaque scrutin et de l'urne vide avant l'ouverture ; « verify » la "
        "recalcule et la compare (code de sortie 1 si une composante a changé) ; « show » "
        "l'affiche."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,verify,show}"
        )
        for name, text in (
            ("create", _("sceller la campagne (avant l'ouverture du vote)")),
            ("verify", _("recalculer et comparer au dernier scellement")),
            ("show", _("afficher le dernier scellement")),
        ):
            action = actions.add_parser(name, help=text)
            action.add_argument(
                "--campaign",
                help=_("numéro ou nom exact de la campagne (défaut : la campagne en cours)"),
            )
            action.add_argument("--json", action="store_true", help=_("sortie en JSON"))
            if name == "verify":
                action.add_argument(
                    "--no-record",
                    action="store_true",
                    help=_("ne pas enregistrer la vérification (base en lecture seule)"),
                )

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = self._campaign(options.get("campaign"))
        try:
            if options["action"] == "create":
                self._create(campaign, options["json"])
            elif options["action"] == "verify":
                self._verify(campaign, options["json"], not options.get("no_record"))
            else:
                self._show(campaign, options["json"])
        except services.SealRefused as error:
            raise CommandError(str(error.message)) from None

    def _campaign(self, reference: str | None) -> Campaign:
        if reference:
            return find_campaign(reference)
        try:
            return current_campaign()
        except NoCurrentCampaign:
            raise CommandError(_("Aucune campagne n'existe encore.")) from None

    def _json(self, value: Any) -> None:
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))

    def _summary(self, seal: CampaignSeal) -> None:
        self.stdout.write(
            _("Scellement n° %(number)d de « %(campaign)s », le %(when)s par %(who)s")
            % {
                "number": seal.number,
                "campaign": seal.campaign.name,
                "when": local(seal.sealed_at),
                "who": seal.sealed_by,
            }
        )
        self.stdout.write(_("Empreinte : %(fingerprint)s") % {"fingerprint": seal.fingerprint})
        for row in publish.component_rows(seal):
            self.stdout.write(f"  {row.hash}  {row.name}  {row.label}")

    def _create(self, campaign: Campaign, as_json: bool) -> None:
        seal = services.do_seal_campaign(None, campaign)
        if as_json:
            self._json(publish.seal_as_json(seal, with_data=False))
            return
        self._summary(seal)
        self.stdout.write(self.style.SUCCESS(_("Campagne scellée.")))

    def _show(self, campaign: Campaign, as_json: bool) -> None:
        seal = services.latest_seal(campaign)
        if seal is None:
            raise CommandError(
                _("La campagne « %(campaign)s » n'a pas de scellement.")
                % {"campaign": campaign.name}
            )
        if as_json:
            self._json(publish.seal_as_json(seal))
            return
        self._summary(seal)

    def _verify(self, campaign: Campaign, as_json: bool, record: bool) -> None:
        outcome = services.do_verify_seal(None, campaign, record=record)
        seal = outcome.seal
        if as_json:
            self._json(
                {
                    "campaign": {"id": campaign.pk, "name": campaign.name},
                    "number": seal.number,
                    "recorded_fingerprint": seal.fingerprint,
                    "fingerprint": outcome.fingerprint,
                    "identical": outcome.identical,
                    "changes": [change.as_json() for change in outcome.changes],
                }
            )
        else:
            self.stdout.write(
                _("Scellement n° %(number)d du %(when)s, empreinte %(fingerprint)s")
                % {
                    "number": seal.number,
                    "when": local(seal.sealed_at),
                    "fingerprint": seal.fingerprint,
                }
            )
            for change in outcome.changes:
                self.stdout.write(f"- {change.component} : {change.message}")
        if not outcome.identical:
            raise CommandError(
                _("Scellement différent : %(count)d composante(s) changée(s) : %(names)s.")
                % {
                    "count": len(outcome.changes),
                    "names": ", ".join(change.component for change in outcome.changes),
                },
                returncode=1,
            )
        if not as_json:
            self.stdout.write(self.style.SUCCESS(_("identique")))

"""What the election setup commands share: finding the campaign and the scrutin named."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from urne.campaign.management.commands.import_electors import find_campaign
from urne.campaign.models import Campaign, Scrutin
from urne.web.errors import VisitorError

__all__ = ["add_campaign", "find_campaign", "find_scrutin", "local", "refused"]


def add_campaign(parser: ArgumentParser) -> None:
    parser.add_argument("--campaign", required=True, help=_("numéro ou nom exact de la campagne"))


def find_scrutin(campaign: Campaign, code: str) -> Scrutin:
    """The scrutin of `campaign` whose code is `code`; the known codes in the error."""
    found = campaign.scrutins.filter(code=code.strip()).first()
    if found is None:
        known = ", ".join(campaign.scrutins.order_by("code").values_list("code", flat=True))
        raise CommandError(
            _("Scrutin introuvable dans cette campagne : « %(code)s ». Scrutins : %(known)s.")
            % {"code": code, "known": known or _("aucun")}
        )
    return found


def refused(error: VisitorError) -> CommandError:
    """A refusal of the setup module, as the command's error (its message, nothing added)."""
    return CommandError(str(error.message))


def local(moment: datetime | None) -> str:
    """A stored time in the server's time zone, to the second."""
    if moment is None:
        return "—"
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M:%S}"

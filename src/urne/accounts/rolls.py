"""Who may create an account, and when: the rolls of the campaigns open for accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from urne import clock
from urne.campaign.models import ACCOUNTS, Campaign, Elector, latest_first
from urne.web import dates


def eligible_elector(address: str) -> Elector | None:
    """The elector this (normalized) address names on the roll of a campaign open for accounts.

    The campaign's calendar says when it is open for accounts (ACCOUNTS); should several be
    open, the latest wins.
    """
    return (
        Elector.objects.filter(ACCOUNTS.q(clock.now(), prefix="campaign__"), email=address)
        .select_related("campaign", "academy")
        .order_by(*latest_first("campaign__"))
        .first()
    )


@dataclass(frozen=True)
class SignupCalendar:
    """Whether "CRÉER MON COMPTE" is open now, and otherwise from when."""

    is_open: bool
    opens_at: datetime | None

    def notice(self) -> str:
        if self.is_open:
            return ""
        if self.opens_at is not None:
            return _(
                "La création des comptes électeurs ouvrira le %(date)s. Revenez à partir de "
                "cette date pour créer votre compte."
            ) % {"date": dates.day_month_year_hour(self.opens_at)}
        return _("Aucune élection n'est en préparation : la création des comptes est fermée.")


def signup_calendar() -> SignupCalendar:
    now = clock.now()
    if Campaign.objects.accounts_open(now).exists():
        return SignupCalendar(is_open=True, opens_at=None)
    upcoming = Campaign.objects.accounts_not_yet_open(now).first()
    return SignupCalendar(is_open=False, opens_at=upcoming.accounts_open_at if upcoming else None)

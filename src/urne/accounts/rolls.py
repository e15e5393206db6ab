"""Who may create an account, and when: the rolls of the campaigns open for accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from urne import clock
from urne.campaign.models import Campaign, Elector
from urne.web import dates


def eligible_elector(address: str) -> Elector | None:
    """The elector this (normalized) address names on the roll of a campaign open for accounts.

    A campaign is open for accounts from `accounts_open_at` until its vote closes; should several
    be open, the latest wins.
    """
    now = clock.now()
    return (
        Elector.objects.filter(
            email=address, campaign__accounts_open_at__lte=now, campaign__vote_closes_at__gt=now
        )
        .select_related("campaign", "academy")
        .order_by("-campaign__year", "-campaign__accounts_open_at", "-pk")
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
    current = Campaign.objects.filter(vote_closes_at__gt=now)
    if current.filter(accounts_open_at__lte=now).exists():
        return SignupCalendar(is_open=True, opens_at=None)
    upcoming = current.order_by("accounts_open_at").first()
    return SignupCalendar(is_open=False, opens_at=upcoming.accounts_open_at if upcoming else None)

"""Invitations: staff ask every elector of a campaign without an account to create one.

The rules of an invitation live here: who is due one (`pending_electors`), when they may leave
(`check_invitations_open`), and the elector's own claim (`claim`, `release`). The sending is a
mailing's (`urne.mailings`): `urne send_invitations` and the admin's action make a mailing of the
campaign's invitations with the invitation mail's text and run it; staff may also compose one in
/gestion/envois/. Whichever way, each elector is *claimed* by a conditional update of
`invitation_sent_at` just before their message leaves: exactly one run can win it, so no one gets
the invitation twice, however many runs or mailings overlap. A message the mail server refuses
gives its claim back, so that the next invitations retry it.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from urne import clock
from urne.campaign.models import Campaign, Elector
from urne.web import dates
from urne.web.errors import VisitorError


class InvitationsNotOpen(VisitorError):
    """The campaign's account creation has not opened yet, or its vote is over."""


def pending_electors(campaign_id: int) -> QuerySet[Elector]:
    """Electors of the campaign who have no account and were not invited yet."""
    return Elector.objects.filter(
        campaign_id=campaign_id, invitation_sent_at__isnull=True, account__isnull=True
    )


def check_invitations_open(campaign: Campaign) -> None:
    now = clock.now()
    if campaign.accounts_open(now):
        return
    if campaign.accounts_not_yet_open(now):
        raise InvitationsNotOpen(
            _(
                "La création des comptes de la campagne « %(campaign)s » n'ouvre que le "
                "%(date)s : les invitations ne peuvent pas partir avant."
            )
            % {
                "campaign": campaign.name,
                "date": dates.day_month_year_hour(campaign.accounts_open_at),
            }
        )
    raise InvitationsNotOpen(
        _("Le vote de la campagne « %(campaign)s » est clos.") % {"campaign": campaign.name}
    )


def claim(elector_id: int, at: datetime) -> bool:
    """True when this worker, and no other, now owns the elector's invitation."""
    return (
        Elector.objects.filter(pk=elector_id, invitation_sent_at=None).update(invitation_sent_at=at)
        == 1
    )


def release(elector_id: int, at: datetime) -> None:
    """Give a claim back (its message did not leave), unless someone else holds it by now."""
    Elector.objects.filter(pk=elector_id, invitation_sent_at=at).update(invitation_sent_at=None)

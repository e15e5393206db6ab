"""Who a mailing goes to, and when it may go: one rule per kind, read by the preview, the count,
the run that prepares the recipients and the run that checks each one again before sending.

- invitation: the electors without an account who were never invited (the invitations' own rule,
  `urne.accounts.invitations.pending_electors`), while accounts may be created;
- account reminder: the electors without an account, or whose account was never confirmed, while
  accounts may be created;
- vote reminder: the electors on a roll (the scrutin's, or any of the campaign's) with no
  émargement in that scrutin, while the vote is open. Only `Emargement.elector`, `.election` and
  `.voted_at` are read: never the ballot box.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from urne import clock
from urne.accounts import invitations
from urne.accounts.models import User
from urne.campaign.models import Elector, RollEntry
from urne.mailings.models import Kind, Mailing
from urne.voting.models import Emargement
from urne.web import dates
from urne.web.errors import VisitorError


class MailingClosed(VisitorError):
    """The campaign's calendar does not allow this kind of mailing now."""


def _not_voted_rolls(mailing: Mailing) -> QuerySet[RollEntry]:
    """The roll entries (of the mailing's scrutin, or of any) whose elector has not voted there."""
    voted = Emargement.objects.filter(
        elector_id=OuterRef("elector_id"), election__scrutin_id=OuterRef("scrutin_id")
    )
    entries = RollEntry.objects.filter(elector_id=OuterRef("pk")).exclude(Exists(voted))
    if mailing.scrutin_id is not None:
        entries = entries.filter(scrutin_id=mailing.scrutin_id)
    return entries


def recipients(mailing: Mailing) -> QuerySet[Elector]:
    """The electors the mailing is for, now (its kind's rule within its perimeter)."""
    electors = Elector.objects.filter(campaign_id=mailing.campaign_id)
    if mailing.academy_id is not None:
        electors = electors.filter(academy_id=mailing.academy_id)
    if mailing.scrutin_id is not None and mailing.kind != Kind.VOTE_REMINDER:
        electors = electors.filter(
            Exists(
                RollEntry.objects.filter(elector_id=OuterRef("pk"), scrutin_id=mailing.scrutin_id)
            )
        )
    if mailing.kind == Kind.INVITATION:
        return electors.filter(
            pk__in=invitations.pending_electors(mailing.campaign_id).values("pk")
        )
    if mailing.kind == Kind.ACCOUNT_REMINDER:
        confirmed = User.objects.filter(elector_id=OuterRef("pk"), confirmed_at__isnull=False)
        return electors.exclude(Exists(confirmed))
    return electors.filter(Exists(_not_voted_rolls(mailing)))


def still_concerned(mailing: Mailing, elector_ids: list[int]) -> set[int]:
    """Those of `elector_ids` the mailing is still for (an elector who voted, or created their
    account, since the recipients were listed gets nothing)."""
    return set(recipients(mailing).filter(pk__in=elector_ids).values_list("pk", flat=True))


def check_mailing_open(mailing: Mailing) -> None:
    """Raise MailingClosed unless the calendar allows the mailing's kind now."""
    campaign = mailing.campaign
    now = clock.now()
    if mailing.kind in (Kind.INVITATION, Kind.ACCOUNT_REMINDER):
        if mailing.kind == Kind.INVITATION:
            try:
                invitations.check_invitations_open(campaign)
            except invitations.InvitationsNotOpen as refused:
                raise MailingClosed(refused.message) from None
            return
        if not campaign.accounts_open(now):
            raise MailingClosed(
                _(
                    "La création des comptes n'est pas ouverte (elle ouvre le %(date)s et ferme "
                    "à la clôture du vote) : cette relance ne peut pas partir maintenant."
                )
                % {"date": dates.day_month_year_hour(campaign.accounts_open_at)}
            )
        return
    if not campaign.vote_open(now):
        raise MailingClosed(
            _(
                "Le vote n'est pas ouvert (du %(opens)s au %(closes)s) : la relance des "
                "électeurs qui n'ont pas voté ne part que pendant le vote."
            )
            % {
                "opens": dates.day_month_year_hour(campaign.vote_opens_at),
                "closes": dates.day_month_year_hour(campaign.vote_closes_at),
            }
        )

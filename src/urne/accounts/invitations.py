"""Invitations: staff ask every elector of a campaign without an account to create one.

The mailing is resumable and safe with several workers. Each elector is *claimed* by a
conditional update of `invitation_sent_at` just before their message leaves; exactly one worker
can win a claim, so no one gets the invitation twice, however many runs overlap. A message that
fails gives its claim back, so the next run retries it; a crash in the middle of a batch (worker
killed, time limit) gives back the claim of the message in flight before it propagates.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.core.mail import get_connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from urne import clock
from urne.accounts.mail import invitation_message
from urne.campaign.models import Campaign, Elector
from urne.web import dates
from urne.web.errors import VisitorError

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


class InvitationsNotOpen(VisitorError):
    """The campaign's account creation has not opened yet, or its vote is over."""


@dataclass(frozen=True)
class BatchReport:
    sent: int = 0
    failed: int = 0

    def __add__(self, other: BatchReport) -> BatchReport:
        return BatchReport(self.sent + other.sent, self.failed + other.failed)


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


def pending_batches(campaign: Campaign, size: int | None = None) -> Iterator[list[int]]:
    """The ids of the electors still to invite, BATCH_SIZE at a time, in id order (keyset
    paging, so a million electors never sit in memory at once)."""
    size = size or BATCH_SIZE
    last = 0
    while True:
        batch = list(
            pending_electors(campaign.pk)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def claim(elector_id: int, at: datetime) -> bool:
    """True when this worker, and no other, now owns the elector's invitation."""
    return (
        Elector.objects.filter(pk=elector_id, invitation_sent_at=None).update(invitation_sent_at=at)
        == 1
    )


def release(elector_id: int, at: datetime) -> None:
    """Give a claim back (its message did not leave), unless someone else holds it by now."""
    Elector.objects.filter(pk=elector_id, invitation_sent_at=at).update(invitation_sent_at=None)


def do_send_invitation_batch(campaign_id: int, elector_ids: list[int]) -> BatchReport:
    """Send the invitations of these electors that are still due, over one mail connection."""
    electors = (
        pending_electors(campaign_id)
        .filter(pk__in=elector_ids)
        .select_related("campaign", "academy")
        .order_by("pk")
    )
    report = BatchReport()
    with get_connection() as connection:
        for elector in electors:
            stamp = clock.now()
            if not claim(elector.pk, stamp):
                continue  # another worker took it between our query and now
            message = invitation_message(elector)
            message.connection = connection
            try:
                message.send()
            except Exception as error:
                release(elector.pk, stamp)
                report += BatchReport(failed=1)
                # The elector's id, never their address: logs are not a copy of the roll.
                logger.warning(
                    "Invitation to elector %s not sent (%s); it will be retried by the next run",
                    elector.pk,
                    type(error).__name__,
                )
            except BaseException:
                release(elector.pk, stamp)
                raise
            else:
                report += BatchReport(sent=1)
    return report

"""Background work of the voter's account (Celery; run in-process without a broker).

Requests never talk to the mail server: they schedule one of these tasks once their transaction
commits, so the answer and its timing do not depend on the mail server, nor on the address.
"""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from urne.accounts import invitations
from urne.accounts.mail import (
    account_message_for,
    correction_answer_message,
    password_reset_candidates,
    password_reset_message,
)
from urne.campaign.models import Campaign, ProfileCorrectionRequest


@shared_task(name="urne.accounts.send_account_mail")  # type: ignore[untyped-decorator]
def send_account_mail(address: str) -> None:
    """The mail an address gets after "CRÉER MON COMPTE" or a resend request, if any."""
    message = account_message_for(address)
    if message is not None:
        message.send()


@shared_task(name="urne.accounts.send_password_reset_mail")  # type: ignore[untyped-decorator]
def send_password_reset_mail(address: str) -> None:
    for user in password_reset_candidates(address):
        password_reset_message(user).send()


@shared_task(name="urne.accounts.send_invitation_batch")  # type: ignore[untyped-decorator]
def send_invitation_batch(campaign_id: int, elector_ids: list[int]) -> dict[str, int]:
    return asdict(invitations.do_send_invitation_batch(campaign_id, elector_ids))


@shared_task(name="urne.accounts.send_invitations")  # type: ignore[untyped-decorator]
def send_invitations(campaign_id: int) -> dict[str, int]:
    """Split the pending electors into batches, one task each, so that workers share them.

    With a broker the batches run later, on any worker, and this returns what it queued.
    Without one (the embedded default) each batch runs at once and the counts are final.
    """
    campaign = Campaign.objects.get(pk=campaign_id)
    invitations.check_invitations_open(campaign)
    summary = {"batches": 0, "sent": 0, "failed": 0}
    for batch in invitations.pending_batches(campaign):
        result = send_invitation_batch.delay(campaign_id, batch)
        summary["batches"] += 1
        if result.ready():
            summary["sent"] += result.result["sent"]
            summary["failed"] += result.result["failed"]
    return summary


@shared_task(name="urne.accounts.send_correction_answer")  # type: ignore[untyped-decorator]
def send_correction_answer(request_id: int) -> None:
    """Tell the elector how their profile correction request was answered."""
    request = (
        ProfileCorrectionRequest.objects.select_related("elector__campaign", "elector__academy")
        .filter(pk=request_id)
        .exclude(status=ProfileCorrectionRequest.Status.SUBMITTED)
        .first()
    )
    if request is not None:
        correction_answer_message(request).send()

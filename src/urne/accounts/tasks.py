"""Background work of the voter's account (Celery; run in-process without a broker).

Requests never talk to the mail server: they schedule one of these tasks once their transaction
commits, so the answer and its timing do not depend on the mail server, nor on the address.
"""

from __future__ import annotations

from celery import shared_task

from urne.accounts.mail import (
    account_message_for,
    correction_answer_message,
    password_reset_candidates,
    password_reset_message,
)
from urne.campaign.models import Campaign, ProfileCorrectionRequest
from urne.mailings import sending, services


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


@shared_task(name="urne.accounts.send_invitations")  # type: ignore[untyped-decorator]
def send_invitations(campaign_id: int) -> dict[str, int]:
    """Invite the campaign's electors who have no account and were never invited, as a mailing
    of its own (`urne.mailings`: throttled, each send recorded, visible in /gestion/envois/),
    run here. Returns the mailing's id and its counts."""
    campaign = Campaign.objects.get(pk=campaign_id)
    mailing = services.make_invitations_mailing(campaign)
    report = sending.run_mailing(mailing.pk)
    return {"mailing": mailing.pk, "sent": report.sent, "failed": report.failed}


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

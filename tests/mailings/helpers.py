"""Making and sending mailings in tests, through the services as the pages do."""

from __future__ import annotations

from django.core import mail
from django.http import HttpRequest
from django.test import RequestFactory, TestCase

from urne.accounts.models import User
from urne.campaign.models import Academy, Campaign, Scrutin
from urne.mailings import composing, services
from urne.mailings.models import Kind, Mailing


def request_of(user: User) -> HttpRequest:
    request = RequestFactory().post("/gestion/envois/")
    request.user = user
    return request


def draft(
    user: User,
    kind: str = Kind.ACCOUNT_REMINDER,
    *,
    campaign: Campaign,
    academy: Academy | None = None,
    scrutin: Scrutin | None = None,
    subject: str | None = None,
    body: str | None = None,
) -> Mailing:
    default_subject, default_body = composing.default_text(kind, campaign)
    return services.do_create_mailing(
        request_of(user),
        services.Draft(
            kind=kind,
            campaign=campaign,
            academy=academy,
            scrutin=scrutin,
            subject=default_subject if subject is None else subject,
            body=default_body if body is None else body,
        ),
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def send_now(user: User, mailing: Mailing) -> Mailing:
    """`mailing` sent by `user`, its transaction committed: in the embedded default the run
    happens then, in-process."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.do_send_mailing(request_of(user), mailing)
    mailing.refresh_from_db()
    return mailing

"""The emails of the voter's account, in French, in the seed's words.

Each function builds one complete message; tasks.py sends them. Links are absolute, built on
URNE_SITE_URL. Messages name the person as the seed does ("M. / Mme Prénom NOM") and end with the
FAQ and the assistance of their academy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from urne import clock
from urne.accounts.models import User
from urne.accounts.rolls import eligible_elector
from urne.accounts.tokens import confirmation_token_generator, password_reset_token_generator
from urne.campaign.models import Campaign, Elector, ProfileCorrectionRequest
from urne.web import dates


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def faq_url(campaign: Campaign | None) -> str:
    if campaign is not None and campaign.faq_url:
        return campaign.faq_url
    return absolute(reverse("support:faq"))


def user_link(view_name: str, user: User, token: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute(reverse(view_name, kwargs={"uidb64": uidb64, "token": token}))


def _message(
    template: str, to: str, elector: Elector | None, context: dict[str, Any]
) -> EmailMessage:
    """Render accounts/email/<template>_subject.txt and _body.txt in French."""
    campaign = elector.campaign if elector is not None else None
    full = {
        "elector": elector,
        "campaign": campaign,
        "year": campaign.year if campaign is not None else clock.now().year,
        "faq_url": faq_url(campaign),
        "academy": elector.academy if elector is not None else None,
        **context,
    }
    with translation.override("fr"):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", full)
        body = render_to_string(f"accounts/email/{template}_body.txt", full)
    reply_to = [elector.academy.assistance_email] if elector is not None else []
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[to],
        reply_to=reply_to,
    )


def confirmation_message(user: User) -> EmailMessage:
    """ "Elections professionnelles <year> : confirmez votre compte électeur"."""
    token = confirmation_token_generator.make_token(user)
    return _message(
        "confirmation",
        user.email,
        user.elector,
        {"confirm_url": user_link("accounts:confirm", user, token)},
    )


def already_registered_message(to: str, elector: Elector | None) -> EmailMessage:
    """To someone who asks for an account they already have: log in, or reset the password."""
    return _message(
        "already_registered",
        to,
        elector,
        {
            "login_url": absolute(reverse("accounts:login")),
            "reset_url": absolute(reverse("accounts:password_reset")),
        },
    )


def password_reset_message(user: User) -> EmailMessage:
    token = password_reset_token_generator.make_token(user)
    return _message(
        "password_reset",
        user.email,
        user.elector,
        {
            "reset_url": user_link("accounts:password_reset_confirm", user, token),
            "user_confirmed": user.confirmed_at is not None,
        },
    )


def account_message_for(address: str) -> EmailMessage | None:
    """What an address gets after "CRÉER MON COMPTE" or "renvoyer le message": the truth.

    - an account waiting for confirmation: the confirmation link (again);
    - a confirmed account: a reminder that it exists, with the login and reset links;
    - an elector whose account uses another address: the same reminder;
    - anything else (not on an open roll, an account disabled by staff): nothing.
    """
    user = User.objects.filter(email=address).select_related("elector__campaign").first()
    if user is not None:
        if user.is_active:
            return already_registered_message(address, user.elector)
        if user.confirmed_at is None:
            return confirmation_message(user)
        return None
    elector = eligible_elector(address)
    if elector is not None and User.objects.filter(elector=elector).exists():
        return already_registered_message(address, elector)
    return None


def password_reset_candidates(address: str) -> list[User]:
    """Accounts this address may reset: active ones, and accounts waiting for confirmation
    (setting a password through the mailbox confirms them). Disabled accounts stay disabled."""
    return list(
        User.objects.filter(email=address)
        .filter(Q(is_active=True) | Q(confirmed_at=None, elector__isnull=False))
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .select_related("elector__campaign", "elector__academy")
    )


def correction_answer_message(request: ProfileCorrectionRequest) -> EmailMessage:
    """The answer to a profile correction request: accepted (with what the record now says) or
    refused (with the reason staff gave). Sent to the elector's address as it now stands, which
    is their account's login address."""
    elector = request.elector
    account = User.objects.filter(elector=elector).only("email").first()
    return _message(
        "correction_answer",
        account.email if account is not None else elector.email,
        elector,
        {
            "request": request,
            "accepted": request.status == ProfileCorrectionRequest.Status.ACCEPTED,
            "field": request.get_field_display(),
            "asked_on": dates.day_month_year(request.created_at),
            "profile_url": absolute(reverse("campaign:profile")),
        },
    )

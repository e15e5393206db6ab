"""The voter account's verbs: create, confirm, log in, reset the password.

Views call these and nothing else touches accounts. Rules that shape them:

- nothing reveals whether an address is on the rolls or has an account: creating an account and
  asking for an email give the same answer and do the same work (one password hash, one task
  scheduled) for every address; the email, sent by a task, tells the truth to the mailbox;
- an account is usable only once confirmed from its mailbox, by the person who knows its password.
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from urne import clock
from urne.accounts import tasks, throttle
from urne.accounts.models import User
from urne.accounts.rolls import eligible_elector, signup_calendar
from urne.accounts.tokens import confirmation_token_generator
from urne.audit import services as audit
from urne.operations import metrics
from urne.web.errors import VisitorError

# Every user logs in with a password checked here, through Django's own backend.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 (a class path)


class AccountError(VisitorError):
    """A refusal of the account's pages; `message` says why, in French."""


class SignupClosed(AccountError):
    """Account creation is not open (yet); the message says from when."""

    status = 403


class InvalidLogin(AccountError):
    message = _(
        "Adresse de messagerie professionnelle ou mot de passe incorrect. Vérifiez votre saisie "
        "(les majuscules comptent dans le mot de passe)."
    )


class AccountNotConfirmed(AccountError):
    message = _(
        "Votre compte électeur n'est pas encore confirmé : cliquez sur le lien du message "
        "« confirmez votre compte électeur » envoyé à votre adresse professionnelle."
    )


class AccountDisabled(AccountError):
    message = _("Ce compte est désactivé. Contactez votre assistance académique.")


class InvalidLink(AccountError):
    message = _("Ce lien n'est pas valide : il a déjà servi, il a expiré ou il est incomplet.")


def check_signup_open() -> None:
    calendar = signup_calendar()
    if not calendar.is_open:
        raise SignupClosed(calendar.notice())


def _schedule_account_mail(address: str) -> None:
    transaction.on_commit(partial(tasks.send_account_mail.delay, address))


@sensitive_variables("password", "hashed")
def do_request_account(address: str, password: str) -> None:
    """ "JE CRÉE MON COMPTE": an inactive account if the address is on an open roll.

    Whatever the address, the password is hashed (the costly step, so the time taken does not
    tell) and one mail task is scheduled, which decides what, if anything, to send.
    """
    check_signup_open()
    hashed = make_password(password)
    with transaction.atomic():
        elector = eligible_elector(address)
        if (
            elector is not None
            and not User.objects.filter(Q(email=address) | Q(elector=elector)).exists()
        ):
            try:
                with transaction.atomic():
                    User.objects.create(
                        email=address, elector=elector, password=hashed, is_active=False
                    )
            except IntegrityError:
                pass  # a simultaneous request created it: the mail below serves both
        _schedule_account_mail(address)


def do_request_confirmation_mail(address: str) -> None:
    """ "Renvoyer le message de confirmation": same answer, the task decides what to send."""
    with transaction.atomic():
        _schedule_account_mail(address)


def do_request_password_reset(address: str) -> None:
    with transaction.atomic():
        transaction.on_commit(partial(tasks.send_password_reset_mail.delay, address))


@sensitive_variables("password")
def _check_password(request: HttpRequest, address: str, user: User | None, password: str) -> User:
    """The one place a password is checked, always within the login limits (per address and
    per client, urne.accounts.throttle): TooManyAttempts before the check once one is reached;
    a wrong password stays counted, a right one is given back."""
    attempt = throttle.begin_password_check(request, address)
    if user is None:
        # Hash anyway, so that an unknown address takes as long as a wrong password.
        User().set_password(password)
        raise InvalidLogin
    if not user.check_password(password):
        if user.is_staff or user.is_superuser:
            audit.record(user, "staff.login_failed", user)  # who and from where, no password
        raise InvalidLogin
    attempt.succeeded()
    return user


@sensitive_variables("password")
def check_login(request: HttpRequest, address: str, password: str) -> User:
    """The account this address and password open, or the reason they do not. Every login,
    voter or staff, comes here (the back office's own login page sends to ours): the one place
    logins are counted (urne.operations.metrics, by outcome only)."""
    try:
        user = _decide_login(request, address, password)
    except Exception as refusal:
        metrics.count_login_refused("password", refusal)
        raise
    metrics.count_login("password", "succeeded")
    return user


@sensitive_variables("password")
def _decide_login(request: HttpRequest, address: str, password: str) -> User:
    user = _check_password(request, address, User.objects.filter(email=address).first(), password)
    # Only someone who knows the password learns the account's state.
    if not user.is_active:
        raise AccountNotConfirmed if user.confirmed_at is None else AccountDisabled
    if user.is_staff or user.is_superuser:
        audit.record(user, "staff.login", user)
    return user


def check_confirmation_link(uidb64: str, token: str) -> User:
    """The account waiting for confirmation this link was made for, if it is still valid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
        user = User.objects.get(pk=pk)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        raise InvalidLink from None
    if user.confirmed_at is not None or not confirmation_token_generator.check_token(user, token):
        raise InvalidLink
    return user


@sensitive_variables("password")
def check_confirmation(request: HttpRequest, uidb64: str, token: str, password: str) -> User:
    """The account this link confirms, once its password is given (within the login limits)."""
    user = check_confirmation_link(uidb64, token)
    try:
        return _check_password(request, user.email, user, password)
    except InvalidLogin:
        raise InvalidLogin(
            _(
                "Mot de passe incorrect : saisissez le mot de passe choisi lors de la création "
                "de votre compte."
            )
        ) from None


def do_confirm_account(user: User) -> None:
    """Make the account usable. The change of state voids every confirmation link made."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.confirmed_at is not None:
            raise InvalidLink
        locked.is_active = True
        locked.confirmed_at = clock.now()
        locked.save(update_fields=["is_active", "confirmed_at"])
    user.is_active, user.confirmed_at = locked.is_active, locked.confirmed_at


@sensitive_variables("password")
def do_set_password(user: User, password: str) -> None:
    """A new password through a reset link; it also confirms an account waiting for it, since
    the link proved the mailbox and the password is the mailbox owner's."""
    with transaction.atomic():
        user.set_password(password)
        fields = ["password"]
        if user.confirmed_at is None and user.elector_id is not None:
            user.is_active = True
            user.confirmed_at = clock.now()
            fields += ["is_active", "confirmed_at"]
        user.save(update_fields=fields)
        if user.is_staff or user.is_superuser:
            audit.record(user, "staff.password_reset", user)
    # Whoever followed the link holds the mailbox: wrong passwords typed by others for this
    # address no longer lock its owner out (the new password works at once).
    throttle.unlock_login(user.email)

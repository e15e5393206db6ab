"""The staff sign-in's verbs, after the password: enrol a TOTP application, check a code.

A staff member (or superuser) whose password proved right is *not* logged in: the session only
remembers, for ten minutes, who gave it (`do_begin_sign_in`). Django's login happens once the
second factor is given (`do_complete_sign_in`), and the session then records the device that
verified it (django-otp), which the back office's admin site requires (urne.staffauth.sites).

- First sign-in without a confirmed TOTP device: enrolment. An unconfirmed device is made (its
  secret shown as a QR code and as text); a right code confirms it, and ten single-use recovery
  codes are made and shown once.
- Later: the code of the application, or one recovery code (consumed when used).
- Every code typed is counted before it is checked, per account and per client network
  (urne.accounts.throttle.begin_code_check), and given back when right.
- A TOTP code is accepted once: django-otp's device keeps the time step of the last accepted
  code (`last_t`) and accepts only later ones; the device's row is locked while it checks, so
  two requests with one code cannot both pass.
- django-otp stores recovery codes as typed; ours are stored as a keyed hash (HMAC-SHA256 with
  SECRET_KEY, cut to the 16 characters the library's column holds), so the table alone gives
  none away.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from collections.abc import Iterable
from typing import Any, TypedDict

import segno
from django.contrib import auth
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from urne import clock
from urne.accounts import throttle
from urne.accounts.models import User
from urne.accounts.services import PASSWORD_BACKEND
from urne.operations import metrics
from urne.web.errors import VisitorError

# How long the password given stays good for the second step.
PENDING_SECONDS = 10 * 60
RECOVERY_CODE_COUNT = 10
# Letters and digits that cannot be misread for one another (no 0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
_TOTP_CODE = re.compile(r"^\d{6}$")

_PENDING = "urne_staff_sign_in"
_NEW_RECOVERY_CODES = "urne_new_recovery_codes"


class SecondFactorError(VisitorError):
    """A refusal of the second-factor pages; `message` says why, in French."""


class NoPendingSignIn(SecondFactorError):
    message = _(
        "Votre connexion a expiré ou n'a pas commencé : saisissez à nouveau votre adresse de "
        "messagerie et votre mot de passe."
    )


class InvalidCode(SecondFactorError):
    message = _(
        "Code incorrect ou déjà utilisé. Saisissez le code à 6 chiffres que votre application "
        "d'authentification affiche maintenant (chaque code ne sert qu'une fois : attendez le "
        "suivant), ou l'un de vos codes de secours."
    )


class InvalidEnrolmentCode(InvalidCode):
    message = _(
        "Code incorrect ou déjà utilisé. Saisissez le code à 6 chiffres que votre application "
        "d'authentification affiche maintenant pour ce compte, après avoir scanné le QR code "
        "ou saisi la clé de cette page."
    )


class AlreadyEnrolled(SecondFactorError):
    message = _("Votre application d'authentification est déjà enregistrée.")


class _Pending(TypedDict):
    user: int
    since: float
    next: str
    check: str


def needs_second_factor(user: Any) -> bool:
    """Staff and superusers sign in with a second factor; electors with their password only."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def do_begin_sign_in(request: HttpRequest, user: User, next_url: str) -> None:
    """The password of `user` proved right: remember it for the second step, without logging
    in. A new session key, so that a key planted before cannot ride on the sign-in."""
    request.session.cycle_key()
    request.session[_PENDING] = _Pending(
        user=user.pk,
        since=clock.now().timestamp(),
        next=next_url,
        check=user.get_session_auth_hash(),
    )


def access_pending_user(request: HttpRequest) -> User:
    """The staff member who gave their password in this session less than ten minutes ago,
    still active and with the same password; NoPendingSignIn otherwise."""
    pending = request.session.get(_PENDING)
    user = None
    if isinstance(pending, dict) and isinstance(pending.get("user"), int):
        user = User.objects.filter(pk=pending["user"]).first()
    fresh = (
        user is not None
        and isinstance(pending, dict)
        and clock.now().timestamp() - float(pending.get("since", 0)) < PENDING_SECONDS
        and user.is_active
        and needs_second_factor(user)
        and constant_time_compare(str(pending.get("check", "")), user.get_session_auth_hash())
    )
    if not fresh or user is None:
        request.session.pop(_PENDING, None)
        raise NoPendingSignIn
    return user


def is_enrolled(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def access_enrolment_device(user: User) -> TOTPDevice:
    """The TOTP device being enrolled for `user`, made at the first visit and kept until
    confirmed (a reload shows the same secret); AlreadyEnrolled once one is confirmed."""
    if is_enrolled(user):
        raise AlreadyEnrolled
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Application d'authentification", confirmed=False
        )
    return device


def secret_text(device: TOTPDevice) -> str:
    """The device's secret as authenticator applications take it typed: base 32, in groups
    of four."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice, label: str) -> str:
    """The device's otpauth:// address as an inline SVG QR code, named `label` for assistive
    technologies (the secret in text is the alternative)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff"
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(label)}" ', 1)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


@sensitive_variables("code")
def check_enrolment_code(request: HttpRequest, user: User, code: str) -> TOTPDevice:
    """The enrolment device of `user`, once a code it makes now was typed (within the code
    limits); InvalidEnrolmentCode otherwise. Counted as a login's second step (its outcome only,
    urne.operations.metrics)."""
    try:
        device = _check_enrolment_code(request, user, code)
    except Exception as refusal:
        metrics.count_login_refused("second_factor", refusal)
        raise
    metrics.count_login("second_factor", "succeeded")
    return device


@sensitive_variables("code", "typed")
def _check_enrolment_code(request: HttpRequest, user: User, code: str) -> TOTPDevice:
    attempt = throttle.begin_code_check(request, user.email)
    typed = _normalize(code)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not _TOTP_CODE.match(typed) or not device.verify_token(typed):
            raise InvalidEnrolmentCode
    attempt.succeeded()
    return device


@sensitive_variables("code")
def check_code(request: HttpRequest, user: User, code: str) -> Device:
    """The device of `user` that accepts this code (within the code limits): the TOTP
    application for six digits, else the recovery codes, which consume the one used.
    InvalidCode otherwise, a code already used included. Counted as a login's second step (its
    outcome only, urne.operations.metrics)."""
    try:
        device = _check_code(request, user, code)
    except Exception as refusal:
        metrics.count_login_refused("second_factor", refusal)
        raise
    metrics.count_login("second_factor", "succeeded")
    return device


@sensitive_variables("code", "typed")
def _check_code(request: HttpRequest, user: User, code: str) -> Device:
    attempt = throttle.begin_code_check(request, user.email)
    typed = _normalize(code)
    with transaction.atomic():
        device: Device | None
        if _TOTP_CODE.match(typed):
            device = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
            accepted = device is not None and device.verify_token(typed)
        else:
            device = (
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
            accepted = (
                device is not None
                and len(typed) == _RECOVERY_LENGTH
                and device.verify_token(_recovery_digest(typed))
            )
        if not accepted or device is None:
            raise InvalidCode
    attempt.succeeded()
    return device


def remaining_recovery_codes(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def _recovery_digest(code: str) -> str:
    return salted_hmac("urne.staffauth.recovery", code, algorithm="sha256").hexdigest()[:16]


def _new_recovery_code() -> str:
    return "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))


def do_make_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes for `user`, replacing any earlier ones; only their keyed hashes
    are stored, so the list returned is the only time they exist in clear."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
        StaticToken.objects.bulk_create(
            [StaticToken(device=device, token=_recovery_digest(code)) for code in codes]
        )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def do_enrol(request: HttpRequest, user: User, device: TOTPDevice) -> None:
    """Confirm the device that accepted the enrolment code, make the recovery codes (kept in
    the session until `take_new_recovery_codes` shows them) and complete the sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = do_make_recovery_codes(user)
    next_url = do_complete_sign_in(request, user, device)
    request.session[_NEW_RECOVERY_CODES] = {"codes": codes, "next": next_url}


def take_new_recovery_codes(request: HttpRequest) -> tuple[list[str], str] | None:
    """The recovery codes just made and the page to go to next, once: (codes, next)."""
    made = request.session.pop(_NEW_RECOVERY_CODES, None)
    if not isinstance(made, dict):
        return None
    return list(made["codes"]), str(made["next"])


def do_complete_sign_in(request: HttpRequest, user: User, device: Device) -> str:
    """Log `user` in, verified by `device`; the page they asked for before signing in."""
    pending = request.session.pop(_PENDING, None)
    next_url = str(pending.get("next", "")) if isinstance(pending, dict) else ""
    auth.login(request, user, backend=PASSWORD_BACKEND)  # a new session key
    otp_login(request, device)
    return next_url


def do_reset_second_factor(users: Iterable[User]) -> int:
    """Forget the TOTP applications and recovery codes of `users` (a superuser's act): their
    sessions stop being verified at once and they enrol again at their next sign-in. The
    number of accounts that had any."""
    ids = [user.pk for user in users]
    with transaction.atomic():
        had = set(TOTPDevice.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
        had |= set(StaticDevice.objects.filter(user_id__in=ids).values_list("user_id", flat=True))
        TOTPDevice.objects.filter(user_id__in=ids).delete()
        StaticDevice.objects.filter(user_id__in=ids).delete()
    return len(had)

"""Signed, expiring, single-use links: account confirmation and password reset.

Both generators follow Django's PasswordResetTokenGenerator: the token is an HMAC of the
account's state and a timestamp, so it needs no storage and stops working as soon as the state it
was made from changes (confirming the account, changing the password, logging in). Each kind has
its own salt: a confirmation link can never serve as a password reset link, nor the reverse.
Both read the time from urne.clock so that tests can make a link expire.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator

from urne import clock


class _ClockedTokenGenerator(PasswordResetTokenGenerator):
    def _now(self) -> datetime:
        # Django compares naive datetimes against datetime(2001, 1, 1): give it naive UTC.
        return clock.now().astimezone(UTC).replace(tzinfo=None)


class AccountConfirmationTokenGenerator(_ClockedTokenGenerator):
    """The link of "confirmez votre compte électeur": void once the account is confirmed."""

    key_salt = "urne.accounts.tokens.AccountConfirmationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        confirmed = "" if user.confirmed_at is None else user.confirmed_at.isoformat()
        return f"{user.pk}|{user.email}|{user.password}|{user.is_active}|{confirmed}|{timestamp}"


class PasswordResetLinkGenerator(_ClockedTokenGenerator):
    """The password reset link: void once the password changed or the person logged in."""

    key_salt = "urne.accounts.tokens.PasswordResetLinkGenerator"


confirmation_token_generator = AccountConfirmationTokenGenerator()
password_reset_token_generator = PasswordResetLinkGenerator()

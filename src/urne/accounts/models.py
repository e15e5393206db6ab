"""Accounts: the people who log in — electors (espace électeur) and staff (back office)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Campaign, Elector, normalize_email


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_active", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who logs in with an email address and a password.

    An elector's account is linked to their Elector row and stays inactive (`is_active` False)
    until the confirmation link in the email is followed.
    """

    email = models.EmailField(_("adresse de messagerie"), unique=True, max_length=254)
    elector = models.OneToOneField(
        Elector,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="account",
    )
    is_active = models.BooleanField(_("actif"), default=False)
    is_staff = models.BooleanField(_("personnel"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")

    def __str__(self) -> str:
        return self.email


class InvitationCampaign(Campaign):
    """A campaign seen from the invitations' side, for the back office: who has an account,
    who was invited, and the action that invites the others."""

    class Meta:
        proxy = True
        verbose_name = _("invitations d'une campagne")
        verbose_name_plural = _("invitations à créer un compte")
        permissions = [("send_invitations", _("Peut envoyer les invitations à créer un compte"))]


class LimitSlot(models.Model):
    """One of the `limit` places of a rate limit's key (urne.accounts.throttle), when counters
    live in the database (every cache but Redis).

    An event takes a free place until `expires_at` (its moment plus the rule's window) with one
    conditional UPDATE, atomic on SQLite and PostgreSQL alike: so no more than `limit` events fit
    in any window, however many requests arrive at once. `key` is an HMAC of the rule and of the
    address or client, never the address itself. Not shown in the back office.
    """

    key = models.CharField(max_length=64)
    slot = models.PositiveSmallIntegerField()
    expires_at = models.DateTimeField(db_index=True)
    # Which event holds the place, so that it alone gives it back (a right password).
    token = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="limit_slot_once")]

    def __str__(self) -> str:
        return f"{self.key[:8]}…#{self.slot}"

"""A mailing and its sends: one row per recipient, written before and after their message leaves.

The per-elector row is the mailing's memory: it is unique per (mailing, elector), so an elector is
on a mailing once; its state moves forward only, by conditional updates:

    pending ──claim──▶ sending ──▶ sent
                         │    └──▶ failed (the mail server refused it: not sent)
                         └──(the run died here)──▶ interrupted (never sent again)
    pending ──(no longer concerned: voted, account created)──▶ skipped

A run that dies between "sending" and "sent" may or may not have handed the message over; the
row stays "sending" and no later run sends it again: a mailing sends each message at most once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Academy, Campaign, Elector, Scrutin

# A run writes its heartbeat at least this often; one silent for STALE_AFTER is presumed lost
# (worker killed, machine stopped) and its mailing is taken up again by the next run.
HEARTBEAT: Final = timedelta(seconds=15)
STALE_AFTER: Final = timedelta(minutes=5)


class Kind(models.TextChoices):
    INVITATION = "invitation", _("Invitation à créer son compte électeur")
    ACCOUNT_REMINDER = (
        "account_reminder",
        _("Relance des électeurs sans compte ou au compte non confirmé"),
    )
    VOTE_REMINDER = "vote_reminder", _("Relance des électeurs qui n'ont pas encore voté")


class Mailing(models.Model):
    """One message, composed by staff, for the electors of one perimeter (a whole campaign or
    one academy), optionally those of one scrutin."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        QUEUED = "queued", _("En attente d'un worker")
        SENDING = "sending", _("Envoi en cours")
        DONE = "done", _("Terminé")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="mailings", verbose_name=_("campagne")
    )
    academy = models.ForeignKey(
        Academy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mailings",
        verbose_name=_("académie"),
        help_text=_("Vide : toute la campagne."),
    )
    scrutin = models.ForeignKey(
        Scrutin,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mailings",
        verbose_name=_("scrutin"),
    )
    kind = models.CharField(_("type d'envoi"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte du message"), max_length=10_000)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rédigé par"),
    )
    created_at = models.DateTimeField(_("rédigé le"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    queued_at = models.DateTimeField(_("envoi demandé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    # The run that holds the mailing, and when it last said it was alive (urne.mailings.sending).
    run_token = models.CharField(max_length=40, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    takeovers = models.PositiveIntegerField(_("reprises après interruption"), default=0)
    # Progress, kept on the row so that the page's polling reads one row, not a million.
    total = models.PositiveIntegerField(_("destinataires"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("envoyés"), default=0)
    failed_count = models.PositiveIntegerField(_("en échec"), default=0)
    skipped_count = models.PositiveIntegerField(_("plus concernés"), default=0)
    interrupted_count = models.PositiveIntegerField(_("interrompus"), default=0)

    class Meta:
        verbose_name = _("envoi de courriels")
        verbose_name_plural = _("envois de courriels")
        ordering = ["-created_at", "-id"]
        permissions = [("send_mailing", _("Peut rédiger et envoyer des courriels aux électeurs"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def done_count(self) -> int:
        """Recipients dealt with, whatever the outcome."""
        return self.sent_count + self.failed_count + self.skipped_count + self.interrupted_count


class Send(models.Model):
    """One elector's message of one mailing: written before it leaves, then its outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Refusé par le serveur de messagerie")
        SKIPPED = "skipped", _("Plus concerné (non envoyé)")
        INTERRUPTED = "interrupted", _("Interrompu : remise incertaine, non renvoyé")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="sends")
    elector = models.ForeignKey(Elector, on_delete=models.CASCADE, related_name="mailing_sends")
    # The address it went to, as it was then (the elector's may change later).
    address = models.EmailField(_("adresse"), max_length=254)
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    claimed_at = models.DateTimeField(_("pris le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    error = models.CharField(_("erreur"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("envoi à un électeur")
        verbose_name_plural = _("envois aux électeurs")
        constraints = [
            models.UniqueConstraint(fields=["mailing", "elector"], name="mailing_send_once"),
        ]
        indexes = [models.Index(fields=["mailing", "status", "id"], name="mailing_send_state")]

    def __str__(self) -> str:
        return f"{self.elector} — {self.get_status_display()}"

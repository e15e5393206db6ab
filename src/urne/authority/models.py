"""What the credential authority keeps in the shared database: sealed identifiers and the
record of each re-send. Nothing here can be read without the authority's private key.

- `SealedIdentifier`: an elector's voting identifier, sealed with the authority's public key
  (`urne.authority.keys`), bound to the elector and the campaign. Never in clear.
- `IdentifierDelivery`: one « Recevoir mon identifiant de vote » request: the channel, the
  destination masked for display (j***@g***.com, +33 6** ** ** 12) and sealed in full for the
  authority's worker, the status. Never the identifier.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Elector


class SealedIdentifier(models.Model):
    """One elector's voting identifier for the whole campaign, sealed for the authority."""

    elector = models.OneToOneField(
        Elector, on_delete=models.CASCADE, related_name="sealed_identifier"
    )
    ciphertext = models.BinaryField(editable=False)
    """HPKE(enc || ciphertext) of the identifier ``XXX-XXX-XXX-XXX-XXX``, info bound to the
    campaign and the elector (keys.seal, purpose "identifier")."""
    created_at = models.DateTimeField(_("créé le"))

    class Meta:
        verbose_name = _("identifiant de vote scellé")
        verbose_name_plural = _("identifiants de vote scellés")

    def __str__(self) -> str:
        return str(self.elector)


class IdentifierDelivery(models.Model):
    """One request to receive the identifier by email or SMS, and what came of it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Courriel personnel")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente d'envoi")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec de l'envoi")

    elector = models.ForeignKey(
        Elector, on_delete=models.CASCADE, related_name="identifier_deliveries"
    )
    channel = models.CharField(_("canal"), max_length=5, choices=Channel.choices)
    masked_destination = models.CharField(_("destinataire (masqué)"), max_length=120)
    sealed_destination = models.BinaryField(editable=False)
    """The full address or number, sealed for the authority's worker (purpose "destination")."""
    requested_at = models.DateTimeField(_("demandé le"))
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=8, choices=Status.choices, default=Status.PENDING
    )

    class Meta:
        verbose_name = _("envoi d'identifiant de vote")
        verbose_name_plural = _("envois d'identifiants de vote")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.elector} — {self.masked_destination}"

"""The campaign's seal (scellement) and each later verification of it, append-only.

A `CampaignSeal` is recorded once, before the vote opens: the hash of each component (the
deployed code, the configuration, each scrutin's election setup, the empty ballot box and
émargement) with what it was computed from (`components`), and the whole fingerprint. A later
seal is a new row; no row is ever changed or deleted (`save` and `delete` refuse it). A
`SealVerification` records one recomputation (`urne seal verify`, the staff page) and its outcome.

What is fingerprinted and how to recompute it: docs/sealing.md.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Campaign


class AppendOnly(Exception):
    """A seal or a verification is never changed or deleted once recorded."""


class _AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly(f"{self._meta.label} rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly(f"{self._meta.label} rows are never deleted")


class CampaignSeal(_AppendOnlyModel):
    """One seal of a campaign: its components' hashes and the whole fingerprint."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="seals", verbose_name=_("campagne")
    )
    number = models.PositiveIntegerField(_("numéro"))
    """1 for the campaign's first seal, then 2, 3... (a later seal before the opening)."""
    sealed_at = models.DateTimeField(_("scellée le"))
    sealed_by = models.CharField(_("scellée par"), max_length=254)
    fingerprint = models.CharField(_("empreinte"), max_length=64)
    """SHA-256 of the lines « component hash, two spaces, component name », sorted by name."""
    components = models.JSONField(_("composantes"))
    """[{"name", "hash", "data"}], sorted by name: `urne.sealing.fingerprint.Component`."""

    class Meta:
        verbose_name = _("scellement")
        verbose_name_plural = _("scellements")
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="seal_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — scellement n° {self.number}"


class SealVerification(_AppendOnlyModel):
    """One recomputation of a seal's components, compared with the recorded ones."""

    seal = models.ForeignKey(CampaignSeal, on_delete=models.CASCADE, related_name="verifications")
    verified_at = models.DateTimeField(_("vérifié le"))
    verified_by = models.CharField(_("vérifié par"), max_length=254)
    identical = models.BooleanField(_("identique"))
    fingerprint = models.CharField(_("empreinte recalculée"), max_length=64)
    changes = models.JSONField(_("différences"), default=list)
    """[{"component", "message"}]: each component that differs, and how (French)."""

    class Meta:
        verbose_name = _("vérification du scellement")
        verbose_name_plural = _("vérifications du scellement")
        ordering = ["-verified_at", "-id"]

    def __str__(self) -> str:
        return f"{self.seal} — {self.verified_at:%Y-%m-%d %H:%M:%S}"

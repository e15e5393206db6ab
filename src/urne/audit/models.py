"""The audit log: every staff action, append-only and hash-chained (docs/audit.md).

Each `AuditEntry` holds a sequence number, its moment, who acted (their id *and* their address
copied as text, so the entry outlives their account), what they did (a stable action code), on
what, from where, and the SHA-256 `hash` of all that together with the previous entry's hash: a
changed, removed, inserted or reordered entry breaks the chain, which `urne audit verify` walks.

Entries are written only by `urne.audit.services.record`, which appends under the lock of the
one-row `AuditChainHead` so that simultaneous appends never fork the chain. The ORM refuses to
update or delete an entry; the database refuses too (a trigger, see the migration).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any, Final

from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Academy, Campaign

GENESIS: Final = "0" * 64
"""The `previous_hash` of the first entry."""

HASH_DOMAIN: Final = b"urne-audit-v1\n"
"""Prefixed to the canonical text before hashing: no other urne hash can be taken for an entry's."""

HASHED_FIELDS: Final = (
    "sequence",
    "at",
    "actor_id",
    "actor_label",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "campaign_id",
    "academy_id",
    "details",
    "source",
    "previous_hash",
)


class AppendOnly(Exception):
    """An audit entry was about to be changed or deleted: the log only grows."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("audit entries are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit entries are never deleted")


class AuditEntry(models.Model):
    """One staff action, chained to the one before it."""

    sequence = models.PositiveBigIntegerField(_("n°"), unique=True)
    at = models.DateTimeField(_("date"), db_index=True)
    # No foreign key: the entry stays as it was written when the account is deleted.
    actor_id = models.BigIntegerField(_("identifiant du compte"), null=True, blank=True)
    actor_label = models.CharField(_("auteur"), max_length=254)
    actor_role = models.CharField(_("rôle et périmètre"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("type d'objet"), max_length=100, blank=True)
    object_id = models.CharField(_("identifiant de l'objet"), max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=200, blank=True)
    # The perimeter the entry is about, for reading it (urne.backoffice.access). Not enforced
    # by the database and never cascaded: the campaign may go, its history stays.
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campagne"),
    )
    academy = models.ForeignKey(
        Academy,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("académie"),
    )
    details = models.JSONField(_("détails"), default=dict, blank=True)
    source = models.CharField(_("provenance"), max_length=64, blank=True)
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64)
    hash = models.CharField(_("empreinte"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entrée du journal d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-sequence"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"n° {self.sequence} — {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("audit entries are never updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("audit entries are never deleted")

    def canonical(self) -> bytes:
        """The entry as hashed: its fields as sorted, compact JSON, the moment in UTC to the
        microsecond. Any change to any of them changes the hash."""
        values: dict[str, Any] = {name: getattr(self, name) for name in HASHED_FIELDS}
        values["at"] = self.at.astimezone(UTC).isoformat(timespec="microseconds")
        text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return HASH_DOMAIN + text.encode("utf-8")

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


class AuditChainHead(models.Model):
    """The chain's last entry (its number and hash), in one row whose lock serializes appends.

    It also tells `urne audit verify` where the chain ends, so that removing the last entries
    is seen too."""

    ROW: Final = 1

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("tête du journal d'audit")

    def __str__(self) -> str:
        return f"n° {self.sequence} {self.hash}"

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "urne.campaign"
    verbose_name = _("Campagne électorale")

    def ready(self) -> None:
        from urne.audit.models import AuditEntry
        from urne.campaign.roll_history import record_import_from_audit

        # An import's outcome, once recorded, goes to the roll's history too.
        post_save.connect(
            record_import_from_audit, sender=AuditEntry, dispatch_uid="urne.roll_history.import"
        )

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "urne.audit"
    verbose_name = _("Journal d'audit")

    def ready(self) -> None:
        from urne.backoffice.pages import Section, register_section

        register_section(
            Section(
                url_name="audit:journal",
                title=_("Journal d'audit"),
                description=_(
                    "Chaque action du personnel : qui, quoi, quand, sur quel objet ; filtres et "
                    "export CSV."
                ),
                permission="audit.view_auditentry",
                order=90,
            )
        )

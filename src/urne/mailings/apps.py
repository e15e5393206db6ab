from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "urne.mailings"
    verbose_name = _("Envois de courriels")

    def ready(self) -> None:
        post_migrate.connect(_ensure_senders_group, sender=self)
        from urne.backoffice.pages import Section, register_section

        register_section(
            Section(
                url_name="mailings:index",
                title=_("Envois de courriels"),
                description=_(
                    "Invitations à créer son compte, relances des électeurs sans compte ou qui "
                    "n'ont pas voté : rédaction, aperçu, envoi et suivi."
                ),
                permission="mailings.send_mailing",
                order=50,
            )
        )


def _ensure_senders_group(sender: AppConfig, **kwargs: Any) -> None:
    """The group « Envois aux électeurs » with the mailings' permission, after every migrate and
    flush. Organizers (campaign-wide perimeter) and academy staff (an academy's) join it; their
    perimeter says whose electors they write to."""
    from django.contrib.auth.models import Group, Permission

    from urne.mailings.services import SENDERS_GROUP

    permission = Permission.objects.filter(
        content_type__app_label="mailings", codename="send_mailing"
    ).first()
    if permission is None:  # the permissions are made by an earlier post_migrate receiver
        return
    group, _ = Group.objects.get_or_create(name=SENDERS_GROUP)
    group.permissions.add(permission)

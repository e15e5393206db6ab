from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CandidaciesConfig(AppConfig):
    name = "urne.candidacies"
    verbose_name = _("Candidatures")

    def ready(self) -> None:
        post_migrate.connect(_ensure_groups, sender=self)
        from urne.backoffice.pages import Section, register_section

        register_section(
            Section(
                url_name="candidacies:filing",
                title=_("Dépôt des listes"),
                description=_(
                    "Déposer les listes de candidats de votre organisation syndicale, leurs "
                    "candidats et leur profession de foi ; suivre la décision de l'organisateur."
                ),
                permission="candidacies.file_candidatelist",
                order=40,
            )
        )
        register_section(
            Section(
                url_name="candidacies:review",
                title=_("Candidatures"),
                description=_(
                    "Examiner les listes déposées, les valider ou les rejeter, tirer au sort "
                    "l'ordre officiel des listes de chaque scrutin."
                ),
                permission="candidacies.validate_candidatelist",
                order=45,
            )
        )


def _ensure_groups(sender: AppConfig, **kwargs: Any) -> None:
    """The « Délégués syndicaux » and « Organisateurs » groups with their candidacies rights,
    after every migrate and flush (like the observers' group, urne.voting.apps). A delegate
    also needs a StaffScope row naming their union: the group says what, the row where."""
    from django.contrib.auth.models import Group, Permission

    from urne.candidacies.filing import DELEGATES_GROUP, ORGANIZERS_GROUP

    for group_name, codename in (
        (DELEGATES_GROUP, "file_candidatelist"),
        (ORGANIZERS_GROUP, "validate_candidatelist"),
    ):
        permission = Permission.objects.filter(
            content_type__app_label="candidacies", codename=codename
        ).first()
        if permission is None:  # made by an earlier post_migrate receiver
            return
        group, _created = Group.objects.get_or_create(name=group_name)
        group.permissions.add(permission)

"""A staff member's scope: the campaigns, academies and unions whose data they may reach.

Permissions (Django's, through groups) say *what* a staff member may do; scopes say *where*.
Each row grants one perimeter: a whole campaign, one academy of it, or one union (a union
delegate: the lists their union files, and what filing needs to read). A staff member with no
row reaches nothing (superusers excepted): the back office fails closed. The roles of the back
office (organizer, academy staff, union delegate, helpdesk, observer) are groups of permissions
on top of these perimeters.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Academy, Campaign
from urne.candidacies.models import Union


class StaffScope(models.Model):
    """One perimeter of one staff member: a whole campaign, one academy or one union (exactly
    one of them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_scopes",
        verbose_name=_("compte"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("toute la campagne"),
        help_text=_("Toutes les académies de la campagne, et ce qui est national."),
    )
    academy = models.ForeignKey(
        Academy,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("une académie"),
        help_text=_("Seulement les électeurs, listes et demandes de cette académie."),
    )
    union = models.ForeignKey(
        Union,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("une organisation syndicale"),
        help_text=_(
            "Délégué syndical : les listes de cette organisation (communes comprises), et la "
            "lecture des scrutins et listes électorales nécessaires au dépôt."
        ),
    )

    class Meta:
        verbose_name = _("périmètre de gestion")
        verbose_name_plural = _("périmètres de gestion")
        constraints = [
            # Exactly one perimeter per row: a row naming two would be ambiguous, none would
            # grant nothing.
            models.CheckConstraint(
                condition=(
                    models.Q(campaign__isnull=False, academy__isnull=True, union__isnull=True)
                    | models.Q(campaign__isnull=True, academy__isnull=False, union__isnull=True)
                    | models.Q(campaign__isnull=True, academy__isnull=True, union__isnull=False)
                ),
                name="staff_scope_one_perimeter",
            ),
            models.UniqueConstraint(fields=["user", "campaign"], name="staff_scope_campaign_once"),
            models.UniqueConstraint(fields=["user", "academy"], name="staff_scope_academy_once"),
            models.UniqueConstraint(fields=["user", "union"], name="staff_scope_union_once"),
        ]

    def __str__(self) -> str:
        if self.academy_id is not None:
            return str(_("Académie : %(academy)s") % {"academy": self.academy})
        if self.union_id is not None:
            return str(_("Organisation syndicale : %(union)s") % {"union": self.union})
        return str(_("Campagne : %(campaign)s") % {"campaign": self.campaign})

    def clean(self) -> None:
        named = [self.campaign_id, self.academy_id, self.union_id]
        if sum(value is not None for value in named) != 1:
            raise ValidationError(
                _(
                    "Choisissez soit toute une campagne, soit une académie, soit une "
                    "organisation syndicale (une seule par ligne)."
                )
            )

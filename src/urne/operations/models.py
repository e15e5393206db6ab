"""The supervision's permission; no table (an unmanaged model only carries it)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Supervision(models.Model):
    """Holds `operations.view_supervision`: the back office's supervision page."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_supervision", _("Peut voir la supervision de la plateforme"))]
        verbose_name = _("supervision")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """An app only so that its template tags (urne_dates) are found."""

    name = "urne.web"
    verbose_name = _("Site")

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The site's base: its template tags (urne_dates), and the checks of a production."""

    name = "urne.web"
    verbose_name = _("Site")

    def ready(self) -> None:
        from urne import checks  # noqa: F401  (registers the production checks)

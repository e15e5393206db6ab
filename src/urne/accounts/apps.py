from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "urne.accounts"
    verbose_name = _("Comptes électeurs")

    def ready(self) -> None:
        from urne.accounts import checks  # noqa: F401  (registers the system checks)

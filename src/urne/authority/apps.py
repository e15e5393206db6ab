from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthorityConfig(AppConfig):
    name = "urne.authority"
    verbose_name = _("Autorité de certification des identifiants de vote")

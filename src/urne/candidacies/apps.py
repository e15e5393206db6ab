from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidaciesConfig(AppConfig):
    name = "urne.candidacies"
    verbose_name = _("Candidatures")

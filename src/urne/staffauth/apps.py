from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class StaffauthConfig(AppConfig):
    name = "urne.staffauth"
    verbose_name = _("Double authentification du personnel")

    def ready(self) -> None:
        from urne.staffauth import checks  # noqa: F401  (registers the system checks)


class StaffAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site as `admin.site`: the back office at /gestion/ refuses staff
    who have not given their second factor in this session."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "urne.staffauth.sites.StaffAdminSite"

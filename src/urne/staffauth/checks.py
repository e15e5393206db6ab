"""System checks: the back office cannot be left open by a forgotten setting."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.checks import CheckMessage, Error, register

OTP_MIDDLEWARE = "django_otp.middleware.OTPMiddleware"
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"


@register()
def check_second_factor_is_enforced(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from urne.staffauth.sites import StaffAdminSite

    errors: list[CheckMessage] = []
    middleware = list(settings.MIDDLEWARE)
    if OTP_MIDDLEWARE not in middleware or (
        AUTH_MIDDLEWARE in middleware
        and middleware.index(OTP_MIDDLEWARE) < middleware.index(AUTH_MIDDLEWARE)
    ):
        errors.append(
            Error(
                f"{OTP_MIDDLEWARE} must be in MIDDLEWARE, after {AUTH_MIDDLEWARE}",
                hint="Without it no staff member is ever verified: the back office stays shut.",
                id="staffauth.E001",
            )
        )
    if not isinstance(admin.site, StaffAdminSite):
        errors.append(
            Error(
                "admin.site is not urne.staffauth.sites.StaffAdminSite",
                hint="Install 'urne.staffauth.apps.StaffAdminConfig' instead of "
                "'django.contrib.admin' in INSTALLED_APPS.",
                id="staffauth.E002",
            )
        )
    return errors

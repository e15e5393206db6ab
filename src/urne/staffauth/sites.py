"""The back office's admin site: Django's admin, for the technical administrators only —
active superusers verified by their second factor.

The people who run the campaign (organizers, academy staff, union delegates, the helpdesk,
observers) work in the back office's own pages (`urne.backoffice.pages`, /gestion/accueil/);
one of them who reaches an admin address is sent there (`urne.accounts.views.back_office_login`,
where the admin sends whoever it refuses).

It fails closed: without django-otp's middleware (which gives `request.user.is_verified`), or
for a session opened by anything but the second-factor pages, nobody is let in. The system
check `staffauth.E001` says so at start.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


def second_factor_given(request: HttpRequest) -> bool:
    """True when this session's user gave a second factor (a confirmed device of theirs)."""
    verified = getattr(request.user, "is_verified", None)
    return callable(verified) and verified() is True


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_permission(request)
            and bool(getattr(request.user, "is_superuser", False))
            and second_factor_given(request)
        )

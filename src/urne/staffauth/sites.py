"""The back office's admin site: staff, active, and verified by their second factor.

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
        return super().has_permission(request) and second_factor_given(request)

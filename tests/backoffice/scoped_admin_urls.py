"""The site's URLs with Django's admin let in to every verified staff member, as it was before
the admin became the technical administrators' (issue 8): for the tests of the access layer
through the admin's pages.

Production's admin (`urne.staffauth.sites.StaffAdminSite`) lets in superusers only, who reach
everything; its ModelAdmins still bind every page to the access layer
(`urne.backoffice.admin.ScopedAdminMixin`), so that a gate loosened by mistake would not open
everything. These tests keep that layer honest: each registered ModelAdmin, the very class
production registers, mounted on a site whose only difference is its gate (staff verified by
their second factor, superuser or not). `tests/staffauth/test_back_office_gate.py` checks that
the real site refuses every non-superuser. Use it with
`pytest.mark.urls("tests.backoffice.scoped_admin_urls")`.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.urls import URLResolver, path

from urne import urls as site_urls
from urne.staffauth.sites import StaffAdminSite, second_factor_given


class StaffScopedAdminSite(StaffAdminSite):
    """The admin with its former gate: active staff who gave their second factor."""

    def has_permission(self, request: HttpRequest) -> bool:
        return AdminSite.has_permission(self, request) and second_factor_given(request)


site = StaffScopedAdminSite(name="admin")
for model, model_admin in admin.site._registry.items():
    site.register(model, type(model_admin))
site.site_header = admin.site.site_header
site.site_title = admin.site.site_title
site.index_title = admin.site.index_title


def _is_admin(pattern: object) -> bool:
    return isinstance(pattern, URLResolver) and getattr(pattern, "app_name", None) == "admin"


urlpatterns = [pattern for pattern in site_urls.urlpatterns if not _is_admin(pattern)]
urlpatterns.append(path("gestion/", site.urls))

handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

SCOPED_ADMIN_URLS = __name__

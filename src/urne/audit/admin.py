"""The audit log in the back office: read, filtered and exported, never changed.

Registered with the access layer's `ScopedAdminMixin` (rule in `urne.backoffice.access`):
superusers read everything; campaign-wide staff their campaign's entries; academy staff the
entries about their academies (an elector, a correction request of theirs); entries about no
campaign are the superusers'. Reading needs Django's "view audit entry" permission too. Nobody
adds, changes or deletes an entry here; exporting the log is itself recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from urne import clock
from urne.audit import services
from urne.audit.export import csv_lines
from urne.audit.models import AuditEntry
from urne.backoffice.admin import ScopedAdminMixin

if TYPE_CHECKING:
    AuditEntryAdminBase = admin.ModelAdmin[AuditEntry]
else:
    AuditEntryAdminBase = admin.ModelAdmin


FIELDS: list[str] = [
    "sequence",
    "at",
    "actor_label",
    "actor_id",
    "actor_role",
    "source",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "campaign",
    "academy",
    "details",
    "previous_hash",
    "hash",
]


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, AuditEntryAdminBase):
    list_display = [
        "sequence",
        "at",
        "actor_label",
        "actor_role",
        "action",
        "object_type",
        "object_repr",
        "source",
    ]
    list_display_links = ["sequence"]
    # Filters: by action, by kind of object, by date (also any range: ?at__gte=…&at__lt=…);
    # by actor or object: the search, or ?actor_id=… / ?object_id=… from an entry's page.
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_label", "object_repr", "=object_id", "=action"]
    date_hierarchy = "at"
    actions = None
    show_full_result_count = False
    fields = tuple(FIELDS)
    readonly_fields = tuple(FIELDS)
    change_list_template = "admin/audit/auditentry/change_list.html"

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if lookup in {"actor_id", "actor_id__exact", "object_id", "object_id__exact"}:
            return True
        return bool(super().lookup_allowed(lookup, value, request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="audit_auditentry_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The entries the list shows (same filters and search, same perimeter), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        entries = changelist.queryset
        services.record(
            request,
            "audit.export",
            description=str(_("export CSV du journal d'audit")),
            filters={key: value for key, value in request.GET.items()},
        )
        response = StreamingHttpResponse(csv_lines(entries), content_type="text/csv; charset=utf-8")
        stamp = clock.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="journal-audit-{stamp}.csv"'
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> Any:
        context = {**(extra_context or {}), "can_export": self.has_view_permission(request)}
        return super().changelist_view(request, context)

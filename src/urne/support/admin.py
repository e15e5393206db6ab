"""Back office for support: the FAQ, and electors' profile correction requests.

The correction requests are registered here, with the helpdesk's other tools, rather than in
the campaign app's admin: answering them is assistance work. Staff reach only the requests of
their perimeter (urne.backoffice.access), in lists, pages and actions alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from urne import clock
from urne.accounts.models import User
from urne.backoffice.access import check_staff_may_change_all
from urne.backoffice.admin import ScopedAdminMixin
from urne.campaign.models import ProfileCorrectionRequest
from urne.campaign.services import do_answer_corrections
from urne.support.models import FaqEntry

NOTHING_ANSWERED = _(
    "Aucune demande n'a changé : seules les demandes encore en attente peuvent être traitées."
)

if TYPE_CHECKING:
    FaqEntryAdminBase = admin.ModelAdmin[FaqEntry]
    CorrectionAdminBase = admin.ModelAdmin[ProfileCorrectionRequest]
else:  # Django's classes are generic only for the type checker.
    FaqEntryAdminBase = CorrectionAdminBase = admin.ModelAdmin


@admin.register(FaqEntry)
class FaqEntryAdmin(ScopedAdminMixin, FaqEntryAdminBase):
    list_display = ["question", "campaign", "order", "published"]
    list_editable = ["order", "published"]
    list_filter = ["campaign", "published"]
    search_fields = ["question", "answer"]
    fieldsets = [
        (None, {"fields": ["campaign", "order", "published"]}),
        (_("Français"), {"fields": ["question", "answer"]}),
        (_("Anglais"), {"fields": ["question_en", "answer_en"], "classes": ["collapse"]}),
    ]


@admin.register(ProfileCorrectionRequest)
class ProfileCorrectionRequestAdmin(ScopedAdminMixin, CorrectionAdminBase):
    list_display = ["elector", "field", "correction", "status", "created_at", "answered_at"]
    list_filter = ["status", "field", "elector__academy", "elector__campaign"]
    search_fields = ["elector__last_name", "elector__first_name", "elector__email", "correction"]
    list_select_related = ["elector"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "elector",
        "field",
        "correction",
        "comment",
        "created_at",
        "answered_at",
        "answered_by",
    ]
    fields = [*readonly_fields[:5], "status", "staff_answer", "answered_at", "answered_by"]
    actions = ["accept", "refuse"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Requests come from electors themselves, through their espace.
        return False

    def save_model(
        self, request: HttpRequest, obj: ProfileCorrectionRequest, form: object, change: bool
    ) -> None:
        if "status" in getattr(form, "changed_data", []):
            if obj.status == ProfileCorrectionRequest.Status.SUBMITTED:
                obj.answered_at = None
                obj.answered_by = None
            else:
                obj.answered_at = clock.now()
                obj.answered_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def _answer(
        self, request: HttpRequest, queryset: QuerySet[ProfileCorrectionRequest], status: str
    ) -> int:
        # The admin site lets only logged-in staff this far; `queryset` holds only the
        # selected requests of their perimeter (get_queryset), checked again before writing.
        check_staff_may_change_all(request.user, queryset)
        return do_answer_corrections(queryset, status, cast(User, request.user))

    @admin.action(description=_("Accepter les demandes sélectionnées"))
    def accept(self, request: HttpRequest, queryset: QuerySet[ProfileCorrectionRequest]) -> None:
        count = self._answer(request, queryset, ProfileCorrectionRequest.Status.ACCEPTED)
        if not count:
            self.message_user(request, NOTHING_ANSWERED, messages.WARNING)
            return
        self.message_user(
            request,
            ngettext("%(count)d demande acceptée.", "%(count)d demandes acceptées.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Refuser les demandes sélectionnées"))
    def refuse(self, request: HttpRequest, queryset: QuerySet[ProfileCorrectionRequest]) -> None:
        count = self._answer(request, queryset, ProfileCorrectionRequest.Status.REFUSED)
        if not count:
            self.message_user(request, NOTHING_ANSWERED, messages.WARNING)
            return
        self.message_user(
            request,
            ngettext("%(count)d demande refusée.", "%(count)d demandes refusées.", count)
            % {"count": count},
            messages.SUCCESS,
        )

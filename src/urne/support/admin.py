"""Back office for support: the FAQ, and electors' profile correction requests.

The correction requests are registered here, with the helpdesk's other tools, rather than in
the campaign app's admin: answering them is assistance work. Staff reach only the requests of
their perimeter (urne.backoffice.access), in lists, pages and actions alike. A request's page is
the answer's form: accept (with the value as asked, or as staff correct it) or refuse with a
reason; `urne.campaign.corrections` checks and writes the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from urne.backoffice.access import check_staff_may_change_all
from urne.backoffice.admin import AuditedAdminMixin, ScopedAdminMixin
from urne.campaign import corrections
from urne.campaign.models import ProfileCorrectionRequest
from urne.support.models import FaqEntry
from urne.web.errors import VisitorError

NOTHING_ANSWERED = _(
    "Aucune demande n'a changé : seules les demandes encore en attente peuvent être traitées."
)

if TYPE_CHECKING:
    FaqEntryAdminBase = admin.ModelAdmin[FaqEntry]
    CorrectionAdminBase = admin.ModelAdmin[ProfileCorrectionRequest]
    AnswerFormBase = forms.ModelForm[ProfileCorrectionRequest]
else:  # Django's classes are generic only for the type checker.
    FaqEntryAdminBase = CorrectionAdminBase = admin.ModelAdmin
    AnswerFormBase = forms.ModelForm


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


class CorrectionAnswerForm(AnswerFormBase):
    """The answer to one waiting request. Its checks are the service's own
    (`check_accept_correction`, `check_refuse_correction`), run here so that a refusal shows
    in the form, and again by the service when the answer is written."""

    ACCEPT = "accept"
    REFUSE = "refuse"

    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[(ACCEPT, _("Accepter")), (REFUSE, _("Refuser"))],
        widget=forms.RadioSelect,
    )
    value = forms.CharField(
        label=_("Information à enregistrer"),
        required=False,
        max_length=500,
        help_text=_(
            "Ce que le profil indiquera si la demande est acceptée : ce qu'a demandé "
            "l'électeur (si vous laissez vide), que vous pouvez corriger. Pour les scrutins : "
            "leurs codes, séparés par des virgules ; pour l'académie : son nom ou son code."
        ),
    )
    answer = forms.CharField(
        label=_("Réponse à l'électeur"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obligatoire pour un refus : l'électeur la lit dans son profil et par courriel."
        ),
    )

    staff: Any = None  # the staff member answering, set by the admin

    class Meta:
        model = ProfileCorrectionRequest
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "value" not in self.initial:
            self.initial["value"] = self.instance.correction

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        try:
            if decision == self.ACCEPT:
                corrections.check_accept_correction(
                    self.staff, self.instance, cleaned.get("value") or None
                )
            elif decision == self.REFUSE:
                corrections.check_refuse_correction(
                    self.staff, self.instance, cleaned.get("answer", "")
                )
        except VisitorError as refused:
            raise forms.ValidationError(str(refused.message)) from None
        return cleaned


@admin.register(ProfileCorrectionRequest)
class ProfileCorrectionRequestAdmin(ScopedAdminMixin, CorrectionAdminBase):
    form = CorrectionAnswerForm
    list_display = ["elector", "field", "correction", "status", "created_at", "answered_at"]
    list_filter = ["status", "field", "elector__academy", "elector__campaign"]
    search_fields = ["elector__last_name", "elector__first_name", "elector__email", "correction"]
    list_select_related = ["elector"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "elector",
        "field",
        "current_value",
        "correction",
        "comment",
        "created_at",
        "status",
        "applied_value",
        "staff_answer",
        "answered_at",
        "answered_by",
    ]
    actions = ["accept"]

    @admin.display(description=_("information actuelle"))
    def current_value(self, request: ProfileCorrectionRequest) -> str:
        return corrections.current_value(request)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        asked = ["elector", "field", "current_value", "correction", "comment", "created_at"]
        if obj is not None and obj.is_open and self.has_change_permission(request, obj):
            return [*asked, "decision", "value", "answer"]
        return [*asked, "status", "applied_value", "staff_answer", "answered_at", "answered_by"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        base = super().get_form(request, obj, change=change, **kwargs)
        return type(base.__name__, (base,), {"staff": request.user})

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Requests come from electors themselves, through their espace.
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ProfileCorrectionRequest | None = None
    ) -> bool:
        # An answer is final: an answered request is only read.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or obj.is_open)

    def save_model(
        self, request: HttpRequest, obj: ProfileCorrectionRequest, form: Any, change: bool
    ) -> None:
        # The service writes the answer (and the elector's record): nothing is saved as is.
        data = form.cleaned_data
        if data["decision"] == CorrectionAnswerForm.ACCEPT:
            answered = corrections.do_accept_correction(
                request.user, obj, data.get("value") or None, data.get("answer", "")
            )
        else:
            answered = corrections.do_refuse_correction(request.user, obj, data.get("answer", ""))
        obj.refresh_from_db()
        obj.status = answered.status

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # The service recorded the answer in the audit log ("correction.accept" or
        # "correction.refuse"); only Django's own history is written here.
        return super(AuditedAdminMixin, self).log_change(request, obj, message)

    @admin.action(description=_("Accepter les demandes sélectionnées, telles que demandées"))
    def accept(self, request: HttpRequest, queryset: QuerySet[ProfileCorrectionRequest]) -> None:
        # The admin site lets only logged-in staff this far; `queryset` holds only the
        # selected requests of their perimeter (get_queryset), checked again before writing.
        # A refusal needs its own reason: it is given on each request's page.
        check_staff_may_change_all(request.user, queryset)
        report = corrections.do_answer_corrections(
            queryset, ProfileCorrectionRequest.Status.ACCEPTED, request.user
        )
        for refused, reason in report.problems:
            self.message_user(
                request,
                gettext("%(request)s : %(reason)s") % {"request": refused, "reason": reason},
                messages.ERROR,
            )
        if not report.answered:
            if not report.problems:
                self.message_user(request, NOTHING_ANSWERED, messages.WARNING)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d demande acceptée.", "%(count)d demandes acceptées.", report.answered
            )
            % {"count": report.answered},
            messages.SUCCESS,
        )

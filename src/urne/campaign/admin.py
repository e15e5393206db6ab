"""Back office (/gestion/) for the campaign: calendar, academies, electors, scrutins and rolls.

Staff see and change only what Django's permissions grant them, within their perimeter
(`urne.backoffice.access`: a campaign or academies). Once the vote opens, the rolls are sealed
(`check_roll_editable`): roll entries can no longer be added, changed or removed, here as by the
import. Uploading an electors file needs the "add elector import" permission and goes through
`urne.campaign.import_jobs`, which runs the same import as `urne import_electors`; the
import's page shows its progress while it runs (and reloads itself until it ends), and offers
the rejected file's problems as a CSV file (line, column, message).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from urne.accounts.models import User
from urne.backoffice import access
from urne.backoffice.admin import ScopedAdminMixin, ScopedInlineMixin
from urne.campaign import roll_history
from urne.campaign.import_jobs import do_delete_elector_imports, do_queue_elector_import
from urne.campaign.import_parse import format_count
from urne.campaign.models import (
    Academy,
    Campaign,
    Elector,
    ElectorImport,
    RollChange,
    RollEntry,
    Scrutin,
)
from urne.campaign.services import RollsFrozen, check_roll_editable

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups

    CampaignAdminBase = admin.ModelAdmin[Campaign]
    AcademyAdminBase = admin.ModelAdmin[Academy]
    AcademyInlineBase = admin.TabularInline[Academy, Campaign]
    ElectorAdminBase = admin.ModelAdmin[Elector]
    RollInlineBase = admin.TabularInline[RollEntry, Elector]
    RollEntryFormBase = forms.ModelForm[RollEntry]
    ElectorFormBase = forms.ModelForm[Elector]
    RollFormSetBase = forms.BaseInlineFormSet[RollEntry, Elector, RollEntryFormBase]
    ScrutinAdminBase = admin.ModelAdmin[Scrutin]
    RollEntryAdminBase = admin.ModelAdmin[RollEntry]
    ElectorImportAdminBase = admin.ModelAdmin[ElectorImport]
    ElectorImportFormBase = forms.ModelForm[ElectorImport]
    NoticeBase = admin.ModelAdmin[Any]
else:  # Django's classes are generic only for the type checker.
    CampaignAdminBase = AcademyAdminBase = ElectorAdminBase = admin.ModelAdmin
    ScrutinAdminBase = RollEntryAdminBase = ElectorImportAdminBase = admin.ModelAdmin
    AcademyInlineBase = RollInlineBase = admin.TabularInline
    ElectorImportFormBase = RollEntryFormBase = ElectorFormBase = forms.ModelForm
    RollFormSetBase = forms.BaseInlineFormSet
    NoticeBase = object  # a mixin: its methods reach Django's through super()

admin.site.site_header = _("urne — gestion des élections")
admin.site.site_title = _("urne — gestion")
admin.site.index_title = _("Gestion de la campagne")

CALENDAR_FIELDS: _FieldGroups = [
    "accounts_open_at",
    "rolls_published_at",
    "candidacies_deadline",
    "candidacies_published_at",
    "identifiers_available_at",
    "corrections_deadline",
    "vote_opens_at",
    "vote_closes_at",
]


class AcademyInline(ScopedInlineMixin, AcademyInlineBase):
    model = Academy
    extra = 0
    fields = ["code", "name", "mail_domain", "assistance_email", "assistance_phone"]


@admin.register(Campaign)
class CampaignAdmin(ScopedAdminMixin, CampaignAdminBase):
    list_display = ["name", "year", "accounts_open_at", "vote_opens_at", "vote_closes_at"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "year", "organizer", "faq_url"]}),
        (
            _("Calendrier"),
            {
                "fields": CALENDAR_FIELDS,
                "description": _(
                    "Chaque étape s'ouvre à la date indiquée (heure de Paris). Les électeurs "
                    "peuvent demander la correction de leur profil jusqu'à la date limite ; le "
                    "vote est ouvert de son ouverture à sa clôture."
                ),
            },
        ),
    ]
    inlines = [AcademyInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Shows the « Importer des électeurs » button to staff allowed to upload.
    change_form_template = "admin/campaign/campaign/change_form.html"

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Campaign | None = None,
    ) -> HttpResponse:
        context["can_import_electors"] = obj is not None and request.user.has_perm(
            "campaign.add_electorimport"
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Academy)
class AcademyAdmin(ScopedAdminMixin, AcademyAdminBase):
    list_display = [
        "name",
        "code",
        "campaign",
        "mail_domain",
        "assistance_email",
        "assistance_phone",
    ]
    list_filter = ["campaign"]
    search_fields = ["name", "code", "mail_domain"]


def rolls_frozen(campaign: Campaign) -> RollsFrozen | None:
    """Why the campaign's rolls can no longer change (`check_roll_editable`), or None."""
    try:
        check_roll_editable(campaign)
    except RollsFrozen as frozen:
        return frozen
    return None


class SealedRollsNotice(NoticeBase):
    """Says on an object's page why its roll entries are read-only, and on its delete page why
    the deletion is refused, once the vote has opened."""

    def sealed_campaign(self, obj: Any) -> Campaign:
        """The campaign whose rolls the object's roll entries belong to."""
        raise NotImplementedError

    def _warn(self, request: HttpRequest, obj: Any) -> None:
        frozen = rolls_frozen(self.sealed_campaign(obj))
        if frozen is not None:
            messages.warning(request, str(frozen.message))

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None:
            self._warn(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_delete_form(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        # Django lists what the account may not delete: here, the sealed roll entries.
        if context.get("perms_lacking") and context.get("object") is not None:
            self._warn(request, context["object"])
        return super().render_delete_form(request, context)


REASON_NEEDED = _(
    "Les listes électorales sont publiées : indiquez le motif de la modification, il figurera "
    "dans leur historique."
)


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Motif de la modification"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Obligatoire une fois les listes publiées : il figure, avec votre nom et la date, "
            "dans l'historique des listes électorales."
        ),
    )


def check_reason(campaign: Campaign | None, reason: str) -> None:
    """A change to a published roll says why (roll_history); raise the form's error if not."""
    if campaign is not None and roll_history.recording(campaign) and not reason.strip():
        raise ValidationError(str(REASON_NEEDED))


class ElectorForm(ElectorFormBase):
    """An elector's record; once the rolls are published, a change says why."""

    reason = reason_field()

    class Meta:
        model = Elector
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None and set(self.changed_data) - {"reason"}:
            check_reason(self.instance.campaign, cleaned.get("reason", ""))
        return cleaned


class RollFormSet(RollFormSetBase):
    """An elector's roll entries: once the rolls are published, adding or removing one needs the
    reason written on the elector's form."""

    def clean(self) -> None:
        super().clean()
        changed = any(form.has_changed() for form in self.forms) or bool(self.deleted_forms)
        if changed and self.instance.pk is not None:
            check_reason(self.instance.campaign, str(self.data.get("reason", "")))


class RollEntryForm(RollEntryFormBase):
    """A roll entry added or changed (alone or in an elector's page) while the rolls may still
    change; once the vote opens the form says why it refuses."""

    class Meta:
        model = RollEntry
        fields = ["elector", "scrutin"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.has_changed():
            return cleaned  # an untouched row of the elector's page changes no roll
        scrutins = [cleaned.get("scrutin")]
        if self.instance.pk is not None:
            scrutins.append(self.instance.scrutin)  # the roll it would leave
        for scrutin in scrutins:
            frozen = rolls_frozen(scrutin.campaign) if scrutin is not None else None
            if frozen is not None:
                raise ValidationError(str(frozen.message))
        return cleaned


class RollInline(ScopedInlineMixin, RollInlineBase):
    model = RollEntry
    form = RollEntryForm
    formset = RollFormSet
    extra = 0
    autocomplete_fields = ["scrutin"]
    verbose_name = _("scrutin")
    verbose_name_plural = _("inscriptions sur les listes électorales")

    # Once the vote opens, an elector's roll entries are shown read-only: Django then ignores
    # any row added, changed or deleted in a forged request.

    def has_add_permission(self, request: HttpRequest, obj: Elector | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request: HttpRequest, obj: Elector | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Elector | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(obj)

    def _editable(self, elector: Elector | None) -> bool:
        # A new elector's campaign is not known yet: RollEntryForm judges each row instead.
        return elector is None or rolls_frozen(elector.campaign) is None


@admin.register(Elector)
class ElectorAdmin(SealedRollsNotice, ScopedAdminMixin, ElectorAdminBase):
    list_display = [
        "last_name",
        "first_name",
        "email",
        "academy",
        "corps",
        "grade",
        "establishment",
    ]
    list_display_links = ["last_name", "first_name"]
    list_filter = ["campaign", "academy", "corps", "scrutins"]
    search_fields = ["last_name", "first_name", "email"]
    list_select_related = ["academy"]
    readonly_fields = ["invitation_sent_at"]
    fieldsets = [
        (None, {"fields": ["campaign", "civilite", "first_name", "last_name", "email"]}),
        (_("Affectation"), {"fields": ["academy", "corps", "grade", "establishment"]}),
        (_("Invitation"), {"fields": ["invitation_sent_at"]}),
    ]
    inlines = [RollInline]
    form = ElectorForm
    # A million electors: counting them all on every page would be the slowest query there.
    show_full_result_count = False

    def get_fieldsets(self, request: HttpRequest, obj: Elector | None = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and self.has_change_permission(request, obj):
            fieldsets.append((_("Historique des listes"), {"fields": ["reason"]}))
        return fieldsets

    def sealed_campaign(self, obj: Elector) -> Campaign:
        return obj.campaign

    # Once the vote opens, an elector is part of a sealed roll: read-only, never deleted
    # (check_roll_editable, the rule every path calls), their name and address included.

    def has_change_permission(self, request: HttpRequest, obj: Elector | None = None) -> bool:
        editable = obj is None or rolls_frozen(obj.campaign) is None
        return editable and super().has_change_permission(request, obj)

    # Deleting one on a roll is refused through their roll entries (RollEntryAdmin), with the
    # page saying why; delete_model refuses the others.

    def save_model(self, request: HttpRequest, obj: Elector, form: Any, change: bool) -> None:
        stored = Elector.objects.filter(pk=obj.pk).select_related("campaign").first()
        for campaign in {obj.campaign, *([stored.campaign] if stored else [])}:
            check_roll_editable(campaign)
        before = roll_history.snapshot(stored) if stored is not None else None
        super().save_model(request, obj, form, change)
        if before is not None:
            roll_history.do_record_elector_change(
                request.user,
                obj,
                before,
                source=RollChange.Source.BACK_OFFICE,
                reason=form.cleaned_data.get("reason", ""),
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        elector: Elector = form.instance
        before = set(Scrutin.objects.filter(roll__elector=elector))
        super().save_related(request, form, formsets, change)
        if change:
            after = set(Scrutin.objects.filter(roll__elector=elector))
            roll_history.do_record_roll_entries(
                request.user,
                elector,
                added=sorted(after - before, key=str),
                removed=sorted(before - after, key=str),
                source=RollChange.Source.BACK_OFFICE,
                reason=form.cleaned_data.get("reason", ""),
            )

    def delete_model(self, request: HttpRequest, obj: Elector) -> None:
        check_roll_editable(obj.campaign)
        roll_history.do_record_elector_removed(
            request.user, obj, source=RollChange.Source.BACK_OFFICE
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Elector]) -> None:
        for elector in queryset.select_related("campaign", "academy"):
            check_roll_editable(elector.campaign)
            roll_history.do_record_elector_removed(
                request.user, elector, source=RollChange.Source.BACK_OFFICE
            )
        super().delete_queryset(request, queryset)


@admin.register(Scrutin)
class ScrutinAdmin(ScopedAdminMixin, ScrutinAdminBase):
    list_display = ["name", "code", "level", "kind", "academy", "seats", "roll_count"]
    list_filter = ["campaign", "level", "kind", "academy"]
    search_fields = ["name", "code"]
    list_select_related = ["academy"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Scrutin]:
        scrutins: QuerySet[Scrutin] = super().get_queryset(request)
        # Counted within the staff member's perimeter, as the list the number links to.
        reachable = access.reachable_through(RollEntry, "roll", request.user)
        return scrutins.annotate(roll_size=Count("roll", filter=reachable))

    @admin.display(description=_("inscrits"), ordering="roll_size")
    def roll_count(self, scrutin: Scrutin) -> str:
        url = reverse("admin:campaign_elector_changelist") + f"?scrutins__id__exact={scrutin.pk}"
        size: int = getattr(scrutin, "roll_size", 0)
        return format_html('<a href="{}">{}</a>', url, size)


class RollEntryAdminForm(RollEntryForm):
    """A roll entry on its own page: once the rolls are published, a change says why."""

    reason = reason_field()

    class Meta(RollEntryForm.Meta):
        fields = ["elector", "scrutin", "reason"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        scrutin = cleaned.get("scrutin")
        if set(self.changed_data) - {"reason"} and scrutin is not None:
            check_reason(scrutin.campaign, cleaned.get("reason", ""))
        return cleaned


@admin.register(RollEntry)
class RollEntryAdmin(SealedRollsNotice, ScopedAdminMixin, RollEntryAdminBase):
    form = RollEntryAdminForm
    list_display = ["elector", "elector_email", "scrutin"]
    list_filter = ["scrutin__campaign", "scrutin__level", "scrutin"]
    search_fields = ["elector__last_name", "elector__first_name", "elector__email"]
    autocomplete_fields = ["elector", "scrutin"]
    list_select_related = ["elector", "scrutin"]
    show_full_result_count = False

    @admin.display(description=_("adresse de messagerie"), ordering="elector__email")
    def elector_email(self, entry: RollEntry) -> str:
        return entry.elector.email

    # Django also asks these of each entry that deleting an elector, a scrutin or a campaign
    # would take along: such a deletion is refused too once the vote has opened.

    def has_change_permission(self, request: HttpRequest, obj: RollEntry | None = None) -> bool:
        editable = obj is None or rolls_frozen(obj.scrutin.campaign) is None
        return editable and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: RollEntry | None = None) -> bool:
        editable = obj is None or rolls_frozen(obj.scrutin.campaign) is None
        return editable and super().has_delete_permission(request, obj)

    def sealed_campaign(self, obj: RollEntry) -> Campaign:
        return obj.scrutin.campaign

    def save_model(self, request: HttpRequest, obj: RollEntry, form: Any, change: bool) -> None:
        stored = RollEntry.objects.filter(pk=obj.pk).select_related("scrutin__campaign").first()
        check_roll_editable(obj.scrutin.campaign)
        if stored is not None:
            check_roll_editable(stored.scrutin.campaign)
        super().save_model(request, obj, form, change)
        reason = form.cleaned_data.get("reason", "")
        if stored is not None and stored.elector_id != obj.elector_id:
            self._record(request, stored, removed=True, reason=reason)
            self._record(request, obj, removed=False, reason=reason)
        elif stored is None or stored.scrutin_id != obj.scrutin_id:
            roll_history.do_record_roll_entries(
                request.user,
                obj.elector,
                added=[obj.scrutin],
                removed=[stored.scrutin] if stored is not None else [],
                source=RollChange.Source.BACK_OFFICE,
                reason=reason,
            )

    def _record(self, request: HttpRequest, entry: RollEntry, removed: bool, reason: str) -> None:
        roll_history.do_record_roll_entries(
            request.user,
            entry.elector,
            added=[] if removed else [entry.scrutin],
            removed=[entry.scrutin] if removed else [],
            source=RollChange.Source.BACK_OFFICE,
            reason=reason,
        )

    def delete_model(self, request: HttpRequest, obj: RollEntry) -> None:
        check_roll_editable(obj.scrutin.campaign)
        self._record(request, obj, removed=True, reason="")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RollEntry]) -> None:
        for entry in queryset.select_related("scrutin__campaign", "elector__campaign"):
            check_roll_editable(entry.scrutin.campaign)
            self._record(request, entry, removed=True, reason="")
        super().delete_queryset(request, queryset)


# The history of the published rolls (its own page, read-only).
from urne.campaign import admin_history  # noqa: E402, F401


class ElectorImportForm(ElectorImportFormBase):
    class Meta:
        model = ElectorImport
        fields = ["campaign", "file", "dry_run"]
        help_texts = {
            "file": _(
                "Fichier CSV en UTF-8, colonnes séparées par « ; », ou classeur Excel (.xlsx, "
                "première feuille), avec les colonnes : civilite, prenom, nom, email, corps, "
                "grade, etablissement, academie, scrutins (voir docs/import-format.md). Tout "
                "ou rien : une seule ligne en erreur et rien n'est enregistré."
            )
        }

    def clean_campaign(self) -> Campaign:
        campaign: Campaign = self.cleaned_data["campaign"]
        frozen = rolls_frozen(campaign)
        if frozen is not None:
            raise ValidationError(str(frozen.message))
        return campaign


@admin.register(ElectorImport)
class ElectorImportAdmin(ScopedAdminMixin, ElectorImportAdminBase):
    """Uploading a file creates a row here and starts the import; the row keeps its report."""

    form = ElectorImportForm
    list_display = ["created_at", "campaign", "original_name", "dry_run", "status", "requested_by"]
    list_filter = ["campaign", "status", "dry_run"]
    date_hierarchy = "created_at"
    # The file itself has no URL (personal data): its name is shown instead.
    readonly_fields = [
        "campaign",
        "original_name",
        "dry_run",
        "status",
        "progress",
        "requested_by",
        "created_at",
        "finished_at",
        "report",
        "errors_download",
    ]
    # Reloads itself while the import is waiting or running (the progress above).
    change_form_template = "admin/campaign/electorimport/change_form.html"

    @admin.display(description=_("avancement"))
    def progress(self, job: ElectorImport) -> str:
        done = format_count(job.lines_done)
        if job.status == ElectorImport.Status.PENDING:
            return gettext("En attente d'un worker")
        if not job.lines_total:
            return gettext("%(done)s lignes lues") % {"done": done}
        percent = min(100, job.lines_done * 100 // job.lines_total)
        text = gettext("%(done)s lignes lues sur environ %(total)s (%(percent)d %%)") % {
            "done": done,
            "total": format_count(job.lines_total),
            "percent": percent,
        }
        if job.status == ElectorImport.Status.RUNNING and percent >= 100:
            text += " — " + gettext("fichier lu, enregistrement en cours")
        return text

    @admin.display(description=_("erreurs par ligne"))
    def errors_download(self, job: ElectorImport) -> str:
        if not job.error_report:
            return "—"
        url = reverse("admin:campaign_electorimport_errors", args=[job.pk])
        return format_html(
            '<a href="{}" download>{}</a>',
            url,
            gettext("Télécharger les erreurs (CSV : ligne, colonne, message)"),
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/erreurs.csv",
                self.admin_site.admin_view(self.errors_view),
                name="campaign_electorimport_errors",
            )
        ]
        return own + super().get_urls()

    def errors_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The rejected file's problems as a CSV file, for the staff who may see the import."""
        job = self.get_object(request, object_id)  # within the staff member's perimeter
        if job is None or not self.has_view_permission(request, job) or not job.error_report:
            raise Http404
        # The byte order mark makes spreadsheets read the file as UTF-8.
        response = HttpResponse("\ufeff" + job.error_report, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="erreurs-import-{job.pk}.csv"'
        return response

    def get_fields(self, request: HttpRequest, obj: ElectorImport | None = None) -> _FieldGroups:
        if obj is None:
            return ["campaign", "file", "dry_run"]
        return list(self.readonly_fields)

    def get_readonly_fields(
        self, request: HttpRequest, obj: ElectorImport | None = None
    ) -> list[str]:
        return [] if obj is None else list(self.readonly_fields)

    def has_change_permission(self, request: HttpRequest, obj: ElectorImport | None = None) -> bool:
        return False  # a record: it is never edited, only viewed

    # The admin only adds and deletes records; the import_jobs service does the work, as a
    # staff page would.

    def save_model(self, request: HttpRequest, obj: ElectorImport, form: Any, change: bool) -> None:
        access.check_staff_may_change(request.user, obj)
        do_queue_elector_import(obj, cast(User, request.user))

    def delete_model(self, request: HttpRequest, obj: ElectorImport) -> None:
        access.check_staff_may_change(request.user, obj)
        do_delete_elector_imports([obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ElectorImport]) -> None:
        access.check_staff_may_change_all(request.user, queryset)
        do_delete_elector_imports(queryset)

    def response_add(
        self, request: HttpRequest, obj: ElectorImport, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Still inside the upload's transaction: the import starts when it commits, so the
        # page we send staff to shows its state, then its report.
        messages.info(
            request,
            gettext(
                "Fichier déposé : l'import est lancé. Son état et son compte rendu s'affichent "
                "ci-dessous ; rechargez la page tant qu'il est « En attente » ou « En cours »."
            ),
        )
        return HttpResponseRedirect(reverse("admin:campaign_electorimport_change", args=[obj.pk]))

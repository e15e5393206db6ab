"""Back office (/gestion/) for candidacies: unions, their lists, candidates, professions de foi.

A profession de foi is accepted only if its content is a PDF of limited size
(urne.candidacies.validators.validate_pdf), whatever its name says. Academy staff read the
national lists and manage their own academy's (urne.backoffice.access).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from urne.backoffice.admin import ScopedAdminMixin, ScopedInlineMixin
from urne.campaign.models import Scrutin
from urne.candidacies.models import Candidate, CandidateList, ListUnion, Union
from urne.voting import setup

if TYPE_CHECKING:
    UnionAdminBase = admin.ModelAdmin[Union]
    CandidateListAdminBase = admin.ModelAdmin[CandidateList]
    CandidateAdminBase = admin.ModelAdmin[Candidate]
    CandidateInlineBase = admin.TabularInline[Candidate, CandidateList]
    ListUnionInlineBase = admin.TabularInline[ListUnion, CandidateList]
else:  # Django's classes are generic only for the type checker.
    UnionAdminBase = CandidateListAdminBase = CandidateAdminBase = admin.ModelAdmin
    CandidateInlineBase = ListUnionInlineBase = admin.TabularInline


@admin.register(Union)
class UnionAdmin(ScopedAdminMixin, UnionAdminBase):
    list_display = ["acronym", "name", "campaign"]
    list_filter = ["campaign"]
    search_fields = ["acronym", "name"]


class _StoredFile:
    """What the file input shows of the current PDF: its name, linking to the back office."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self.url = url

    def __str__(self) -> str:
        return self.name


class ProfessionDeFoiInput(forms.ClearableFileInput):
    """Uploaded files have no public address (the espace électeur serves a profession de foi
    after checking the roll); staff open the current one through the back office instead."""

    def __init__(self, download_url: str) -> None:
        super().__init__()
        self.download_url = download_url

    def format_value(self, value: Any) -> Any:
        if self.is_initial(value):
            return _StoredFile(value.name.rsplit("/", 1)[-1], self.download_url)
        return None


def _frozen(scrutin: Scrutin | None) -> bool:
    return scrutin is not None and setup.lists_frozen(scrutin)


class FrozenListsForm(forms.ModelForm):  # type: ignore[type-arg]
    """Refuses a list or candidate for a scrutin whose election is sealed (setup's rule)."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        scrutin = cleaned.get("scrutin")
        if scrutin is None and cleaned.get("candidate_list") is not None:
            scrutin = cleaned["candidate_list"].scrutin
        if scrutin is None and self.instance.pk is not None:
            scrutin = _scrutin_of(self.instance)
        if scrutin is not None:
            try:
                setup.check_lists_editable(scrutin)
            except setup.SetupRefused as refused:
                raise forms.ValidationError(str(refused.message)) from None
        return cleaned


def _scrutin_of(obj: CandidateList | Candidate | ListUnion) -> Scrutin:
    return obj.scrutin if isinstance(obj, CandidateList) else obj.candidate_list.scrutin


class FrozenListsMixin:
    """Lists and candidates of a sealed scrutin are read-only: no change, no deletion."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _frozen(_scrutin_of(obj)):
            return False
        allowed: bool = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and _frozen(_scrutin_of(obj)):
            return False
        allowed: bool = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed


class CandidateInline(FrozenListsMixin, ScopedInlineMixin, CandidateInlineBase):
    model = Candidate
    extra = 0
    fields = ["position", "civilite", "last_name", "first_name", "corps_grade", "affectation"]
    ordering = ["position"]


class ListUnionInline(FrozenListsMixin, ScopedInlineMixin, ListUnionInlineBase):
    model = ListUnion
    extra = 1
    fields = ["union", "share"]
    autocomplete_fields = ["union"]


@admin.register(CandidateList)
class CandidateListAdmin(FrozenListsMixin, ScopedAdminMixin, CandidateListAdminBase):
    form = FrozenListsForm
    list_display = [
        "title",
        "scrutin",
        "status",
        "position",
        "union_acronyms",
        "candidate_count",
        "has_profession_de_foi",
    ]
    list_filter = ["status", "scrutin__campaign", "scrutin__level", "scrutin__kind", "unions"]
    search_fields = ["title", "scrutin__name", "scrutin__code", "unions__acronym"]
    autocomplete_fields = ["scrutin"]
    list_select_related = ["scrutin"]
    # The filing, the decision and the draw are done in the back office's own pages
    # (/gestion/candidatures/), where the rules are checked; this page is for repairs.
    fields = ["scrutin", "position", "title", "status", "rejection_reason", "profession_de_foi"]
    inlines = [ListUnionInline, CandidateInline]

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "<int:pk>/profession-de-foi.pdf",
            self.admin_site.admin_view(self.download_profession_de_foi),
            name="candidacies_candidatelist_profession_de_foi",
        )
        return [download, *super().get_urls()]

    def download_profession_de_foi(self, request: HttpRequest, pk: int) -> FileResponse:
        candidate_list = self.get_object(request, str(pk))
        if candidate_list is None or not candidate_list.profession_de_foi:
            raise Http404
        if not self.has_view_permission(request, candidate_list):
            raise PermissionDenied
        return FileResponse(
            candidate_list.profession_de_foi.open("rb"),
            content_type="application/pdf",
            filename=f"{candidate_list.scrutin.code}-{candidate_list.position}.pdf",
        )

    def get_form(
        self,
        request: HttpRequest,
        obj: CandidateList | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[CandidateList]]:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and obj.profession_de_foi and "profession_de_foi" in form.base_fields:
            form.base_fields["profession_de_foi"].widget = ProfessionDeFoiInput(
                reverse("admin:candidacies_candidatelist_profession_de_foi", args=[obj.pk])
            )
        return form

    def get_queryset(self, request: HttpRequest) -> QuerySet[CandidateList]:
        lists: QuerySet[CandidateList] = super().get_queryset(request)
        return lists.annotate(candidate_total=Count("candidates", distinct=True)).prefetch_related(
            "unions"
        )

    @admin.display(description=_("organisations"))
    def union_acronyms(self, candidate_list: CandidateList) -> str:
        return " – ".join(union.acronym for union in candidate_list.unions.all())

    @admin.display(description=_("candidats"), ordering="candidate_total")
    def candidate_count(self, candidate_list: CandidateList) -> int:
        total: int = getattr(candidate_list, "candidate_total", 0)
        return total

    @admin.display(description=_("profession de foi"), boolean=True)
    def has_profession_de_foi(self, candidate_list: CandidateList) -> bool:
        return bool(candidate_list.profession_de_foi)


@admin.register(Candidate)
class CandidateAdmin(FrozenListsMixin, ScopedAdminMixin, CandidateAdminBase):
    form = FrozenListsForm
    list_display = ["__str__", "candidate_list", "position", "corps_grade", "affectation"]
    list_filter = ["candidate_list__scrutin__campaign", "candidate_list__scrutin"]
    search_fields = ["last_name", "first_name", "candidate_list__title"]
    autocomplete_fields = ["candidate_list"]
    list_select_related = ["candidate_list"]

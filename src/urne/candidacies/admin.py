"""Back office (/gestion/) for candidacies: unions, their lists, candidates, professions de foi.

A profession de foi is accepted only if its content is a PDF of limited size
(urne.candidacies.validators.validate_pdf), whatever its name says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from urne.candidacies.models import Candidate, CandidateList, Union

if TYPE_CHECKING:
    UnionAdminBase = admin.ModelAdmin[Union]
    CandidateListAdminBase = admin.ModelAdmin[CandidateList]
    CandidateAdminBase = admin.ModelAdmin[Candidate]
    CandidateInlineBase = admin.TabularInline[Candidate, CandidateList]
else:  # Django's classes are generic only for the type checker.
    UnionAdminBase = CandidateListAdminBase = CandidateAdminBase = admin.ModelAdmin
    CandidateInlineBase = admin.TabularInline


@admin.register(Union)
class UnionAdmin(UnionAdminBase):
    list_display = ["acronym", "name", "campaign"]
    list_filter = ["campaign"]
    search_fields = ["acronym", "name"]


class CandidateInline(CandidateInlineBase):
    model = Candidate
    extra = 0
    fields = ["position", "civilite", "last_name", "first_name", "corps_grade", "affectation"]
    ordering = ["position"]


@admin.register(CandidateList)
class CandidateListAdmin(CandidateListAdminBase):
    list_display = [
        "title",
        "scrutin",
        "position",
        "union_acronyms",
        "candidate_count",
        "has_profession_de_foi",
    ]
    list_filter = ["scrutin__campaign", "scrutin__level", "scrutin__kind", "unions"]
    search_fields = ["title", "scrutin__name", "scrutin__code", "unions__acronym"]
    autocomplete_fields = ["scrutin", "unions"]
    list_select_related = ["scrutin"]
    fields = ["scrutin", "position", "title", "unions", "profession_de_foi"]
    inlines = [CandidateInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CandidateList]:
        return (
            super()
            .get_queryset(request)
            .annotate(candidate_total=Count("candidates", distinct=True))
            .prefetch_related("unions")
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
class CandidateAdmin(CandidateAdminBase):
    list_display = ["__str__", "candidate_list", "position", "corps_grade", "affectation"]
    list_filter = ["candidate_list__scrutin__campaign", "candidate_list__scrutin"]
    search_fields = ["last_name", "first_name", "candidate_list__title"]
    autocomplete_fields = ["candidate_list"]
    list_select_related = ["candidate_list"]

"""The scrutins' elections in the back office (/gestion/): where each stands, and two actions.

Read-only: the uuid, trustees, credentials and sealed setup come from the setup commands and the
credential authority, never from a form. Two actions call `urne.voting.setup`, within the staff
member's perimeter (`urne.backoffice.access`): « Préparer les élections » of a campaign (its
staff only) and « Sceller » the selected elections (each sealed, or what it lacks said).

Ballots and public credentials are not in the back office at all: the public board shows them to
everyone; the émargement has its own pages (turnout).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from urne.backoffice import access
from urne.backoffice.admin import ScopedAdminMixin
from urne.campaign.models import Campaign, RollEntry
from urne.voting import setup
from urne.voting.models import PublicCredential, ScrutinElection
from urne.voting.overview import describe_trustees
from urne.web.errors import NotFound

if TYPE_CHECKING:
    ElectionAdminBase = admin.ModelAdmin[ScrutinElection]
else:  # Django's classes are generic only for the type checker.
    ElectionAdminBase = admin.ModelAdmin


@admin.register(ScrutinElection)
class ScrutinElectionAdmin(ScopedAdminMixin, ElectionAdminBase):
    change_list_template = "admin/voting/scrutinelection/change_list.html"
    list_display = [
        "scrutin",
        "uuid",
        "trustees_summary",
        "credentials_summary",
        "sealed_at",
        "ballot_count",
        "readiness",
    ]
    list_filter = ["scrutin__campaign", "scrutin__level", "scrutin__academy"]
    search_fields = ["scrutin__code", "scrutin__name", "uuid"]
    list_select_related = ["scrutin", "scrutin__campaign"]
    readonly_fields = (
        "scrutin",
        "uuid",
        "trustees_summary",
        "credentials_summary",
        "readiness",
        "sealed_at",
        "fingerprint",
        "ballot_count",
    )
    fields = readonly_fields
    actions = ["seal"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ScrutinElection]:
        elections: QuerySet[ScrutinElection] = super().get_queryset(request)
        return elections.annotate(
            credential_total=Coalesce(
                Subquery(
                    PublicCredential.objects.filter(election=OuterRef("pk"))
                    .order_by()
                    .values("election")
                    .annotate(total=Count("pk"))
                    .values("total"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            roll_total=Coalesce(
                Subquery(
                    RollEntry.objects.filter(scrutin=OuterRef("scrutin"))
                    .order_by()
                    .values("scrutin")
                    .annotate(total=Count("pk"))
                    .values("total"),
                    output_field=IntegerField(),
                ),
                0,
            ),
        )

    # --- read-only ---------------------------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The actions need the change permission; no election is ever edited through a form.
        return obj is None and super().has_change_permission(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(super().has_view_permission(request, obj)) or bool(
            obj is not None and super().has_change_permission(request, None)
        )

    # --- columns -----------------------------------------------------------------------------

    @admin.display(description=_("autorités de déchiffrement"))
    def trustees_summary(self, election: ScrutinElection) -> str:
        return describe_trustees(election.trustees)

    @admin.display(description=_("certificats publics / inscrits"))
    def credentials_summary(self, election: ScrutinElection) -> str:
        credentials = getattr(election, "credential_total", None)
        roll = getattr(election, "roll_total", None)
        if credentials is None or roll is None:  # the change page's object
            credentials = election.credentials.count()
            roll = RollEntry.objects.filter(scrutin=election.scrutin_id).count()
        return f"{credentials} / {roll}"

    @admin.display(description=_("prête à sceller ?"))
    def readiness(self, election: ScrutinElection) -> str:
        if election.is_sealed:
            return gettext("scellée")
        missing = setup.sealing_readiness(election).missing
        if not missing:
            return gettext("prête")
        return gettext("il manque : %(missing)s") % {"missing": " ; ".join(missing)}

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description=_("Sceller"), permissions=["change"])
    def seal(self, request: HttpRequest, queryset: QuerySet[ScrutinElection]) -> None:
        access.check_staff_may_change_all(request.user, queryset)
        for election in queryset.select_related("scrutin"):
            if election.is_sealed:
                continue
            try:
                sealed = setup.do_seal_election(election.scrutin)
            except setup.SetupRefused as refused:
                self.message_user(request, str(refused.message), messages.ERROR)
                continue
            self.message_user(
                request,
                gettext("« %(scrutin)s » : élection scellée (empreinte %(fingerprint)s).")
                % {"scrutin": sealed.scrutin.code, "fingerprint": sealed.fingerprint},
                messages.SUCCESS,
            )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "may_prepare": self.has_change_permission(request)}
        return super().changelist_view(request, context)

    def get_urls(self) -> list[URLPattern]:
        prepare = path(
            "preparer/",
            self.admin_site.admin_view(self.prepare_view),
            name="voting_scrutinelection_prepare",
        )
        return [prepare, *super().get_urls()]

    def prepare_view(self, request: HttpRequest) -> HttpResponse:
        """« Préparer les élections »: each scrutin of a campaign gets its election and uuid.
        For the campaign's own staff (a whole-campaign act), with the change permission."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        campaigns = access.scoped(
            Campaign.objects.order_by("-year", "name"), request.user, for_change=True
        )
        if request.method == "POST":
            try:
                campaign = access.access_as_staff(
                    request.user, campaigns, request.POST.get("campaign"), for_change=True
                )
            except NotFound as refused:
                self.message_user(request, str(refused.message), messages.ERROR)
            else:
                made = setup.do_prepare_elections(campaign)
                self.message_user(
                    request,
                    gettext("« %(campaign)s » : %(count)d élection(s) préparée(s).")
                    % {"campaign": campaign.name, "count": len(made)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:voting_scrutinelection_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Préparer les élections"),
            "campaigns": campaigns,
        }
        return TemplateResponse(request, "admin/voting/scrutinelection/prepare.html", context)

"""The history of the published rolls in the back office (/gestion/), read-only.

One page, *Historique des listes électorales*, lists the `RollChange` rows that
`urne.campaign.roll_history` writes: who changed what, when, why, from what to what. Staff read
the rows of their perimeter (`urne.backoffice.access`): academy staff their academy's, the
campaign's staff all of it (an import's row too). The filter « Liste électorale » shows one
scrutin's roll: the entries added to or removed from it, and the changes to the electors on it.
Nobody adds, changes or deletes a row, superusers included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from urne.backoffice import access
from urne.backoffice.admin import ScopedAdminMixin
from urne.campaign import roll_history
from urne.campaign.models import Elector, RollChange, Scrutin

if TYPE_CHECKING:
    RollChangeAdminBase = admin.ModelAdmin[RollChange]
else:  # Django's classes are generic only for the type checker.
    RollChangeAdminBase = admin.ModelAdmin


class RollFilter(admin.SimpleListFilter):
    """One scrutin's roll: its entries added or removed, and what changed of its electors."""

    title = _("liste électorale")
    parameter_name = "scrutin"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        scrutins = access.scoped(Scrutin.objects.order_by("name"), request.user)
        return [(str(pk), name) for pk, name in scrutins.values_list("pk", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value or not value.isdigit():
            return queryset
        return roll_history.of_roll(queryset, int(value))


@admin.register(RollChange)
class RollChangeAdmin(ScopedAdminMixin, RollChangeAdminBase):
    list_display = [
        "at",
        "kind",
        "elector_label",
        "scrutin_label",
        "field_name",
        "old_value",
        "new_value",
        "reason",
        "actor_label",
        "source",
    ]
    list_filter = [RollFilter, "source", "kind", "academy", "campaign"]
    search_fields = ["elector_label", "old_value", "new_value", "reason", "actor_label"]
    date_hierarchy = "at"
    list_select_related = ["academy"]
    show_full_result_count = False

    @admin.display(description=_("information"), ordering="field")
    def field_name(self, change: RollChange) -> str:
        if not change.field:
            return ""
        return str(getattr(Elector._meta.get_field(change.field), "verbose_name", change.field))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""The Django admin (/gestion/) bound to the staff access layer (`urne.backoffice.access`).

Every ModelAdmin of urne inherits `ScopedAdminMixin` (inlines `ScopedInlineMixin`), so that its
lists, searches, filters, object pages, foreign-key choices (and their raw-id labels),
autocompletes, actions and deletions only reach what the staff member's perimeter holds. Django's
permissions still say what they may do there; the perimeter says where.

A model the back office shows that has no perimeter (Django's groups) is registered with
`SuperuserOnlyAdminMixin`: nobody else reaches it, whatever their permissions. Nothing is
registered without one or the other (tests/backoffice/test_registry.py checks it).

Both inherit `AuditedAdminMixin`, the one place where every change made in the back office is
written to the audit log (`urne.audit`): additions, changes (forms, editable columns, passwords),
deletions (one or selected) and actions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, get_model_from_relation
from django.contrib.admin.widgets import ForeignKeyRawIdWidget, ManyToManyRawIdWidget
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Field, ForeignKey, ManyToManyField, QuerySet
from django.http import HttpRequest

from urne.audit import services as audit
from urne.backoffice import access

if TYPE_CHECKING:
    from django.contrib.admin.options import InlineModelAdmin

    _AdminBase = admin.ModelAdmin[Any]
    _InlineBase = InlineModelAdmin[Any, Any]
else:  # mixins: their methods reach Django's through super()
    _AdminBase = _InlineBase = object


def _change_message(message: Any) -> Any:
    """Django's description of a change (the names of the fields changed, never their values),
    as JSON."""
    return message if isinstance(message, list | str) else str(message)


# Django's deletion action logs each deletion itself (log_deletions), once confirmed.
_SELF_LOGGING_ACTIONS = {"delete_selected"}


def _audited_action(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    @wraps(function)
    def run(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        # The rows as selected (an action may change what the queryset finds), up to a bound.
        selected = [str(pk) for pk in queryset.values_list("pk", flat=True)[:1000]]
        with audit.counting() as recorded:
            response = function(model_admin, request, queryset)
        if not recorded[0]:  # the action recorded nothing of its own (correction answers do)
            audit.record(
                request,
                "admin.action",
                description=str(queryset.model._meta.verbose_name_plural),
                name=name,
                model=queryset.model._meta.label_lower,
                selected=selected,
            )
        return response

    return run


class AuditedAdminMixin(_AdminBase):
    """Writes every addition, change, deletion and action of the back office to the audit log,
    beside Django's own history (LogEntry)."""

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        audit.record(request, "admin.add", obj, changes=_change_message(message))
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        audit.record(request, "admin.change", obj, changes=_change_message(message))
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        # Called before the rows go: their perimeter can still be read.
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            audit.record(request, "admin.delete", obj)
        return entries

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)
        return {
            name: (
                (function if name in _SELF_LOGGING_ACTIONS else _audited_action(function, name)),
                action_name,
                description,
            )
            for name, (function, action_name, description) in actions.items()
        }


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A filter by a related row (academy, scrutin, campaign...) offering only the rows the staff
    member may reach: another academy's name is not theirs to list."""

    def field_choices(
        self, field: Any, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> Any:  # (pk, label) pairs, as Django's
        ordering = self.field_admin_ordering(field, request, model_admin)
        related = get_model_from_relation(field)
        allowed = access.scoped(related._default_manager.all(), request.user)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": allowed}
        )


class ScopedForeignKeyRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input that names the row it holds only if the staff member may reach it.

    Django's widget prints the label of whatever id it is given, posted ones included, even
    when the form refuses the id: an elector of Lyon's name, to the staff of Dijon."""

    def __init__(self, rel: Any, admin_site: Any, user: access.Staff, **kwargs: Any) -> None:
        super().__init__(rel, admin_site, **kwargs)
        self.user = user

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        rows = self.rel.model._default_manager.using(self.db)
        try:
            reachable = access.scoped(rows, self.user).filter(**{key: value}).exists()
        except (ValueError, TypeError, ObjectDoesNotExist, ValidationError):
            reachable = False
        if not reachable:
            return "", ""
        label, url = super().label_and_url_for_value(value)
        return str(label), str(url)


def _scope_choices(formfield: forms.Field | None, request: HttpRequest) -> forms.Field | None:
    """Foreign-key and many-to-many choices cut to the perimeter: the form neither shows nor
    accepts another academy's rows, nor names them in a raw-id input."""
    queryset = getattr(formfield, "queryset", None)
    if formfield is not None and isinstance(queryset, QuerySet):
        formfield.queryset = access.scoped(queryset, request.user)  # type: ignore[attr-defined]
    widget = getattr(formfield, "widget", None)
    if (
        formfield is not None
        and isinstance(widget, ForeignKeyRawIdWidget)
        and not isinstance(widget, (ManyToManyRawIdWidget, ScopedForeignKeyRawIdWidget))
    ):
        scoped_widget = ScopedForeignKeyRawIdWidget(
            widget.rel, widget.admin_site, request.user, attrs=widget.attrs, using=widget.db
        )
        scoped_widget.is_required = widget.is_required
        formfield.widget = scoped_widget
    return formfield


class ScopedAdminMixin(AuditedAdminMixin):
    """A ModelAdmin that reaches only the staff member's perimeter (put it first in the bases)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Lists, searches, object pages (get_object), actions and autocompletes all start here.
        return access.scoped(super().get_queryset(request), request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed: bool = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.may_change(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Django also asks this of every row a deletion would cascade to.
        allowed: bool = super().has_delete_permission(request, obj)
        return allowed and (obj is None or access.may_change(request.user, obj))

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scope_choices(field, request)  # type: ignore[return-value]

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return _scope_choices(field, request)  # type: ignore[return-value]

    def get_list_filter(self, request: HttpRequest) -> Any:  # Django's ListFilter entries
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry: Any) -> Any:
        if isinstance(entry, str):
            field: Field[Any, Any] = get_fields_from_path(self.model, entry)[-1]
            if field.is_relation:
                return (entry, ScopedRelatedFieldListFilter)
        return entry

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Any]]:
        base = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class ScopedForm(base):  # type: ignore[misc,valid-type]
            """Says in the form, rather than with a bare 403, that the row would leave the
            staff member's perimeter (e.g. an elector moved to another academy)."""

            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return
                try:
                    access.check_staff_may_change(user, self.instance)
                except access.OutOfScope as refused:
                    self.add_error(None, str(refused.message))

        ScopedForm.__name__ = base.__name__
        return ScopedForm

    # Last line of defence, for the paths that skip get_form (the changelist's editable
    # columns, a custom view): refuse (OutOfScope is a 403) rather than write outside the
    # perimeter. Subclasses that replace these call the same checks.

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        access.check_staff_may_change(request.user, obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        access.check_staff_may_change(request.user, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        access.check_staff_may_change_all(request.user, queryset)
        super().delete_queryset(request, queryset)


def is_superuser(request: HttpRequest) -> bool:
    """An active superuser of the back office (as the access layer judges it)."""
    return access.staff_reach(request.user).unrestricted


class SuperuserOnlyAdminMixin(AuditedAdminMixin):
    """A ModelAdmin for superusers alone (put it first in the bases): other staff do not see it
    on the index and reach none of its pages, whatever Django permissions they were given."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)
        return queryset if is_superuser(request) else queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) and bool(super().has_module_permission(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and bool(super().has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) and bool(super().has_add_permission(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and bool(super().has_change_permission(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request) and bool(super().has_delete_permission(request, obj))


class ScopedInlineMixin(_InlineBase):
    """An inline whose rows and choices are cut to the perimeter; writing is judged on the
    parent row, by its own ModelAdmin."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.scoped(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return _scope_choices(field, request)  # type: ignore[return-value]

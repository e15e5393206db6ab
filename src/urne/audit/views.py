"""The audit log's page in the back office (/gestion/journal/): read, filter, export as CSV.

Verified staff holding ``audit.view_auditentry`` only; what they read is `urne.audit.reading`'s
answer, through the access layer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from urne import clock
from urne.audit import reading
from urne.audit.export import csv_lines
from urne.backoffice.pages import staff_page

PAGE_SIZE = 50


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class LogFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Auteur"),
        required=False,
        max_length=254,
        help_text=_("Tout ou partie de l'adresse du compte."),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("Depuis le"), required=False, widget=DateInput())
    until = forms.DateField(
        label=_("Jusqu'au"), required=False, widget=DateInput(), help_text=_("Jour inclus.")
    )
    target = forms.CharField(
        label=_("Objet"),
        required=False,
        max_length=200,
        help_text=_("Son nom (ou une partie), son identifiant ou son type (ex. campaign.scrutin)."),
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["action"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101
        field.choices = [("", _("Toutes")), *((name, name) for name in actions)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("La date de fin ne peut pas précéder la date de début."))
        return cleaned

    def log_filter(self) -> reading.LogFilter:
        """The filter asked, once valid (an invalid form filters nothing)."""
        if not self.is_valid():
            return reading.LogFilter()
        data = self.cleaned_data
        return reading.LogFilter(
            actor=data["actor"].strip(),
            action=data["action"],
            since=data["since"],
            until=data["until"],
            target=data["target"].strip(),
        )


def _form(request: HttpRequest) -> LogFilterForm:
    return LogFilterForm(request.GET or None, actions=reading.action_choices(request.user))


@staff_page(reading.VIEW_LOG)
def journal(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    entries = reading.log_entries(request.user, form.log_filter())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "backoffice/audit/journal.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@staff_page(reading.VIEW_LOG)
def journal_csv(request: HttpRequest) -> HttpResponseBase:
    form = _form(request)
    entries = reading.do_export_log(request.user, form.log_filter())
    response = StreamingHttpResponse(csv_lines(entries), content_type="text/csv; charset=utf-8")
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="journal-audit-{stamp}.csv"'
    return response

"""The helpdesk's pages, under /gestion/assistance/ (the back office's frame, `staff_page`).

Thin: the search, the lookups (404 outside the perimeter) and the actions are
`urne.support.helpdesk`'s; a refusal is shown on the elector's page, nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from urne.backoffice.pages import staff_page
from urne.campaign.models import Elector, RollEntry
from urne.support import helpdesk, roles
from urne.support.backoffice_forms import ElectorSearchForm, UnlockForm
from urne.web.errors import TooManyAttempts


@staff_page(roles.VIEW_ELECTOR)
def search(request: HttpRequest) -> HttpResponse:
    form = ElectorSearchForm(request.GET or None)
    result: helpdesk.ElectorSearch | None = None
    if form.is_bound and form.is_valid() and form.cleaned_data["q"].strip():
        try:
            result = helpdesk.search_page(
                request.user, form.cleaned_data["q"], request.GET.get("page")
            )
        except helpdesk.HelpdeskRefusal as refused:
            form.add_error("q", str(refused.message))
    return render(
        request,
        "support/helpdesk_search.html",
        {"form": form, "search": result},
        status=400 if form.errors else 200,
    )


def _elector_page(
    request: HttpRequest,
    elector: Elector,
    *,
    unlock_form: UnlockForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    rolls = RollEntry.objects.filter(elector=elector).select_related("scrutin")
    context = {
        "elector": elector,
        "account": helpdesk.account_status(user, elector),
        "rolls": [entry.scrutin for entry in rolls.order_by("scrutin__name")],
        "mails": helpdesk.mail_records(user, elector),
        "requests": (
            elector.correction_requests.order_by("-created_at", "-id")
            if user.has_perm(roles.VIEW_CORRECTIONS)
            else None
        ),
        "may_resend": user.has_perm(roles.RESEND_CONFIRMATION),
        "may_unlock": user.has_perm(roles.UNLOCK_ACCOUNT),
        "unlock_form": unlock_form or UnlockForm(),
        "has_birth_date": elector.birth_date is not None,
        "error": error,
        "min_checks": helpdesk.UNLOCK_MIN_CHECKS,
    }
    return render(request, "support/helpdesk_elector.html", context, status=status)


@staff_page(roles.VIEW_ELECTOR)
def elector(request: HttpRequest, elector_id: int) -> HttpResponse:
    return _elector_page(request, helpdesk.access_elector(request.user, elector_id))


@staff_page(roles.VIEW_ELECTOR, roles.RESEND_CONFIRMATION, methods=("POST",))
def resend_confirmation(request: HttpRequest, elector_id: int) -> HttpResponseBase:
    found = helpdesk.access_elector(request.user, elector_id, for_change=True)
    try:
        helpdesk.do_resend_confirmation(request, found)
    except (helpdesk.HelpdeskRefusal, TooManyAttempts) as refused:
        return _elector_page(request, found, error=str(refused.message), status=refused.status)
    messages.success(
        request,
        _("Le message de confirmation a été renvoyé à l'adresse du compte de %(name)s.")
        % {"name": found.salutation},
    )
    return redirect("helpdesk:elector", found.pk)


@staff_page(roles.VIEW_ELECTOR, roles.UNLOCK_ACCOUNT, methods=("POST",))
def unlock(request: HttpRequest, elector_id: int) -> HttpResponseBase:
    found = helpdesk.access_elector(request.user, elector_id, for_change=True)
    form = UnlockForm(request.POST)
    if form.is_valid():
        try:
            helpdesk.do_unlock_account(
                request, found, form.cleaned_data["checks"], form.cleaned_data["birth_date"]
            )
        except helpdesk.HelpdeskRefusal as refused:
            form.add_error(refused.field, str(refused.message))
        else:
            messages.success(
                request,
                _("Le compte de %(name)s est débloqué : l'électeur peut se connecter.")
                % {"name": found.salutation},
            )
            return redirect("helpdesk:elector", found.pk)
    return _elector_page(request, found, unlock_form=form, status=400)

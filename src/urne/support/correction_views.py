"""The correction queue, under /gestion/corrections/ (the back office's frame, `staff_page`).

Academy staff answer the profile correction requests of their academies (campaign-wide staff:
all of the campaign's). The queue and each request come through the staff access layer (404
outside the perimeter); answers are `urne.campaign.corrections`' verbs, which check again the
right, the perimeter, that the request still waits and that the rolls are not sealed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from urne.backoffice import access
from urne.backoffice.pages import staff_page
from urne.campaign import corrections
from urne.campaign.models import ProfileCorrectionRequest
from urne.support import roles
from urne.support.backoffice_forms import AcceptForm, RefuseForm
from urne.web.errors import Forbidden, NotFound, VisitorError

QUEUE_PAGE_SIZE = 50
PENDING, ANSWERED = "attente", "traitees"
Status = ProfileCorrectionRequest.Status


def _requests(request: HttpRequest) -> QuerySet[ProfileCorrectionRequest]:
    return access.scoped(
        ProfileCorrectionRequest.objects.select_related(
            "elector__academy", "elector__campaign", "answered_by"
        ),
        request.user,
    )


@staff_page(roles.VIEW_CORRECTIONS)
def queue(request: HttpRequest) -> HttpResponse:
    shown = ANSWERED if request.GET.get("etat") == ANSWERED else PENDING
    requests = _requests(request)
    if shown == PENDING:  # the oldest first: it has waited longest
        listed = requests.filter(status=Status.SUBMITTED).order_by("created_at", "id")
    else:
        listed = requests.exclude(status=Status.SUBMITTED).order_by("-answered_at", "-id")
    page = Paginator(listed, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "support/corrections_queue.html",
        {
            "page": page,
            "shown": shown,
            "PENDING": PENDING,
            "ANSWERED": ANSWERED,
            "pending_count": requests.filter(status=Status.SUBMITTED).count(),
        },
    )


def _request_page(
    request: HttpRequest,
    correction: ProfileCorrectionRequest,
    *,
    accept_form: AcceptForm | None = None,
    refuse_form: RefuseForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    answerable = ""
    if correction.is_open and user.has_perm(roles.ANSWER_CORRECTIONS):
        try:
            corrections.check_may_answer(user, correction)
        except VisitorError as refused:  # the rolls sealed; out of reach to write
            answerable = str(refused.message)
        else:
            answerable = "yes"
    context = {
        "correction": correction,
        "elector": correction.elector,
        "current": corrections.current_value(correction),
        "answerable": answerable == "yes",
        "not_answerable": "" if answerable == "yes" else answerable,
        "accept_form": accept_form or AcceptForm(initial={"value": correction.correction}),
        "refuse_form": refuse_form or RefuseForm(),
        "may_read_elector": user.has_perm(roles.VIEW_ELECTOR),
        "error": error,
    }
    return render(request, "support/correction.html", context, status=status)


@staff_page(roles.VIEW_CORRECTIONS)
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    return _request_page(
        request, access.access_as_staff(request.user, _requests(request), request_id)
    )


def _refusal_shown(refused: VisitorError) -> str:
    """The message of an answer refused by the service; a 403 or 404 goes to its own page."""
    if isinstance(refused, Forbidden | NotFound):
        raise refused
    return str(refused.message)


@staff_page(roles.VIEW_CORRECTIONS, roles.ANSWER_CORRECTIONS, methods=("POST",))
def accept(request: HttpRequest, request_id: int) -> HttpResponseBase:
    found = access.access_as_staff(request.user, _requests(request), request_id, for_change=True)
    try:  # answered meanwhile, rolls sealed: said above the page, whatever was typed
        corrections.check_may_answer(request.user, found)
    except VisitorError as refused:
        return _request_page(request, found, error=_refusal_shown(refused), status=400)
    form = AcceptForm(request.POST)
    if form.is_valid():
        try:
            corrections.do_accept_correction(
                request.user, found, form.cleaned_data["value"] or None, form.cleaned_data["answer"]
            )
        except VisitorError as refused:
            form.add_error("value", _refusal_shown(refused))
        else:
            messages.success(
                request,
                _("Demande de %(name)s acceptée : l'électeur en est informé par courriel.")
                % {"name": found.elector.salutation},
            )
            return redirect("corrections:queue")
    return _request_page(request, found, accept_form=form, status=400)


@staff_page(roles.VIEW_CORRECTIONS, roles.ANSWER_CORRECTIONS, methods=("POST",))
def refuse(request: HttpRequest, request_id: int) -> HttpResponseBase:
    found = access.access_as_staff(request.user, _requests(request), request_id, for_change=True)
    try:  # answered meanwhile, rolls sealed: said above the page, whatever was typed
        corrections.check_may_answer(request.user, found)
    except VisitorError as refused:
        return _request_page(request, found, error=_refusal_shown(refused), status=400)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            corrections.do_refuse_correction(request.user, found, form.cleaned_data["reason"])
        except VisitorError as refused:
            form.add_error("reason", _refusal_shown(refused))
        else:
            messages.success(
                request,
                _("Demande de %(name)s refusée : l'électeur en est informé par courriel.")
                % {"name": found.elector.salutation},
            )
            return redirect("corrections:queue")
    return _request_page(request, found, refuse_form=form, status=400)

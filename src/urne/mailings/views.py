"""The mailings' pages, under /gestion/envois/ (back-office frame: `staff_page`).

Each view asks `urne.mailings.services`, which checks the permission and the perimeter; a refusal
of the services is shown on the page it concerns, nothing changed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from urne import clock
from urne.backoffice.pages import staff_page
from urne.mailings import composing, services
from urne.mailings.forms import MailingForm, placeholders_help
from urne.mailings.models import Kind, Mailing
from urne.web.errors import VisitorError

SEND = services.SEND_MAILING
SENDS_PAGE = 100


@staff_page(SEND)
def index(request: HttpRequest) -> HttpResponse:
    mailings = services.mailings_in_reach(request.user)
    page = Paginator(mailings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mailings/index.html",
        {"page": page, "kinds": Kind.choices, "current": "mailings:index"},
    )


def _compose(request: HttpRequest, mailing: Mailing | None) -> HttpResponse:
    if request.method == "POST":
        form = MailingForm(request.user, request.POST)
        if form.is_valid():
            try:
                if mailing is None:
                    mailing = services.do_create_mailing(request, form.draft())
                else:
                    mailing = services.do_update_mailing(request, mailing, form.draft())
            except VisitorError as refused:
                form.add_error(None, str(refused.message))
            else:
                return redirect("mailings:detail", mailing_id=mailing.pk)
    elif mailing is not None:
        form = MailingForm(
            request.user,
            initial={
                "kind": mailing.kind,
                "target": f"a{mailing.academy_id}"
                if mailing.academy_id
                else f"c{mailing.campaign_id}",
                "scrutin": mailing.scrutin_id or "",
                "subject": mailing.subject,
                "body": mailing.body,
            },
        )
    else:
        kind = request.GET.get("type", Kind.INVITATION)
        kind = kind if kind in Kind.values else Kind.INVITATION
        form = MailingForm(request.user, initial={"kind": kind})
        first = next(iter(form.targets.values()), None)
        if first is not None:
            subject, body = composing.default_text(kind, first.campaign)
            form.initial.update(subject=subject, body=body)
    return render(
        request,
        "mailings/compose.html",
        {
            "form": form,
            "mailing": mailing,
            "kinds": Kind.choices,
            "placeholders": placeholders_help(),
            "current": "mailings:index",
        },
    )


@staff_page(SEND, methods=("GET", "HEAD", "POST"))
def new(request: HttpRequest) -> HttpResponse:
    services.check_may_send_mailings(request.user)
    return _compose(request, None)


@staff_page(SEND, methods=("GET", "HEAD", "POST"))
def edit(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = services.access_mailing(request.user, mailing_id)
    if not mailing.is_draft:
        messages.error(request, str(services.MailingAlreadySent.message))
        return redirect("mailings:detail", mailing_id=mailing.pk)
    return _compose(request, mailing)


@staff_page(SEND)
def detail(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = services.access_mailing(request.user, mailing_id)
    context: dict[str, object] = {"mailing": mailing, "current": "mailings:index"}
    if mailing.is_draft:
        context["preview"] = services.preview(mailing)
    else:
        sends = Paginator(services.sends(mailing), SENDS_PAGE).get_page(request.GET.get("page"))
        context.update(
            sends=sends,
            lines=[services.send_line(send) for send in sends.object_list],
            header=services.send_header(),
            progress=services.progress(mailing),
            stuck=services.is_stuck(mailing),
        )
    return render(request, "mailings/detail.html", context)


@staff_page(SEND, methods=("POST",))
def send(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = services.access_mailing(request.user, mailing_id)
    try:
        mailing = services.do_send_mailing(request, mailing)
    except VisitorError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(
            request,
            _("L'envoi est lancé : sa progression s'affiche ci-dessous.")
            if not mailing.is_finished
            else _("L'envoi est terminé."),
        )
    return redirect("mailings:detail", mailing_id=mailing.pk)


@staff_page(SEND, methods=("POST",))
def resume(request: HttpRequest, mailing_id: int) -> HttpResponse:
    mailing = services.access_mailing(request.user, mailing_id)
    try:
        services.do_resume_mailing(request, mailing)
    except VisitorError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("L'envoi reprend là où il s'était arrêté."))
    return redirect("mailings:detail", mailing_id=mailing.pk)


@staff_page(SEND)
def progress(request: HttpRequest, mailing_id: int) -> JsonResponse:
    mailing = services.access_mailing(request.user, mailing_id)
    return JsonResponse(services.progress(mailing))


@staff_page(SEND)
def sends_csv(request: HttpRequest, mailing_id: int) -> HttpResponseBase:
    mailing = services.access_mailing(request.user, mailing_id)
    services.record_export(request, mailing)
    rows = services.sends(mailing).iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        services.sends_csv(rows), content_type="text/csv; charset=utf-8"
    )
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="envoi-{mailing.pk}-{stamp}.csv"'
    return response

"""Turnout and émargement pages of the back office, under /gestion/participation/.

Back-office pages (`urne.backoffice.pages.staff_page`: verified staff only, others go to the
login page; GET only, never cached), in the portal's look; what they show, and to whom, is
decided by `urne.voting.turnout`, which goes through the staff access layer (a page without its
permission answers 403 with the permission's name).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from urne import clock
from urne.backoffice.pages import staff_page
from urne.voting import turnout

EMARGEMENT_PAGE = 200


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "current": "voting:turnout", **extra}


@staff_page()
def turnout_index(request: HttpRequest) -> HttpResponse:
    rows = turnout.participation_index(request.user)
    return render(
        request,
        "voting/turnout_index.html",
        _context(
            request,
            _("Participation"),
            rows=rows,
            now=clock.now(),
            may_view_turnout=request.user.has_perm(turnout.VIEW_TURNOUT),
        ),
    )


@staff_page()
def turnout_scrutin(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = turnout.access_turnout_scrutin(request.user, scrutin_id)
    return render(
        request,
        "voting/turnout_scrutin.html",
        _context(
            request,
            _("Participation : %(scrutin)s") % {"scrutin": scrutin.name},
            scrutin=scrutin,
            total=turnout.scrutin_turnout(request.user, scrutin),
            academies=turnout.turnout_by_academy(request.user, scrutin),
            may_view_emargement=turnout.may_view_emargement(request.user),
            now=clock.now(),
        ),
    )


@staff_page()
def emargement(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = turnout.access_emargement_scrutin(request.user, scrutin_id)
    paginator = Paginator(turnout.emargement_rows(request.user, scrutin), EMARGEMENT_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "voting/turnout_emargement.html",
        _context(
            request,
            _("Émargement : %(scrutin)s") % {"scrutin": scrutin.name},
            scrutin=scrutin,
            page=page,
            lines=[turnout.emargement_line(row) for row in page.object_list],
            header=turnout.emargement_header(),
            may_view_turnout=request.user.has_perm(turnout.VIEW_TURNOUT),
        ),
    )


@staff_page()
def emargement_csv(request: HttpRequest, scrutin_id: int) -> HttpResponseBase:
    scrutin = turnout.access_emargement_scrutin(request.user, scrutin_id)
    rows = turnout.emargement_rows(request.user, scrutin).iterator(chunk_size=2000)
    response = StreamingHttpResponse(
        turnout.emargement_csv(rows), content_type="text/csv; charset=utf-8"
    )
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = (
        f'attachment; filename="emargement-{scrutin.code}-{stamp}.csv"'
    )
    return response

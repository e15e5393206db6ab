"""Turnout and émargement pages of the back office, under /gestion/participation/.

Admin pages in the admin's look (`admin.site.admin_view`: active staff only, others go to the
login page), never cached; what they show is decided by `urne.voting.turnout`, which goes through
the staff access layer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from urne import clock
from urne.voting import turnout

EMARGEMENT_PAGE = 200

AdminView = Callable[..., HttpResponseBase]


def staff_page(view: AdminView) -> AdminView:
    """An admin page: staff only (admin_view), GET only, never cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(request, *args, **kwargs)

    return admin.site.admin_view(never_cache(require_safe(wrapper)))


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


@staff_page
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


@staff_page
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


@staff_page
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


@staff_page
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

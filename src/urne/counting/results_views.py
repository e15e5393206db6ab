"""The results pages: the back office's (/gestion/resultats/) and the public ones (/resultats/).

Back office: verified staff holding `results.VIEW_RESULTS` (`staff_page`), the scrutins of
their reach (`results.results_scrutins`); each scrutin's figures, charts, exports (CSV, JSON)
and procès-verbal (PDF, recorded in the audit journal). Public: the scrutins whose results are
proclaimed (`results.is_proclaimed`), with the same figures, charts and exports, no account.

What is shown comes from `urne.counting.results` (the counts from the archive's Result); the
charts are SVG written here (`urne.counting.charts`), each with its data table beside it.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from urne import clock
from urne.audit import services as audit
from urne.backoffice.pages import staff_page
from urne.counting import draws, preferences, results
from urne.counting.charts import Bar, bar_chart
from urne.counting.minutes import minutes_of, render_minutes
from urne.counting.proclamation import may_proclaim
from urne.counting.seats import fraction_text
from urne.web.errors import NotFound, VisitorError
from urne.web.spreadsheet import excel_csv

PUBLIC_SECONDS = 60
"""How long anyone may keep a public results page or export."""


def _percent(value: Fraction | None) -> str:
    return results.percent(value)


def _votes_chart(figures: results.ScrutinFigures) -> SafeString:
    return bar_chart(
        "voix",
        _("Voix par liste"),
        [
            Bar(
                entry.title,
                entry.votes,
                f"{results.thousands(entry.votes)} ({_percent(entry.share)})",
            )
            for entry in figures.lists
        ],
    )


def _seats_chart(figures: results.ScrutinFigures) -> SafeString:
    return bar_chart(
        "sieges",
        _("Sièges de titulaires par liste"),
        [
            Bar(
                entry.title,
                entry.titulaires,
                ngettext("%(n)s siège", "%(n)s sièges", entry.titulaires) % {"n": entry.titulaires},
            )
            for entry in figures.lists
        ],
        maximum=figures.scrutin.seats,
    )


def _turnout_chart(academies: dict[str, results.Aggregate]) -> SafeString | None:
    if not academies:
        return None
    return bar_chart(
        "participation",
        _("Participation par académie (CSA académiques)"),
        [
            Bar(name, total.turnout or 0, _percent(total.turnout))
            for name, total in academies.items()
        ],
        maximum=1,
    )


def _unions_chart(total: results.Aggregate) -> SafeString:
    return bar_chart(
        "representativite",
        _("Voix par organisation syndicale (CSA ministériel)"),
        [
            Bar(
                union,
                votes,
                f"{results.thousands(round(votes))} ({_percent(total.unions.share(union))})",
            )
            for union, votes in total.unions.ranking()
        ],
    )


def _scrutin_context(row: results.ScrutinRow) -> dict[str, Any]:
    figures = row.figures
    context: dict[str, Any] = {"scrutin": row.scrutin, "figures": figures, "error": row.error}
    if figures is not None:
        context.update(
            votes_chart=_votes_chart(figures),
            seats_chart=_seats_chart(figures),
            lists=[
                {
                    "entry": entry,
                    "votes": results.thousands(entry.votes),
                    "share": _percent(entry.share),
                    "unions": results.unions_text(entry),
                    "grade_choice": (
                        results.grade_choice_text(figures, entry.title)
                        if figures.grades is not None
                        and figures.grades.complete
                        and entry.titulaires
                        else ""
                    ),
                }
                for entry in figures.lists
            ],
            turnout=_percent(figures.turnout),
            numbers={
                name: results.thousands(getattr(figures, name))
                for name in ("inscrits", "votants", "blancs", "nuls", "exprimes")
            },
            board_url=reverse("voting:board", args=[row.scrutin.election.uuid]),
            short_lists_rule=results.short_lists_text(figures.scrutin.short_lists),
            tie_rule=results.tie_text(figures.scrutin.tie_by_candidates),
            quotient=(
                fraction_text(figures.allocation.quotient)
                if figures.allocation.quotient is not None
                else None
            ),
        )
    return context


def _overview_context(rows: list[results.ScrutinRow]) -> dict[str, Any]:
    summary = results.overview(rows)
    national = summary.national
    return {
        "national": national,
        "national_unions": (
            [
                {
                    "union": union,
                    "votes": results.thousands(round(votes)),
                    "share": _percent(national.unions.share(union)),
                }
                for union, votes in national.unions.ranking()
            ]
            if national is not None
            else []
        ),
        "national_turnout": _percent(national.turnout) if national is not None else None,
        "national_numbers": (
            {
                name: results.thousands(getattr(national, name))
                for name in ("inscrits", "votants", "exprimes")
            }
            if national is not None
            else {}
        ),
        "unions_chart": _unions_chart(national) if national is not None else None,
        "academies": [
            {
                "name": name,
                "inscrits": results.thousands(total.inscrits),
                "votants": results.thousands(total.votants),
                "turnout": _percent(total.turnout),
            }
            for name, total in summary.academies.items()
        ],
        "turnout_chart": _turnout_chart(summary.academies),
    }


def _overview_json(rows: list[results.ScrutinRow]) -> dict[str, Any]:
    summary = results.overview(rows)
    return {
        "national": (
            results.aggregate_json(summary.national) if summary.national is not None else None
        ),
        "academies": {
            name: results.aggregate_json(total) for name, total in summary.academies.items()
        },
        "scrutins": [results.figures_json(row.figures) for row in rows if row.figures is not None],
    }


def _json_response(data: object, name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _csv_response(figures: results.ScrutinFigures, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        excel_csv(results.FIGURES_CSV_HEADER, results.figures_csv_rows(figures)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _decided(row: results.ScrutinRow) -> results.ScrutinFigures:
    if row.figures is None:
        raise NotFound(row.error or _("Ce scrutin n'a pas encore de résultat."))
    return row.figures


# --- back office ---------------------------------------------------------------------------------


def _staff(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "current": "results:index", "staff": True, **extra}


@staff_page(results.VIEW_RESULTS)
def staff_index(request: HttpRequest) -> HttpResponse:
    rows = [results.scrutin_row(scrutin) for scrutin in results.results_scrutins(request.user)]
    return render(
        request,
        "counting/results/index.html",
        _staff(_("Résultats"), rows=rows, now=clock.now(), **_overview_context(rows)),
    )


@staff_page(results.VIEW_RESULTS)
def staff_overview_json(request: HttpRequest) -> HttpResponse:
    rows = [results.scrutin_row(scrutin) for scrutin in results.results_scrutins(request.user)]
    return _json_response(_overview_json(rows), "resultats.json")


def _draw_form(request: HttpRequest, row: results.ScrutinRow, proclaimed: bool) -> Any:
    """What the page needs to offer the draw: only when the figures wait for one, before the
    proclamation, to whoever may record it (`urne.counting.draws`)."""
    figures = row.figures
    if figures is None or proclaimed:
        return None
    waiting = draws.pending(figures)
    if waiting is None or not may_proclaim(request.user, row.scrutin):
        return None
    return {
        "pending": waiting,
        "ranks": range(1, len(waiting.lists) + 1),
        "account_max": draws.ACCOUNT_MAX,
    }


def _grade_choice_form(request: HttpRequest, row: results.ScrutinRow, proclaimed: bool) -> Any:
    """What the page needs to offer the record of the lists' choices of grades: only for a CAP
    counted grade by grade, before the proclamation, to whoever may record a draw
    (`urne.counting.preferences`). One form per list that won seats (every list while the
    seats wait for a draw)."""
    figures = row.figures
    if figures is None or proclaimed or not figures.scrutin.grades:
        return None
    if not may_proclaim(request.user, row.scrutin):
        return None
    complete = figures.allocation.complete
    recorded = {item.list: item for item in figures.recorded_preferences}
    forms: list[dict[str, Any]] = []
    for entry in figures.lists:
        if complete and not (entry.won or entry.titulaires):
            continue
        own = preferences.grades_of(figures, entry.title)
        if not own:
            continue
        current = recorded.get(entry.title)
        chosen = current.grades if current is not None else ()
        forms.append(
            {
                "index": len(forms) + 1,
                "title": entry.title,
                "grades": own,
                "ranks": [
                    (rank, chosen[rank - 1] if rank <= len(chosen) else "")
                    for rank in range(1, len(own) + 1)
                ],
                "current": current,
            }
        )
    return {"lists": forms} if forms else None


def _scrutin_page(
    request: HttpRequest,
    scrutin: Any,
    *,
    error: str = "",
    choice_error: str = "",
    status: int = 200,
) -> HttpResponse:
    row = results.scrutin_row(scrutin)
    proclaimed = results.is_proclaimed(scrutin)
    response = render(
        request,
        "counting/results/scrutin.html",
        _staff(
            _("Résultats : %(scrutin)s") % {"scrutin": scrutin.name},
            proclaimed=proclaimed,
            draw_form=_draw_form(request, row, proclaimed),
            draw_error=error,
            grade_choice_form=_grade_choice_form(request, row, proclaimed),
            choice_error=choice_error,
            **_scrutin_context(row),
        ),
    )
    response.status_code = status
    return response


@staff_page(results.VIEW_RESULTS)
def staff_scrutin(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = results.access_results_scrutin(request.user, scrutin_id)
    return _scrutin_page(request, scrutin)


@staff_page(methods=("POST",))
def staff_draw(request: HttpRequest, scrutin_id: int) -> HttpResponseBase:
    """Record the draw that breaks a tie (`urne.counting.draws`): the tied lists in the order
    drawn (`order`, one per rank) and how it was drawn (`account`)."""
    scrutin = draws.access_drawing(request.user, scrutin_id)
    order = [title for title in request.POST.getlist("order") if title]
    try:
        draws.do_record_draw(scrutin, request, order, request.POST.get("account", ""))
    except VisitorError as refused:
        if not request.user.has_perm(results.VIEW_RESULTS):
            messages.error(request, str(refused.message))
            return redirect("results:scrutin", scrutin_id=scrutin.pk)
        return _scrutin_page(request, scrutin, error=str(refused.message), status=refused.status)
    messages.success(
        request,
        _(
            "Le tirage au sort du scrutin « %(scrutin)s » est enregistré ; les sièges sont "
            "attribués."
        )
        % {"scrutin": scrutin.name},
    )
    return redirect("results:scrutin", scrutin_id=scrutin.pk)


@staff_page(methods=("POST",))
def staff_grade_preference(request: HttpRequest, scrutin_id: int) -> HttpResponseBase:
    """Record a list's choice of grades (`urne.counting.preferences`): the list (`list`) and
    the grades in the order chosen (`grades`, one per rank; empty ranks ignored)."""
    scrutin = preferences.access_choosing(request.user, scrutin_id)
    title = request.POST.get("list", "")
    try:
        preferences.do_record_preference(scrutin, request, title, request.POST.getlist("grades"))
    except VisitorError as refused:
        if not request.user.has_perm(results.VIEW_RESULTS):
            messages.error(request, str(refused.message))
            return redirect("results:scrutin", scrutin_id=scrutin.pk)
        return _scrutin_page(
            request, scrutin, choice_error=str(refused.message), status=refused.status
        )
    messages.success(
        request,
        _(
            "Le choix des grades de la liste « %(list)s » est enregistré ; les sièges par grade "
            "et les élus en tiennent compte."
        )
        % {"list": title.strip()},
    )
    return redirect("results:scrutin", scrutin_id=scrutin.pk)


@staff_page(results.VIEW_RESULTS)
def staff_scrutin_csv(request: HttpRequest, scrutin_id: int) -> HttpResponseBase:
    scrutin = results.access_results_scrutin(request.user, scrutin_id)
    return _csv_response(_decided(results.scrutin_row(scrutin)), f"resultats-{scrutin.code}.csv")


@staff_page(results.VIEW_RESULTS)
def staff_scrutin_json(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = results.access_results_scrutin(request.user, scrutin_id)
    figures = _decided(results.scrutin_row(scrutin))
    return _json_response(results.figures_json(figures), f"resultats-{scrutin.code}.json")


@staff_page(results.VIEW_RESULTS)
def staff_minutes(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = results.access_results_scrutin(request.user, scrutin_id)
    figures = _decided(results.scrutin_row(scrutin))
    pdf = render_minutes(minutes_of(figures, scrutin))
    audit.record(request, "results.minutes", scrutin, fingerprint=figures.counts.fingerprint)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="proces-verbal-{scrutin.code}-{clock.now():%Y%m%d-%H%M%S}.pdf"'
    )
    return response


# --- public --------------------------------------------------------------------------------------


def _public(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, public=True, max_age=PUBLIC_SECONDS)
    return response


def _public_rows() -> list[results.ScrutinRow]:
    return [results.scrutin_row(scrutin) for scrutin in results.public_scrutins()]


@require_safe
def public_index(request: HttpRequest) -> HttpResponseBase:
    rows = _public_rows()
    response = render(
        request,
        "counting/results/index.html",
        {
            "title": _("Résultats des élections"),
            "staff": False,
            "rows": rows,
            **_overview_context(rows),
        },
    )
    patch_cache_control(response, private=True, max_age=PUBLIC_SECONDS)
    return response


@require_safe
def public_overview_json(request: HttpRequest) -> HttpResponseBase:
    return _public(_json_response(_overview_json(_public_rows()), "resultats.json"))


@require_safe
def public_scrutin(request: HttpRequest, code: str) -> HttpResponseBase:
    scrutin = results.access_public_results(code)
    response = render(
        request,
        "counting/results/scrutin.html",
        {
            "title": _("Résultats : %(scrutin)s") % {"scrutin": scrutin.name},
            "staff": False,
            "proclaimed": True,
            **_scrutin_context(results.scrutin_row(scrutin)),
        },
    )
    patch_cache_control(response, private=True, max_age=PUBLIC_SECONDS)
    return response


@require_safe
def public_scrutin_csv(request: HttpRequest, code: str) -> HttpResponseBase:
    scrutin = results.access_public_results(code)
    figures = _decided(results.scrutin_row(scrutin))
    return _public(_csv_response(figures, f"resultats-{scrutin.code}.csv"))


@require_safe
def public_scrutin_json(request: HttpRequest, code: str) -> HttpResponseBase:
    scrutin = results.access_public_results(code)
    figures = _decided(results.scrutin_row(scrutin))
    return _public(_json_response(results.figures_json(figures), f"resultats-{scrutin.code}.json"))

"""The espace électeur: the elector's own profile, scrutins, rolls, candidacies and memo.

Every view takes the elector from `elector_view`, which refuses anonymous visitors (to the login
page), staff and unconfirmed accounts (403); scrutins come from `access_scrutin_as_elector` (404
for a scrutin the elector is not on).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from urne.campaign import services
from urne.campaign.forms import CorrectionRequestForm, RollSearchForm
from urne.campaign.models import Elector, Scrutin
from urne.voting.vote_state import VoteState, vote_states

P = ParamSpec("P")
ElectorView = Callable[Concatenate[HttpRequest, Elector, P], HttpResponseBase]


def elector_view(view: ElectorView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Log in first, then only a confirmed elector; pages are personal, so never cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        elector = services.access_elector(request.user)
        return view(request, elector, *args, **kwargs)

    return never_cache(login_required(wrapper))


def _with_vote_states(elector: Elector) -> list[tuple[Scrutin, VoteState]]:
    """The elector's scrutins, each with the state of their vote in it."""
    scrutins = list(services.elector_scrutins(elector))
    states = vote_states(elector, scrutins)
    return [(scrutin, states[scrutin.pk]) for scrutin in scrutins]


@require_GET
@elector_view
def space(request: HttpRequest, elector: Elector) -> HttpResponse:
    return render(
        request,
        "campaign/space.html",
        {
            "elector": elector,
            "campaign": elector.campaign,
            "votes": _with_vote_states(elector),
        },
    )


@require_GET
@elector_view
def profile(request: HttpRequest, elector: Elector) -> HttpResponse:
    return render(
        request,
        "campaign/profile.html",
        {
            "elector": elector,
            "campaign": elector.campaign,
            "corrections_open": elector.campaign.corrections_open(),
            "requests": elector.correction_requests.all(),
        },
    )


@require_http_methods(["GET", "POST"])
@elector_view
def request_correction(request: HttpRequest, elector: Elector) -> HttpResponse:
    campaign = elector.campaign
    try:
        services.check_corrections_open(campaign)
    except services.CorrectionsClosed as closed:
        # Closed: the page says so, and a late POST is refused without saving anything.
        return render(
            request,
            "campaign/correction_closed.html",
            {"notice": closed.message, "campaign": campaign},
            status=403 if request.method == "POST" else 200,
        )
    form = CorrectionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_request_correction(
                elector, data["field"], data["correction"], data["comment"]
            )
        except services.CorrectionRefused as refused:
            form.add_error(None, str(refused.message))
        else:
            messages.success(
                request,
                _(
                    "Votre demande de mise à jour a été transmise à votre académie. "
                    "Vous en suivrez l'état sur cette page."
                ),
            )
            return redirect("campaign:profile")
    return render(
        request,
        "campaign/correction_form.html",
        {"form": form, "campaign": campaign},
        status=400 if form.errors else 200,
    )


@require_GET
@elector_view
def scrutins(request: HttpRequest, elector: Elector) -> HttpResponse:
    return render(
        request,
        "campaign/scrutins.html",
        {
            "elector": elector,
            "campaign": elector.campaign,
            "scrutins": _with_vote_states(elector),
        },
    )


@require_GET
@elector_view
def scrutin(request: HttpRequest, elector: Elector, code: str) -> HttpResponse:
    found = services.access_scrutin_as_elector(elector, code)
    campaign = found.campaign
    published = campaign.candidacies_published()
    return render(
        request,
        "campaign/scrutin.html",
        {
            "scrutin": found,
            "campaign": campaign,
            "rolls_published": campaign.rolls_published(),
            "rolls_notice": services.rolls_opening_notice(campaign),
            "candidacies_published": published,
            "candidacies_notice": services.candidacies_opening_notice(campaign),
            "lists": services.candidate_lists(found) if published else [],
            "state": vote_states(elector, [found])[found.pk],
        },
    )


@require_GET
@elector_view
def roll(request: HttpRequest, elector: Elector, code: str) -> HttpResponse:
    found = services.access_scrutin_as_elector(elector, code)
    context: dict[str, object] = {"scrutin": found, "campaign": found.campaign}
    form = RollSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    try:
        context["search"] = services.search_roll(found, query, request.GET.get("page"))
    except services.RollsNotPublished as closed:
        context["notice"] = closed.message
        return render(request, "campaign/roll.html", context)
    context["form"] = form
    return render(request, "campaign/roll.html", context, status=200 if form.is_valid() else 400)


@require_GET
@elector_view
def profession_de_foi(
    request: HttpRequest, elector: Elector, code: str, position: int
) -> FileResponse:
    candidate_list = services.access_profession_de_foi(elector, code, position)
    return FileResponse(
        candidate_list.profession_de_foi.open("rb"),
        as_attachment=True,
        filename=f"profession-de-foi-{candidate_list.scrutin.code}-{position}.pdf",
        content_type="application/pdf",
    )


@require_GET
@elector_view
def memo(request: HttpRequest, elector: Elector) -> HttpResponse:
    return render(request, "campaign/memo.html", {"elector": elector, "campaign": elector.campaign})

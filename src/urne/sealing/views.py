"""The seal's pages: the back office's « Scellement » (/gestion/scellement/) and its public
page on the board (/tableau/scellement/ and /tableau/scellement.json).

The back-office pages are `staff_page`s holding `sealing.view_campaignseal`; the campaigns
shown are those of the staff member's perimeter (`urne.backoffice.access`). Sealing also needs
`sealing.add_campaignseal` and a perimeter that may change the campaign; verifying is open to
whoever sees the seal (it changes nothing but adds a verification to the record).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from urne.backoffice import access
from urne.backoffice.pages import NotPermitted, staff_page
from urne.campaign.models import Campaign
from urne.sealing import gate, publish, services
from urne.sealing.apps import MAKE_SEAL, VIEW_SEAL
from urne.voting import board, setup

BOARD_SECONDS = 15


@staff_page(VIEW_SEAL)
def seals(request: HttpRequest) -> HttpResponse:
    campaigns = access.scoped(Campaign.objects.all(), request.user).order_by("-year", "name")
    rows = []
    for campaign in campaigns:
        seal = services.latest_seal(campaign)
        rows.append(
            {
                "campaign": campaign,
                "seal": seal,
                "verification": services.last_verification(seal) if seal else None,
                "missing": gate.seal_required() and seal is None,
            }
        )
    return render(
        request,
        "sealing/seals.html",
        {"title": _("Scellement"), "rows": rows, "current": "sealing:seals"},
    )


@staff_page(VIEW_SEAL, methods=("GET", "HEAD", "POST"))
def campaign_seal(request: HttpRequest, campaign_id: int) -> HttpResponseBase:
    campaign = access.access_as_staff(request.user, Campaign.objects.all(), campaign_id)
    may_seal = request.user.has_perm(MAKE_SEAL) and access.may_change(request.user, campaign)
    if request.method == "POST":
        try:
            if "seal" in request.POST:
                if not may_seal:
                    raise NotPermitted
                made = services.do_seal_campaign(request, campaign)
                messages.success(
                    request,
                    _("Campagne scellée (scellement n° %(number)d, empreinte %(fingerprint)s).")
                    % {"number": made.number, "fingerprint": made.fingerprint},
                )
            elif "seal_elections" in request.POST:
                if not may_seal:
                    raise NotPermitted
                _seal_ready_elections(request, campaign)
            elif "verify" in request.POST:
                outcome = services.do_verify_seal(request, campaign)
                if outcome.identical:
                    messages.success(request, _("Vérification : identique au scellement."))
                else:
                    messages.error(
                        request,
                        _("Vérification : %(count)d composante(s) ont changé depuis le scellement.")
                        % {"count": len(outcome.changes)},
                    )
        except services.SealRefused as error:
            messages.error(request, str(error.message))
        return redirect("sealing:campaign", campaign_id=campaign.pk)
    seal = services.latest_seal(campaign)
    return render(
        request,
        "sealing/campaign.html",
        {
            "title": _("Scellement : %(campaign)s") % {"campaign": campaign.name},
            "campaign": campaign,
            "seal": seal,
            "earlier": list(campaign.seals.exclude(pk=seal.pk)) if seal else [],
            "rows": publish.component_rows(seal) if seal else [],
            "box": publish.box_rows(seal) if seal else [],
            "verification": services.last_verification(seal) if seal else None,
            "missing": gate.seal_required() and seal is None,
            "staff_message": gate.STAFF_MESSAGE,
            "unsealed": services.unsealed_scrutins(campaign),
            "elections": setup.election_seals(campaign),
            "may_seal": may_seal,
            "vote_started": campaign.vote_open() or campaign.vote_closed(),
            "current": "sealing:seals",
        },
    )


def _seal_ready_elections(request: HttpRequest, campaign: Campaign) -> None:
    """Seal each of the campaign's elections that is ready; say which, why any was refused,
    and which are not ready yet (the page's table says what each lacks)."""
    sealed, left = [], []
    for state in setup.election_seals(campaign):
        if state.ready:
            state = setup.do_seal_if_ready(request, state.scrutin)
            if not state.sealed:  # refused on the way (the vote opened...): say why
                messages.error(request, f"{state.scrutin.code} : {' ; '.join(state.missing)}")
                continue
        if state.now:
            sealed.append(state.scrutin.code)
        elif not state.sealed:
            left.append(state.scrutin.code)
    if sealed:
        messages.success(
            request,
            _("Élections scellées : %(codes)s.") % {"codes": ", ".join(sealed)},
        )
    if left:
        messages.error(
            request,
            _(
                "Élections pas encore prêtes, non scellées : %(codes)s. Ce qui manque à chacune "
                "est dit dans le tableau « Élections des scrutins »."
            )
            % {"codes": ", ".join(left)},
        )


# --- the public board ----------------------------------------------------------------------------


def _public(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, public=True, max_age=BOARD_SECONDS)
    return response


@require_safe
def board_seal(request: HttpRequest) -> HttpResponseBase:
    campaign = board.board_campaign()
    seal = services.latest_seal(campaign) if campaign is not None else None
    response = render(
        request,
        "sealing/board.html",
        {
            "campaign": campaign,
            "seal": seal,
            "earlier": list(campaign.seals.exclude(pk=seal.pk)) if seal and campaign else [],
            "rows": publish.component_rows(seal) if seal else [],
            "box": publish.box_rows(seal) if seal else [],
            "verification": services.last_verification(seal) if seal else None,
        },
    )
    patch_cache_control(response, private=True, max_age=BOARD_SECONDS)
    return response


@require_safe
def board_seal_json(request: HttpRequest) -> HttpResponseBase:
    campaign = board.board_campaign()
    seal = services.latest_seal(campaign) if campaign is not None else None
    body: dict[str, Any]
    if campaign is None or seal is None:
        body = {"format": publish.FORMAT, "seal": None, "earlier": []}
    else:
        body = {
            "format": publish.FORMAT,
            "seal": publish.seal_as_json(seal),
            "earlier": [
                {
                    "number": earlier.number,
                    "sealed_at": earlier.sealed_at.isoformat(),
                    "fingerprint": earlier.fingerprint,
                }
                for earlier in campaign.seals.exclude(pk=seal.pk).order_by("-number")
            ],
        }
    return _public(JsonResponse(body, json_dumps_params={"ensure_ascii": False}))

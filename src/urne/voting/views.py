"""The elector's pages of the vote that belong to the ballot box: the receipt."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from urne.campaign.models import Elector
from urne.campaign.services import access_scrutin_as_elector
from urne.campaign.views import elector_view
from urne.voting.ballot_box import ballot_of
from urne.voting.models import Emargement
from urne.voting.receipts import RECEIPT_UNREAD, receipt_context
from urne.web.errors import NotFound


@require_GET
@elector_view
def receipt(request: HttpRequest, elector: Elector, code: str) -> HttpResponse:
    """ "Accusé de réception de votre vote": scrutin, date and time, tracker; never the choice."""
    scrutin = access_scrutin_as_elector(elector, code)
    emargement = (
        Emargement.objects.filter(election__scrutin=scrutin, elector=elector)
        .select_related("election__scrutin")
        .defer(*RECEIPT_UNREAD)
        .first()
    )
    ballot = ballot_of(elector, emargement.election) if emargement is not None else None
    if emargement is None or ballot is None:
        raise NotFound(_("Vous n'avez pas encore voté dans ce scrutin : il n'y a pas d'accusé."))
    return render(
        request,
        "voting/receipt.html",
        {
            "elector": elector,
            "campaign": elector.campaign,
            **receipt_context(emargement, ballot.tracker),
        },
    )

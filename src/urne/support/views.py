"""Help for electors: the FAQ and the assistance contacts, under /aide/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from urne.campaign.models import Academy, Campaign
from urne.campaign.services import NoCurrentCampaign, current_campaign
from urne.support.context_processors import assistance_for
from urne.support.models import FaqEntry


def _campaign_for(request: HttpRequest) -> Campaign | None:
    """The elector's own campaign once known, else the latest; None before any is set up."""
    academy = assistance_for(request)
    if academy is not None:
        return academy.campaign
    try:
        return current_campaign()
    except NoCurrentCampaign:
        return None


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    campaign = _campaign_for(request)
    entries = (
        FaqEntry.objects.published().filter(campaign=campaign)
        if campaign
        else FaqEntry.objects.none()
    )
    return render(request, "support/faq.html", {"entries": entries, "campaign": campaign})


@require_GET
def assistance(request: HttpRequest) -> HttpResponse:
    campaign = _campaign_for(request)
    academies = (
        Academy.objects.filter(campaign=campaign).order_by("name")
        if campaign
        else Academy.objects.none()
    )
    return render(
        request, "support/assistance_page.html", {"academies": academies, "campaign": campaign}
    )

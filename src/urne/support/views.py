"""Help for electors (FAQ, assistance contacts, the demo's mailbox) and the error pages.

Each error page says what happened in plain French and where to find help: the footer carries
the elector's academy assistance (support/assistance.html).
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.exceptions import Ratelimited

from urne.campaign.models import Academy, Campaign
from urne.campaign.services import NoCurrentCampaign, current_campaign
from urne.support import mailbox
from urne.support.context_processors import assistance_for
from urne.support.errors import Forbidden, NotFound, TooManyAttempts, VisitorError
from urne.support.models import FaqEntry

logger = logging.getLogger(__name__)


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


def _demo_mailbox() -> Path:
    # The mailbox shows every message sent by the site: never outside the demo.
    if not settings.DEMO or settings.PRODUCTION:
        raise Http404
    return Path(settings.EMAIL_FILE_PATH)


@require_GET
def mailbox_index(request: HttpRequest) -> HttpResponse:
    directory = _demo_mailbox()
    recipient = request.GET.get("destinataire", "")[:254].strip()
    return render(
        request,
        "support/mailbox.html",
        {"messages_found": mailbox.read_mailbox(directory, recipient), "recipient": recipient},
    )


@require_GET
def mailbox_message(request: HttpRequest, message_id: str) -> HttpResponse:
    directory = _demo_mailbox()
    try:
        message = mailbox.read_message(directory, message_id)
    except mailbox.MessageNotFound:
        raise NotFound(
            _("Ce message n'existe pas (ou plus) dans la boîte de démonstration.")
        ) from None
    return render(request, "support/mailbox_message.html", {"message": message})


def render_error(request: HttpRequest, error: VisitorError) -> HttpResponse:
    """The page of an error shown on its own: errors/<status>.html with the error's message.

    Never cached: the answer may change a minute later (a limit, a calendar date), and the
    footer may carry the elector's own academy.
    """
    response = render(
        request, f"errors/{error.status}.html", {"reason": error.message}, status=error.status
    )
    add_never_cache_headers(response)
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django's own reasons (a suspicious operation) are for developers, not for the visitor.
    return render_error(
        request,
        VisitorError(
            _(
                "La demande envoyée n'a pas pu être comprise. Revenez à la page précédente et "
                "réessayez."
            )
        ),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, Ratelimited):  # django-ratelimit's, should a view use its decorator
        return render_error(request, TooManyAttempts())
    return render_error(request, exception if isinstance(exception, VisitorError) else Forbidden())


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(request, exception if isinstance(exception, VisitorError) else NotFound())


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render(request, "errors/500.html", status=500)
    except Exception:
        # The failure may be the database itself, which the page's context needs: fall back to
        # the page without a request context rather than to a blank answer.
        logger.exception("the 500 page could not be rendered with its context")
        return HttpResponse(render_to_string("errors/500_plain.html"), status=500)


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """RATELIMIT_VIEW, for django-ratelimit's middleware."""
    return render_error(request, TooManyAttempts())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)

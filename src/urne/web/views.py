"""The error pages: each says what happened in plain French and where to find help (the
footer carries the elector's academy assistance, support/assistance.html)."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_ratelimit.exceptions import Ratelimited

from urne.web.errors import Forbidden, NotFound, TooManyAttempts, VisitorError

logger = logging.getLogger(__name__)


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

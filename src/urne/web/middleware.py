"""The one place where a visitor error a view lets through becomes its page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from urne.web.errors import VisitorError
from urne.web.views import render_error


class VisitorErrorMiddleware:
    """A VisitorError raised by a view or a service it calls, and not caught there, is shown
    as errors/<status>.html with its message (a 400, 403, 404 or 429), never as a 500.

    Django's handlers still show its own Http404 and PermissionDenied (urne.web.views).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, VisitorError):
            return render_error(request, exception)
        return None

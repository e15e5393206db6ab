"""Where the current request comes from, for entries recorded deeper than the view.

A service called by a view (`do_accept_correction(staff, ...)`) knows who acts, not from where;
`AuditSourceMiddleware` keeps the request's address here for the time of the request, so that
`urne.audit.services.record` finds it. Outside a request (a command, a worker) it is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

from urne.accounts.throttle import client_network

current_source: ContextVar[str] = ContextVar("urne_audit_source", default="")


def request_source(request: HttpRequest) -> str:
    """The client's address as the rate limits read it (proxy header included; IPv6 by /64)."""
    return client_network(request)


class AuditSourceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_source.set(request_source(request))
        try:
            return self.get_response(request)
        finally:
            current_source.reset(token)

"""The health endpoint, the metrics endpoint and the staff's supervision page.

- `GET /sante/` (`health`): 200 when the database, the cache, the broker and the disk all hold,
  503 otherwise. Anyone sees the overall state and the name of what fails; the holder of the
  metrics token (or, outside production, the loopback) also sees each check's detail and time.
- `GET /metrics` (`metrics`): Prometheus' text format, for the token's holder only (401 without
  it, 404 in production when no token is set: closed).
- `GET /gestion/supervision/` and its JSON (`supervision`, `supervision_data`): the back office's
  page, `operations.view_supervision` and a campaign-wide perimeter.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from urne.backoffice.pages import staff_page
from urne.operations import figures, metrics
from urne.operations.access import check_may_supervise, may_read_operations, metrics_closed
from urne.operations.health import node_health

VIEW_SUPERVISION = "operations.view_supervision"


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    state = node_health()
    body: dict[str, Any] = {"status": "ok" if state.ok else "fail"}
    if not state.ok:
        body["failing"] = state.failing
    if may_read_operations(request):
        body["checks"] = {
            c.name: {"ok": c.ok, "detail": c.detail, "ms": c.milliseconds} for c in state.components
        }
    response = JsonResponse(body, status=200 if state.ok else 503)
    add_never_cache_headers(response)
    return response


@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    if metrics_closed():
        return _plain(404, "Not found\n")
    if not may_read_operations(request):
        response = _plain(401, "A bearer token is required\n")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    response = HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response


def _plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


@staff_page(VIEW_SUPERVISION)
def supervision(request: HttpRequest) -> HttpResponse:
    check_may_supervise(request.user)
    return render(
        request,
        "operations/supervision.html",
        {
            "title": _("Supervision"),
            "current": "operations:supervision",
            "figures": figures.supervision_figures(),
            "refresh_seconds": REFRESH_SECONDS,
        },
    )


REFRESH_SECONDS = 10
"""How often the page's script asks for the figures again."""


@staff_page(VIEW_SUPERVISION)
def supervision_data(request: HttpRequest) -> HttpResponse:
    check_may_supervise(request.user)
    return JsonResponse(figures.supervision_figures())

"""Who may read the operator's figures (the metrics, the health's details), and the staff
who may open the supervision page.

The holder of the bearer token URNE_METRICS_TOKEN (Prometheus, the operator's probes), and,
outside production and only while no token is set, a client on the loopback (the development
server). In production nobody else: without a token the metrics are closed, and the loopback
is not trusted because the reverse proxy in front of gunicorn is itself on the loopback.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from urne.backoffice.access import staff_reach
from urne.web.errors import Forbidden

LOOPBACK = frozenset({"127.0.0.1", "::1"})


def bearer_token(request: HttpRequest) -> str:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def may_read_operations(request: HttpRequest) -> bool:
    expected = settings.URNE_METRICS_TOKEN
    if expected:
        given = bearer_token(request)
        return bool(given) and constant_time_compare(given, expected)
    return not settings.PRODUCTION and request.META.get("REMOTE_ADDR") in LOOPBACK


def metrics_closed() -> bool:
    """True in production without a token: the metrics answer 404 to everyone."""
    return settings.PRODUCTION and not settings.URNE_METRICS_TOKEN


class SupervisionOutOfReach(Forbidden):
    message = _(
        "La supervision montre les chiffres de toute la plateforme : elle est réservée aux "
        "personnes dont le périmètre de gestion couvre une campagne entière."
    )


def check_may_supervise(user: Any) -> None:
    """The supervision's figures are the whole platform's: besides the permission (checked by
    the page), a campaign-wide perimeter or a superuser's. A role alone reaches nothing, and an
    organizer of one academy is not an organizer of the campaign (docs/backoffice.md)."""
    reach = staff_reach(user)
    if not (reach.unrestricted or reach.campaigns):
        raise SupervisionOutOfReach

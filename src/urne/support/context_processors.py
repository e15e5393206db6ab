"""What every page shows: the assistance contact of the elector's academy."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from urne.campaign.models import Academy, Elector


def assistance_for(request: HttpRequest) -> Academy | None:
    """The academy whose assistance serves this visitor: their own once they are known."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    elector: Elector | None = getattr(user, "elector", None)
    return elector.academy if elector is not None else None


def assistance(request: HttpRequest) -> dict[str, Any]:
    return {"assistance_academy": assistance_for(request)}

"""What every page shows: the assistance contact of the elector's academy."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest

from urne.campaign.models import Academy

logger = logging.getLogger(__name__)
_CACHE = "_urne_assistance_academy"


def assistance_for(request: HttpRequest) -> Academy | None:
    """The academy whose assistance serves this visitor: their own once they are known as an
    elector; None for anonymous visitors and staff (the footer then links to every academy's).

    One query per request, remembered on the request.
    """
    if hasattr(request, _CACHE):
        cached: Academy | None = getattr(request, _CACHE)
        return cached
    academy: Academy | None = None
    try:
        user = getattr(request, "user", None)  # lazy: reading it may query the database
        elector_id = getattr(user, "elector_id", None) if user is not None else None
        if elector_id is not None:
            academy = (
                Academy.objects.select_related("campaign").filter(electors__pk=elector_id).first()
            )
    except DatabaseError:
        # The error pages use this too: a database outage must not take the page down with it.
        logger.warning("assistance contact unavailable: database error")
    setattr(request, _CACHE, academy)
    return academy


def assistance(request: HttpRequest) -> dict[str, Any]:
    return {"assistance_academy": assistance_for(request)}

"""The project's one source of the current time: a seam that tests move."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current aware datetime. Tests patch `urne.clock.now` to travel in time."""
    return timezone.now()

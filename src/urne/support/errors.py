"""Errors the visitor sees, each with a reason in plain French shown on the error page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import Promise


class NotFound(Http404):
    """A 404 whose reason is safe and useful to show (Django's own 404 messages are not)."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(reason)
        self.reason = reason


class Forbidden(PermissionDenied):
    """A 403 whose reason is safe and useful to show."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(reason)
        self.reason = reason

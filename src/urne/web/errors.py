"""The errors a visitor sees: one hierarchy, each with a message in plain French.

Services raise these; one function shows them, `urne.web.views.render_error` (errors/<status>.html
with the message): `urne.web.middleware.VisitorErrorMiddleware` calls it for any error a view lets
through, and Django's 403 and 404 handlers for its own exceptions. A view that keeps its own page
for a refusal (a form error, the login form) catches the error and shows `message` there.
Messages are lazy translations, or already formatted in the active language.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class VisitorError(Exception):
    """A refusal the visitor sees; `message` says why. Subclasses give a default message."""

    message: str | Promise = _("La demande n'a pas pu aboutir.")
    # The HTTP status of the page that shows the error on its own.
    status = 400

    def __init__(self, message: str | Promise | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class NotFound(VisitorError, Http404):
    """A 404 whose reason is safe and useful to show (Django's own 404 messages are not)."""

    message = _("La page demandée n'existe pas ou a été déplacée.")
    status = 404


class Forbidden(VisitorError, PermissionDenied):
    """A 403 whose reason is safe and useful to show."""

    message = _("Vous n'avez pas accès à cette page.")
    status = 403


class TooManyAttempts(VisitorError):
    """A rate limit reached: a 429 page that says how long to wait."""

    message = _(
        "Vous avez fait trop de tentatives en peu de temps. Patientez quelques minutes avant de "
        "réessayer."
    )
    status = 429

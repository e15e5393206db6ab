"""The ballot box's JSON API: ``POST /api/v1/scrutins/<uuid>/bulletins`` (docs/api.md).

Used by the booth and by any other client (tests send ballots made by belenios-tool through
it). The client is the logged-in elector (session cookie) and sends the CSRF token in the
``X-CSRFToken`` header; the body is ``{"ballot": "<ballot text>", "submission": "<key>"}``.
Every answer is JSON: the receipt (201, or 200 for a retry of the very same submission), or
``{"error": "<stable code>", "message": "<the reason, in the active language>"}``.

This view only reads the request and writes the answer; what a ballot must pass is
`urne.voting.ballot_box.do_cast_ballot`'s. Before it: the elector, the CSRF token, the elector's
rate limit for this scrutin, the body's size and form. Neither the ballot nor the submission key
is ever logged.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from urne.accounts.throttle import Rule
from urne.campaign.models import Elector
from urne.campaign.services import NotAnElector, check_elector_account
from urne.operations import metrics
from urne.voting.ballot_box import BallotRefused, Receipt, do_cast_ballot

MAX_BODY_BYTES = 256 * 1024
"""Far above any ballot of a scrutin (a ten-list scrutin's ballot is under 30 kB); the ballot's
own limit for its election (`urne.crypto.ballot.max_ballot_length`) is checked after."""

SUBMISSION = re.compile(r"[A-Za-z0-9_-]{16,64}")
"""The client's key, whole (fullmatch: `$` would let a trailing newline through, one character
more than the 64 that `Ballot.submission` holds)."""
FIELDS = frozenset({"ballot", "submission"})

CASTS_PER_ELECTOR = Rule(
    "urne.voting.cast.elector", "URNE_RATE_CAST_PER_ELECTOR", "10/1m", "address"
)
"""Attempts per elector and scrutin: a person votes once; a few retries are plenty."""

API_ERRORS: dict[str, tuple[int, Promise]] = {
    "not_logged_in": (
        401,
        _("Connectez-vous à votre espace électeur pour voter."),
    ),
    "not_an_elector": (
        403,
        _("Seuls les électeurs dont le compte est confirmé peuvent voter."),
    ),
    "csrf_failed": (
        403,
        _(
            "La demande n'a pas pu être vérifiée (jeton CSRF absent ou périmé). Rechargez la "
            "page de vote et réessayez."
        ),
    ),
    "method_not_allowed": (405, _("Cette adresse n'accepte que l'envoi d'un bulletin (POST).")),
    "too_large": (413, _("Le bulletin est trop volumineux : il n'a pas été enregistré.")),
    "too_many_requests": (
        429,
        _("Vous avez fait trop de tentatives en peu de temps. Patientez une minute."),
    ),
}


def error(code: str, message: str | Promise | None = None, **extra: Any) -> JsonResponse:
    status, default = API_ERRORS.get(code, (400, _("La demande est mal formée.")))
    return _json({"error": code, "message": str(message or default), **extra}, status)


def malformed(message: str | Promise) -> JsonResponse:
    return _json({"error": "malformed_request", "message": str(message)}, 400)


def _json(value: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(value, status=status, json_dumps_params={"ensure_ascii": False})
    add_never_cache_headers(response)
    return response


def _csrf_refused(request: HttpRequest) -> bool:
    # The view is exempt from the middleware only so that a refusal is JSON, not a page: the
    # same check runs here, before anything else is read.
    check = CsrfViewMiddleware(lambda _request: HttpResponse())
    return check.process_view(request, None, (), {}) is not None  # type: ignore[arg-type]


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (read no further)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def read_request(body: bytes) -> tuple[str, str] | JsonResponse:
    """(ballot text, submission key) from the body, or the malformed_request answer."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return malformed(_("Le corps de la demande n'est pas un objet JSON valide."))
    if not isinstance(value, dict):
        return malformed(_("Le corps de la demande doit être un objet JSON."))
    missing = sorted(FIELDS - value.keys())
    if missing:
        return malformed(
            _("Il manque le ou les champs : %(fields)s.") % {"fields": ", ".join(missing)}
        )
    unknown = sorted(value.keys() - FIELDS)
    if unknown:
        return malformed(_("Champ(s) inconnu(s) : %(fields)s.") % {"fields": ", ".join(unknown)})
    ballot, submission = value["ballot"], value["submission"]
    if not isinstance(ballot, str) or not ballot:
        return malformed(_("Le champ « ballot » doit être le texte du bulletin (une chaîne)."))
    if not isinstance(submission, str) or not SUBMISSION.fullmatch(submission):
        return malformed(
            _(
                "Le champ « submission » doit compter de 16 à 64 caractères parmi les lettres "
                "sans accent, les chiffres, « _ » et « - »."
            )
        )
    return ballot, submission


def receipt_json(receipt: Receipt) -> dict[str, str]:
    return {
        "status": "accepted",
        "scrutin": receipt.scrutin,
        "uuid": receipt.uuid,
        "tracker": receipt.tracker,
        "voted_at": receipt.voted_at.isoformat(),
        "receipt_url": reverse("voting:receipt", args=[receipt.scrutin]),
    }


def _elector(request: HttpRequest) -> Elector | JsonResponse:
    """The logged-in elector, as the ballot box needs them: their id only (the ballot box reads
    the rest with the election, in its one query)."""
    if not request.user.is_authenticated:
        return error("not_logged_in")
    try:
        return Elector(pk=check_elector_account(request.user))
    except NotAnElector:
        return error("not_an_elector")


@csrf_exempt  # checked in the view, to answer in JSON (docs/api.md)
def cast(request: HttpRequest, uuid: str) -> HttpResponse:
    """Receive one ballot for the scrutin election `uuid` from the logged-in elector. Every
    answer is counted here, by its outcome alone (urne.operations.metrics)."""
    response = _cast(request, uuid)
    metrics.count_ballot(outcome(response))
    return response


def outcome(response: HttpResponse) -> str:
    """`accepted`, `replayed` (a retry given its receipt), or the answer's stable error code."""
    if response.status_code == 201:
        return "accepted"
    if response.status_code == 200:
        return "replayed"
    try:
        code = json.loads(response.content).get("error")
    except (ValueError, AttributeError):
        code = None
    return code if isinstance(code, str) else "other"


def _cast(request: HttpRequest, uuid: str) -> HttpResponse:
    if request.method != "POST":
        response = error("method_not_allowed")
        response["Allow"] = "POST"
        return response
    elector = _elector(request)
    if isinstance(elector, JsonResponse):
        return elector
    if _csrf_refused(request):
        return error("csrf_failed")
    if CASTS_PER_ELECTOR.take(request, f"{elector.pk}.{uuid.encode().hex()}") is None:
        return error("too_many_requests")
    body = _read_body(request)
    if body is None:
        return error("too_large")
    read = read_request(body)
    if isinstance(read, JsonResponse):
        return read
    text, submission = read
    try:
        receipt = do_cast_ballot(elector, uuid, text, submission)
    except BallotRefused as refused:
        extra = {"defect": refused.defect.value} if refused.defect is not None else {}
        return _json(
            {"error": refused.code, "message": str(refused.message), **extra}, refused.status
        )
    return _json(receipt_json(receipt), 200 if receipt.replayed else 201)


__all__ = ["CASTS_PER_ELECTOR", "MAX_BODY_BYTES", "cast", "read_request", "receipt_json"]

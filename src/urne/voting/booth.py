"""The booth: where an elector votes in one scrutin.

The booth view (`/espace/vote/<code>/`, `voting:booth`) shows the lists in official order and
hands the browser what it needs to build the ballot itself (static/urne/voting/booth.js): the
election's exact text, the ballot box API's URL and the CSRF token. The choice and the voting
identifier stay in the browser; only the encrypted ballot is sent, to the ballot box API.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from urne.campaign import services
from urne.campaign.models import Elector
from urne.campaign.views import elector_view
from urne.voting import setup
from urne.voting.ballot_box import votes_of
from urne.voting.models import ScrutinElection
from urne.voting.vote_state import VoteState, VoteStatus, sealed_election_of, vote_state

logger = logging.getLogger(__name__)


def receipt_path(code: str) -> str:
    """The elector's receipt page for the scrutin `code` (``voting:receipt``)."""
    return reverse("voting:receipt", args=[code])


def api_path(election: ScrutinElection) -> str:
    """The ballot box API for this scrutin's election (``voting:api_cast``, docs/api.md)."""
    return reverse("voting:api_cast", args=[election.uuid])


def _busy_texts(key: str, singular: str, plural: str) -> dict[str, str]:
    """A message about a wait of {seconds}, in its two forms: `key`_one and `key`."""
    return {f"{key}_one": ngettext(singular, plural, 1), key: ngettext(singular, plural, 2)}


def booth_texts() -> dict[str, str]:
    """The messages booth.js shows, in the active language."""
    return {
        "choose_required": _(
            "Choisissez une liste ou le vote blanc avant de continuer (aucune case n'est cochée)."
        ),
        "identifier_length": _(
            "Un identifiant de vote compte 15 caractères, au format XXX-XXX-XXX-XXX-XXX. "
            "Vérifiez votre saisie."
        ),
        "identifier_characters": _(
            "Cet identifiant contient des caractères qui n'existent pas dans les identifiants de "
            "vote (ni 0, ni O, ni I, ni l). Vérifiez votre saisie."
        ),
        "identifier_checksum": _(
            "Cet identifiant de vote comporte une erreur de frappe. Vérifiez chaque caractère, "
            "en respectant les majuscules et les minuscules."
        ),
        "encrypting": _("Chiffrement de votre bulletin dans votre navigateur…"),
        "sending": _("Bulletin chiffré. Dépôt dans l'urne…"),
        "accepted": _(
            "Votre bulletin a été déposé dans l'urne. Affichage de l'accusé de réception…"
        ),
        "network_error": _(
            "Votre bulletin n'a pas pu être déposé : la connexion au serveur a échoué. "
            "Vérifiez votre connexion puis réessayez : le même bulletin sera déposé, "
            "une seule fois."
        ),
        # {seconds}: the wait the service asked for (Retry-After), filled in by booth.js, which
        # takes the "_one" form for 1 second (French and English: the singular is for 1 only).
        **_busy_texts(
            "busy_waiting",
            "Le service est très sollicité : nouvel essai automatique dans {seconds} seconde. "
            "Votre bulletin n'est pas encore déposé ; gardez cette page ouverte.",
            "Le service est très sollicité : nouvel essai automatique dans {seconds} secondes. "
            "Votre bulletin n'est pas encore déposé ; gardez cette page ouverte.",
        ),
        **_busy_texts(
            "busy",
            "Le service est très sollicité : réessayez dans {seconds} seconde. Votre bulletin "
            "n'a pas été déposé ; le bouton « Réessayer » le déposera, une seule fois.",
            "Le service est très sollicité : réessayez dans {seconds} secondes. Votre bulletin "
            "n'a pas été déposé ; le bouton « Réessayer » le déposera, une seule fois.",
        ),
        "failed": _("Votre bulletin n'a pas pu être déposé. Réessayez ou contactez l'assistance."),
    }


@require_GET
@elector_view
def booth(request: HttpRequest, elector: Elector, code: str) -> HttpResponse:
    scrutin = services.access_scrutin_as_elector(elector, code)
    state = vote_state(scrutin, votes_of(elector).get(scrutin.pk))
    context: dict[str, object] = {
        "scrutin": scrutin,
        "campaign": scrutin.campaign,
        "elector": elector,
        "state": state,
        "receipt_url": receipt_path(scrutin.code),
    }
    election = sealed_election_of(scrutin)
    if state.can_vote and election is not None:
        lists = list(services.candidate_lists(scrutin))
        try:
            setup.check_lists_as_sealed(election, lists)
        except setup.SetupRefused as refused:
            logger.error("booth closed: %s", refused.message)
            context["state"] = VoteState(VoteStatus.NOT_READY)
            return render(request, "voting/booth.html", context)
        context.update(
            {
                "lists": lists,
                "election_text": election.election,
                "api_url": api_path(election),
                "booth_texts": booth_texts(),
            }
        )
    return render(request, "voting/booth.html", context)

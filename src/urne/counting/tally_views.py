"""The count's back-office pages, under /gestion/depouillement/ (`staff_page`: verified staff
with the permission named; the perimeter by `urne.counting.closing.access_counting`).

- the list of the scrutins in the staff member's perimeter, where each count stands;
- a scrutin's count: the closing, the tally's progress, the bureau's partial decryptions (who
  sent theirs, how many each group still needs), the result; the forms to close the box
  (`voting.close_election`, refused before the closing time), to upload a partial decryption
  (`voting.upload_partial_decryption`, for a scrutin without a bureau: a bureau's members
  upload theirs from « Mon bureau de vote ») and to publish the result once enough are in;
- the proclamation (`proclaim`): the bureau's president or secretary (from this page or their
  own), or staff holding `counting.proclaim_result`; the public results appear after it.

Every decision is the domain's (`urne.counting.closing`, `urne.counting.decryption`); a refusal
is shown on the page with its French message, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne import clock
from urne.backoffice.pages import staff_page
from urne.counting import closing, decryption, proclamation
from urne.crypto.jsonio import dumps
from urne.voting.models import ScrutinElection
from urne.web.errors import VisitorError

VIEW = "voting.view_counting"
CLOSE = "voting.close_election"
UPLOAD = "voting.upload_partial_decryption"


class PartialDecryptionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Déchiffrement partiel (texte collé)"),
        required=False,
        max_length=decryption.MAX_UPLOAD,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Les deux lignes affichées par « urne trustee decrypt » ou « belenios-tool election "
            "decrypt », telles quelles. Ou bien déposez le fichier ci-dessous."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("ou fichier du déchiffrement partiel"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > decryption.MAX_UPLOAD:
                raise forms.ValidationError(_("Ce fichier est trop volumineux."))
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("Ce fichier n'est pas du texte : déposez la sortie de la commande.")
                ) from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(
                _("Collez le déchiffrement partiel ou déposez son fichier.")
            )
        return data


def browser_texts() -> dict[str, str]:
    """The messages of the in-browser partial decryption (decrypt-page.js), translated."""
    return {
        "working": _("Calcul en cours dans ce navigateur…"),
        "done": _(
            "Déchiffrement partiel de l'autorité n° {owner} calculé dans ce navigateur : il "
            "remplit le formulaire ci-dessous. Vérifiez puis publiez-le."
        ),
        "no-key": _("Choisissez d'abord votre fichier de clé."),
        "no-voutput": _(
            "Ce fichier est une clé de membre du bureau (ID.key) : choisissez aussi votre "
            "fichier voutput."
        ),
        "bad-seed": _(
            "Ce fichier n'est pas une clé : choisissez votre fichier ID.key (22 caractères) "
            "ou, pour une clé simple, votre fichier ID.privkey."
        ),
        "bad-privkey": _("Ce fichier n'est pas une clé privée de ce groupe."),
        "not-a-trustee": _(
            "Cette clé n'est celle d'aucune autorité de ce scrutin : vérifiez que vous avez "
            "choisi le bon fichier."
        ),
        "bad-voutput": _(
            "Ce fichier voutput ne s'ouvre pas avec cette clé, ou ne correspond pas à la clé "
            "publiée : choisissez le voutput de ce fragment."
        ),
        "malformed": _("Les données du scrutin sont illisibles : rechargez la page."),
        "internal": _(
            "Ce navigateur n'a pas pu faire le calcul : faites-le hors ligne avec urne ou "
            "belenios-tool."
        ),
    }


def browser_data(election: ScrutinElection, status: decryption.DecryptionStatus) -> Any:
    """What the in-browser partial decryption needs (all public): the election's text, its
    trustees and the encrypted tally; None when no partial decryption is taken."""
    if not status.tally or status.result:
        return None
    tally = closing.encrypted_tally(election)
    if tally is None:
        return None
    return {
        "election": election.election,
        "trustees": election.trustees,
        "tally": dumps(tally.to_json()),
    }


def _context(request: HttpRequest, election: ScrutinElection, **extra: Any) -> dict[str, Any]:
    user = request.user
    status = decryption.decryption_status(election)
    holders = decryption.share_holders(election)
    partials = [
        event
        for event in closing.counting_events(election)
        if event.kind == closing.Kind.PARTIAL_DECRYPTION
    ]
    by_owner = {event.owner: event for event in partials}
    # A bureau's members upload from their own page (« Mon bureau de vote »).
    may_upload = user.has_perm(UPLOAD) and holders is None
    return {
        "title": _("Dépouillement : %(scrutin)s") % {"scrutin": election.scrutin.name},
        "current": "tally:index",
        "election": election,
        "now": clock.now(),
        "due": closing.is_due(election),
        "closed": closing.is_closed(election),
        "progress": closing.tally_progress(election),
        "status": status,
        "partials": partials,
        # A bureau's scrutin: each trustee number, who holds it, and their share if sent.
        "holders": [(holder, by_owner.get(owner)) for owner, holder in sorted(holders.items())]
        if holders is not None
        else None,
        "missing": decryption.missing_in_rule_words(election, status),
        "result": decryption.scrutin_result(election),
        "proclamation": proclamation.proclamation_of(election.scrutin),
        "may_proclaim": proclamation.may_proclaim(user, election.scrutin),
        "may_close": user.has_perm(CLOSE),
        "may_upload": may_upload,
        "browser_data": browser_data(election, status) if may_upload else None,
        "browser_texts": browser_texts(),
        **extra,
    }


@staff_page(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    rows = []
    for election in closing.counting_elections(request.user):
        closing.close_if_due(election)
        status = decryption.decryption_status(election)
        rows.append(
            {
                "election": election,
                "closed": closing.is_closed(election),
                "progress": closing.tally_progress(election),
                "status": status,
            }
        )
    return render(
        request,
        "counting/tally/index.html",
        {"title": _("Dépouillement"), "current": "tally:index", "rows": rows},
    )


@staff_page(VIEW)
def detail(request: HttpRequest, election_id: int) -> HttpResponse:
    election = closing.access_counting(request.user, election_id)
    closing.close_if_due(election)
    return render(
        request,
        "counting/tally/detail.html",
        _context(request, election, form=PartialDecryptionForm()),
    )


@staff_page(VIEW, CLOSE, methods=("POST",))
def close(request: HttpRequest, election_id: int) -> HttpResponseBase:
    election = closing.access_counting(request.user, election_id, for_change=True)
    try:
        closed = closing.do_close_election(election, request)
    except VisitorError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(
            request,
            _("L'urne est close ; le dépouillement chiffré est lancé.")
            if closed
            else _("L'urne était déjà close : rien n'a changé."),
        )
    return redirect("tally:detail", election_id=election.pk)


@staff_page(VIEW, CLOSE, methods=("POST",))
def resume_tally(request: HttpRequest, election_id: int) -> HttpResponseBase:
    election = closing.access_counting(request.user, election_id, for_change=True)
    if not closing.is_closed(election):
        messages.error(request, _("L'urne n'est pas close : il n'y a rien à dépouiller."))
    else:
        closing.schedule_tally(election.pk)
        messages.success(request, _("Le dépouillement chiffré reprend là où il s'était arrêté."))
    return redirect("tally:detail", election_id=election.pk)


@staff_page(VIEW, UPLOAD, methods=("POST",))
def upload(request: HttpRequest, election_id: int) -> HttpResponseBase:
    election = closing.access_counting(request.user, election_id, for_change=True)
    form = PartialDecryptionForm(request.POST, request.FILES)
    error = None
    if form.is_valid():
        try:
            event = decryption.do_accept_partial_decryption(
                election, form.cleaned_data["text"], request
            )
        except VisitorError as refused:
            error = str(refused.message)
        else:
            messages.success(
                request,
                _("Déchiffrement partiel de l'autorité n° %(owner)d vérifié et publié.")
                % {"owner": event.owner},
            )
            if decryption.scrutin_result(election) is not None:
                messages.success(request, _("Le résultat est calculé et publié."))
            return redirect("tally:detail", election_id=election.pk)
    response = render(
        request, "counting/tally/detail.html", _context(request, election, form=form, error=error)
    )
    response.status_code = 400
    return response


@staff_page(VIEW, CLOSE, methods=("POST",))
def publish(request: HttpRequest, election_id: int) -> HttpResponseBase:
    election = closing.access_counting(request.user, election_id, for_change=True)
    try:
        decryption.do_publish_result(election, request)
    except VisitorError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(request, _("Le résultat est calculé et publié."))
    return redirect("tally:detail", election_id=election.pk)


@staff_page(methods=("POST",))
def proclaim(request: HttpRequest, election_id: int) -> HttpResponseBase:
    """The bureau's president or secretary, or staff holding `counting.proclaim_result`: who
    may is `urne.counting.proclamation`'s (404 out of reach, 403 reachable but not theirs)."""
    election = proclamation.access_proclaiming(request.user, election_id)
    try:
        proclamation.do_proclaim(election.scrutin, request)
    except VisitorError as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(
            request,
            _("Les résultats du scrutin « %(scrutin)s » sont proclamés et publiés.")
            % {"scrutin": election.scrutin.name},
        )
    back = request.POST.get("back", "")
    if back.isdigit():
        return redirect("bureau:member", int(back))
    return redirect("tally:detail", election_id=election.pk)

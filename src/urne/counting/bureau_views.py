"""The bureau's pages in the back office: staff compose bureaus and follow the ceremony
(/gestion/bureaux/); each member runs their steps on their own page (/gestion/mon-bureau/).

Once the encrypted tally of a scrutin the bureau covers is on its board, the member's page also
takes their partial decryptions of it (`urne.counting.decryption.do_accept_partial_decryption`,
which refuses another member's share).

Thin views: what may be done, and to whom, is `urne.counting.ceremony`'s and
`urne.counting.decryption`'s.
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

from urne.accounts.models import User
from urne.backoffice.pages import staff_page
from urne.campaign.models import Scrutin
from urne.candidacies.models import Union
from urne.counting import ceremony, closing, decryption, proclamation, tally_views
from urne.counting.composition import KeyGroup, openers
from urne.counting.models import Bureau, BureauMember, KeyFragment
from urne.voting.models import ScrutinElection
from urne.web.errors import NotFound, VisitorError

POST = ("GET", "HEAD", "POST")
SETUP = "campaign.change_campaign"
MEMBER = "counting.view_bureau"
MAX_UPLOAD = ceremony.MAX_MESSAGE


# --- staff ----------------------------------------------------------------------------------------


@staff_page(SETUP, methods=POST)
def bureau_list(request: HttpRequest) -> HttpResponseBase:
    campaigns = list(ceremony.staff_campaigns(request.user, for_change=True))
    error = None
    if request.method == "POST":
        campaign = next((c for c in campaigns if str(c.pk) == request.POST.get("campaign")), None)
        try:
            if campaign is None:
                raise ceremony.CeremonyRefused(_("Choisissez la campagne du bureau."))
            bureau = ceremony.do_create_bureau(request, campaign, request.POST.get("name", ""))
        except VisitorError as refused:
            error = str(refused.message)
        else:
            messages.success(request, _("Le bureau de vote est créé."))
            return redirect("bureau:detail", bureau.pk)
    return render(
        request,
        "counting/bureau_list.html",
        {
            "title": _("Bureaux de vote électronique"),
            "current": "bureau:list",
            "bureaus": ceremony.bureaus_for_staff(request.user),
            "campaigns": campaigns,
            "error": error,
        },
        status=400 if error else 200,
    )


@staff_page(SETUP, methods=POST)
def bureau_detail(request: HttpRequest, bureau_id: int) -> HttpResponseBase:
    bureau = ceremony.access_bureau_for_staff(request.user, bureau_id)
    error = None
    if request.method == "POST":
        try:
            _staff_action(request, bureau)
        except VisitorError as refused:
            error = str(refused.message)
        else:
            return redirect("bureau:detail", bureau.pk)
    covered = list(bureau.scrutins.order_by("code"))
    return render(
        request,
        "counting/bureau_detail.html",
        {
            "title": bureau.name,
            "current": "bureau:list",
            "bureau": bureau,
            "members": bureau.members.select_related("user", "union").order_by("pk"),
            "covered": covered,
            "free_scrutins": Scrutin.objects.filter(campaign=bureau.campaign)
            .exclude(pk__in=[s.pk for s in covered])
            .order_by("code"),
            "unions": Union.objects.filter(campaign=bureau.campaign).order_by("acronym"),
            "roles": BureauMember.Role.choices,
            "composing": bureau.step == Bureau.Step.COMPOSING,
            "problem": ceremony.composition_problem(bureau)
            if bureau.step == Bureau.Step.COMPOSING
            else None,
            "progress": ceremony.progress(bureau),
            "error": error,
        },
        status=400 if error else 200,
    )


def _staff_action(request: HttpRequest, bureau: Bureau) -> None:
    action = request.POST.get("action")
    if action == "add_member":
        user = User.objects.filter(email__iexact=request.POST.get("email", "").strip()).first()
        if user is None:
            raise ceremony.CeremonyRefused(
                _("Aucun compte de gestion n'a cette adresse : créez d'abord le compte.")
            )
        union = Union.objects.filter(
            campaign=bureau.campaign, pk=_int(request.POST.get("union"))
        ).first()
        ceremony.do_add_member(request, bureau, user, request.POST.get("role", ""), union)
        messages.success(request, _("Le membre est ajouté au bureau."))
    elif action == "remove_member":
        ceremony.do_remove_member(request, bureau, _int(request.POST.get("member")))
        messages.success(request, _("Le membre est retiré du bureau."))
    elif action in ("add_scrutin", "remove_scrutin"):
        scrutin = Scrutin.objects.filter(
            campaign=bureau.campaign, pk=_int(request.POST.get("scrutin"))
        ).first()
        if scrutin is None:
            raise ceremony.CeremonyRefused(_("Choisissez un scrutin de la campagne."))
        if action == "add_scrutin":
            ceremony.do_add_scrutin(request, bureau, scrutin)
        else:
            ceremony.do_remove_scrutin(request, bureau, scrutin)
        messages.success(request, _("Les scrutins couverts sont enregistrés."))
    elif action == "restart":
        ceremony.do_restart_ceremony(request, bureau)
        messages.success(request, _("La cérémonie est annulée : le bureau peut être recomposé."))
    elif action == "open":
        ceremony.do_open_ceremony(request, bureau)
        messages.success(request, _("La cérémonie des clés est ouverte."))
    else:
        raise ceremony.CeremonyRefused(_("Action inconnue : rien n'a été enregistré."))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- members --------------------------------------------------------------------------------------


@staff_page(MEMBER)
def my_bureaus(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "counting/bureau_mine.html",
        {
            "title": _("Mon bureau de vote"),
            "current": "bureau:mine",
            "memberships": ceremony.memberships(request.user),
        },
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Fichier"), required=False)
    text = forms.CharField(
        label=gettext_lazy("ou son contenu, collé ici"), required=False, widget=forms.Textarea
    )


STEP_ACTIONS: dict[str, Any] = {
    Bureau.Step.CERTIFICATES: ceremony.do_submit_cert,
    Bureau.Step.POLYNOMIALS: ceremony.do_submit_polynomial,
    Bureau.Step.VOUTPUTS: ceremony.do_submit_voutput,
}
STEP_NAMES: dict[str, str] = {
    Bureau.Step.CERTIFICATES: "cert",
    Bureau.Step.POLYNOMIALS: "polynomial",
    Bureau.Step.VOUTPUTS: "voutput",
}


def _uploaded(request: HttpRequest) -> str:
    upload = request.FILES.get("file")
    if upload is not None:
        if upload.size is None or upload.size > MAX_UPLOAD:
            raise ceremony.CeremonyRefused(_("Ce fichier est bien trop gros."))
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise ceremony.CeremonyRefused(_("Ce fichier n'est pas un fichier texte.")) from None
    text = request.POST.get("text", "")
    if not text.strip():
        raise ceremony.CeremonyRefused(_("Joignez le fichier de l'étape (ou collez son contenu)."))
    return text


@staff_page(MEMBER, methods=POST)
def member_page(request: HttpRequest, bureau_id: int) -> HttpResponseBase:
    bureau, member = ceremony.access_member_bureau(request.user, bureau_id)
    error = None
    if request.method == "POST" and request.POST.get("step") == "partial":
        try:
            election = _covered_election(bureau, request.POST.get("election"))
            event = decryption.do_accept_partial_decryption(election, _uploaded(request), request)
        except VisitorError as refused:
            error = str(refused.message)
        else:
            messages.success(
                request,
                _("Votre déchiffrement partiel (autorité n° %(owner)d) est vérifié et publié.")
                % {"owner": event.owner},
            )
            if decryption.scrutin_result(election) is not None:
                messages.success(request, _("Le résultat du scrutin est calculé et publié."))
            return redirect("bureau:member", bureau.pk)
    elif request.method == "POST":
        step = request.POST.get("step", "")
        action = next((STEP_ACTIONS[s] for s in STEP_ACTIONS if STEP_NAMES[s] == step), None)
        try:
            if action is None:
                raise ceremony.CeremonyRefused(_("Étape inconnue : rien n'a été enregistré."))
            action(request, bureau, member, request.POST.get("fragment"), _uploaded(request))
        except VisitorError as refused:
            error = str(refused.message)
            ceremony.record_refusal(request, bureau, step[:20], refused)
        else:
            messages.success(request, _("Votre fichier est vérifié et enregistré."))
            return redirect("bureau:member", bureau.pk)
        bureau.refresh_from_db()
    fragments = list(member.fragments.order_by("group", "position"))
    plan = None
    try:
        plan = ceremony.bureau_plan(bureau)
    except VisitorError:
        plan = None
    others = {m.pk: m for m in bureau.members.select_related("user", "union")}
    with_whom = (
        [
            sorted(
                (
                    str(others[key].user),
                    others[key].get_role_display(),
                    str(others[key].union or ""),
                )
                for key in group
                if key != member.pk
            )
            for group in openers(plan, member.pk)
        ]
        if plan is not None
        else []
    )
    return render(
        request,
        "counting/bureau_member.html",
        {
            "title": bureau.name,
            "current": "bureau:mine",
            "bureau": bureau,
            "member": member,
            "fragments": fragments,
            "numbers": [(f, ceremony.trustee_number(f)) for f in fragments],
            "step_name": STEP_NAMES.get(bureau.step, ""),
            "pending": [f for f in fragments if not _sent(bureau, f)],
            "covered": list(bureau.scrutins.order_by("code")),
            "with_whom": with_whom[:6],
            "with_whom_more": max(0, len(with_whom) - 6),
            "progress": ceremony.progress(bureau),
            "form": UploadForm(),
            "error": error,
            "groups": sorted({f.group for f in fragments}),
            "keys_texts": keys_texts(),
            "counts": _counts(bureau, member) if bureau.step == Bureau.Step.COMPLETE else [],
        },
        status=400 if error else 200,
    )


def keys_texts() -> dict[str, str]:
    """The messages of the ceremony's steps in the browser (keys-page.js), translated."""
    return {
        "working": _("Calcul en cours dans ce navigateur…"),
        "no-key": _("Choisissez d'abord votre fichier de clé (ID.key)."),
        "download": _("Les fichiers du bureau n'ont pas pu être téléchargés : rechargez la page."),
        "key-link": _("Télécharger votre clé : {name} (à garder hors ligne)"),
        "cert-made": _(
            "Votre clé est créée. Téléchargez-la et gardez-la hors ligne : sans elle, vous ne "
            "pourrez ni faire les étapes suivantes ni déchiffrer. Le certificat remplit ensuite "
            "le formulaire."
        ),
        "cert-ready": _(
            "Le certificat remplit le formulaire ci-dessous : vérifiez que votre clé est bien "
            "enregistrée, puis déposez-le."
        ),
        "polynomial-ready": _("Votre polynôme remplit le formulaire ci-dessous : déposez-le."),
        "voutput-link": _("Télécharger voutput.json (à garder pour le dépouillement)"),
        "voutput-ready": _(
            "Votre voutput remplit le formulaire ci-dessous. Téléchargez-le et gardez-le avec "
            "votre clé : il contient votre part de clé, chiffrée pour vous seul. Puis déposez-le."
        ),
        "bad-seed": _("Ce fichier n'est pas une clé : choisissez votre fichier ID.key."),
        "not-in-certs": _(
            "Cette clé n'est pas celle de ce fragment : choisissez le fichier ID.key de ce "
            "fragment."
        ),
        "bad-certs": _("Un certificat du bureau ne se vérifie pas : prévenez l'organisateur."),
        "bad-threshold": _("Le seuil de ce groupe ne convient pas : prévenez l'organisateur."),
        "bad-vinput": _("Votre vinput est illisible : rechargez la page et recommencez."),
        "bad-own": _(
            "Votre propre polynôme, dans le vinput, ne s'ouvre pas ou ne correspond pas : "
            "vérifiez que vous avez choisi la clé de ce fragment."
        ),
        "bad-value": _(
            "La valeur envoyée par le membre n° {trustee} de votre groupe ne se vérifie pas : "
            "prévenez l'organisateur, qui recommencera la cérémonie."
        ),
        "internal": _(
            "Ce navigateur n'a pas pu faire le calcul : faites cette étape hors ligne avec urne "
            "ou belenios-tool."
        ),
    }


@staff_page(MEMBER)
def member_decrypt(request: HttpRequest, bureau_id: int, election_id: int) -> HttpResponse:
    """One covered scrutin's partial decryption made in the member's browser (docs/bureau.md):
    the page holds the public data the computation needs (the election, its trustees, the
    encrypted tally) and the upload form of « Mon bureau de vote », which the browser fills. The
    member's key files are read in the page and never sent."""
    bureau, member = ceremony.access_member_bureau(request.user, bureau_id)
    election = next(
        (e for e in _covered_elections(bureau) if e.pk == election_id),
        None,
    )
    if election is None or bureau.step != Bureau.Step.COMPLETE:
        raise NotFound
    status = decryption.decryption_status(election)
    return render(
        request,
        "counting/bureau_decrypt.html",
        {
            "bureau": bureau,
            "member": member,
            "election": election,
            "status": status,
            "browser_data": tally_views.browser_data(election, status),
            "browser_texts": tally_views.browser_texts(),
        },
    )


def _covered_elections(bureau: Bureau) -> list[ScrutinElection]:
    return list(
        ScrutinElection.objects.filter(scrutin__in=bureau.scrutins.all(), sealed_at__isnull=False)
        .select_related("scrutin__campaign")
        .order_by("scrutin__code")
    )


def _covered_election(bureau: Bureau, election_id: Any) -> ScrutinElection:
    election = next((e for e in _covered_elections(bureau) if str(e.pk) == election_id), None)
    if election is None:
        raise closing.CountingRefused(
            _("Choisissez un scrutin couvert par le bureau. Rien n'a été enregistré.")
        )
    return election


def _counts(bureau: Bureau, member: BureauMember) -> list[dict[str, Any]]:
    """Each sealed scrutin the bureau covers: where its count stands, the member's shares."""
    rows = []
    for election in _covered_elections(bureau):
        status = decryption.decryption_status(election)
        holders = decryption.share_holders(election) or {}
        sent = {owner for item in status.items for owner in item.sent}
        mine = [
            (owner, owner in sent)
            for owner, holder in sorted(holders.items())
            if holder.member.pk == member.pk
        ]
        rows.append(
            {
                "election": election,
                "status": status,
                "mine": mine,
                "waiting": status.tally
                and not status.result
                and any(not done for _owner, done in mine),
                "missing": decryption.missing_in_rule_words(election, status),
                "proclamation": proclamation.proclamation_of(election.scrutin),
                "may_proclaim": member.role in proclamation.PROCLAIMING_ROLES,
            }
        )
    return rows


def _sent(bureau: Bureau, fragment: KeyFragment) -> bool:
    if bureau.step == Bureau.Step.CERTIFICATES:
        return bool(fragment.cert)
    if bureau.step == Bureau.Step.POLYNOMIALS:
        return bool(fragment.polynomial)
    if bureau.step == Bureau.Step.VOUTPUTS:
        return bool(fragment.voutput)
    return True


def _download(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_page(MEMBER)
def certs_download(request: HttpRequest, bureau_id: int, group: str) -> HttpResponse:
    bureau, member = ceremony.access_member_bureau(request.user, bureau_id)
    if group not in {g.value for g in KeyGroup}:
        raise NotFound
    if not member.fragments.filter(group=group).exists():
        raise NotFound
    return _download(ceremony.certs_jsons(bureau, group), "certs.jsons")


@staff_page(MEMBER)
def vinput_download(request: HttpRequest, bureau_id: int, fragment_id: int) -> HttpResponse:
    _bureau, member = ceremony.access_member_bureau(request.user, bureau_id)
    fragment = member.fragments.filter(pk=fragment_id).first()
    if fragment is None or not fragment.vinput:
        raise NotFound
    return _download(fragment.vinput + "\n", f"{fragment.cert_name}.vinput")

"""The back office's candidacies pages, under /gestion/candidatures/.

Union delegates file their lists (`filing`, `list_page` and its forms); the organizer reviews
them, decides, and draws the order (`review`, `review_scrutin`). Every page is a `staff_page`;
what each verb may do, where and when, is decided by `urne.candidacies.filing`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from urne.backoffice.pages import NotPermitted, staff_page
from urne.campaign.models import Scrutin
from urne.candidacies import filing
from urne.candidacies.forms import (
    CandidateForm,
    ListForm,
    ProfessionDeFoiForm,
    RejectForm,
    RollSearchForm,
)
from urne.candidacies.models import CandidateList, ListDraw
from urne.candidacies.rules import check_list, electorate, names_allowed
from urne.web.errors import NotFound

POST = ("POST",)


def _list_url(candidate_list: CandidateList) -> str:
    return reverse("candidacies:list", args=[candidate_list.pk])


def _refused(request: HttpRequest, refusal: filing.FilingRefused) -> None:
    messages.error(request, str(refusal.message))


# --- The delegate --------------------------------------------------------------------------------


@staff_page(filing.FILE, methods=("GET", "HEAD", "POST"))
def filing_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    filing.check_may_file(user)
    unions = list(filing.delegate_unions(user))
    scrutins = list(filing.filing_scrutins(user))
    campaign_unions = list(filing.partner_unions(user, scrutins[0])) if scrutins else list(unions)
    form = ListForm(
        request.POST or None, unions=campaign_unions, scrutins=scrutins, prefix="nouvelle"
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            scrutin = next(s for s in scrutins if s.pk == form.cleaned_data["scrutin"])
            try:
                made = filing.do_create_list(
                    request, scrutin, form.cleaned_data["title"], form.shares()
                )
            except filing.FilingRefused as refused:
                form.add_error(None, str(refused.message))
            else:
                messages.success(request, _("Liste créée (brouillon) : ajoutez ses candidats."))
                return redirect(_list_url(made))
        status = 400
    lists = filing.lists_for(user).filter(unions__in=unions).distinct()
    return render(
        request,
        "candidacies/filing.html",
        {
            "current": "candidacies:filing",
            "unions": unions,
            "lists": lists,
            "form": form,
            "campaign": scrutins[0].campaign if scrutins else None,
            "filing_open": bool(scrutins) and scrutins[0].campaign.candidacies_filing_open(),
        },
        status=status,
    )


def _may_see_lists(request: HttpRequest) -> tuple[bool, bool]:
    files = request.user.has_perm(filing.FILE) and filing.delegate_unions(request.user).exists()
    validates = request.user.has_perm(filing.VALIDATE)
    if not (files or validates or request.user.has_perm(filing.READ)):
        raise NotPermitted
    return files, validates


@staff_page()
def list_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_list(request, pk)


def _render_list(
    request: HttpRequest,
    pk: int,
    *,
    status: int = 200,
    failures: list[str] | None = None,
    **forms: Any,
) -> HttpResponse:
    files, validates = _may_see_lists(request)
    user = request.user
    candidate_list = filing.access_list(user, pk)
    scrutin = candidate_list.scrutin
    mine = files and candidate_list.unions.filter(pk__in=filing.delegate_unions(user)).exists()
    may_edit = (
        mine and candidate_list.editable_by_union and scrutin.campaign.candidacies_filing_open()
    )
    shares = filing.list_shares(candidate_list)
    context: dict[str, Any] = {
        "current": "candidacies:filing" if mine else "candidacies:review",
        "list": candidate_list,
        "scrutin": scrutin,
        "shares": shares,
        "candidates": list(candidate_list.candidates.order_by("position")),
        "failures": failures,
        "checks": check_list(candidate_list) if failures is None else None,
        "names_allowed": names_allowed(scrutin),
        "electorate": electorate(scrutin),
        "mine": mine,
        "may_edit": may_edit,
        "may_decide": validates and candidate_list.status == CandidateList.Status.SUBMITTED,
        "filing_ends_at": scrutin.campaign.candidacies_filing_ends_at,
    }
    if may_edit:
        search = RollSearchForm(request.GET or None)
        query = search.cleaned_data["q"] if search.is_valid() else ""
        context.update(
            search=search,
            found=filing.search_roll(user, scrutin, query) if query else None,
            query=query,
            list_form=forms.get("list_form")
            or ListForm(
                unions=filing.partner_unions(user, scrutin),
                initial={
                    "title": candidate_list.title,
                    **{f"union_{row.union_id}": True for row in shares},
                    **{f"share_{row.union_id}": row.share for row in shares},
                },
            ),
            candidate_form=forms.get("candidate_form") or CandidateForm(),
            pdf_form=forms.get("pdf_form") or ProfessionDeFoiForm(),
        )
    if context["may_decide"]:
        context["reject_form"] = forms.get("reject_form") or RejectForm()
    return render(request, "candidacies/list.html", context, status=status)


def _editing(request: HttpRequest, pk: int) -> CandidateList:
    filing.check_may_file(request.user)
    return filing.access_list(request.user, pk, for_change=True)


@staff_page(filing.FILE, methods=POST)
def list_update(request: HttpRequest, pk: int) -> HttpResponse:
    candidate_list = _editing(request, pk)
    form = ListForm(
        request.POST, unions=filing.partner_unions(request.user, candidate_list.scrutin)
    )
    if not form.is_valid():
        return _render_list(request, pk, status=400, list_form=form)
    try:
        filing.do_update_list(request, candidate_list, form.cleaned_data["title"], form.shares())
    except filing.FilingRefused as refused:
        form.add_error(None, str(refused.message))
        return _render_list(request, pk, status=400, list_form=form)
    messages.success(request, _("Liste enregistrée."))
    return redirect(_list_url(candidate_list))


@staff_page(filing.FILE, methods=POST)
def candidate_add(request: HttpRequest, pk: int) -> HttpResponse:
    candidate_list = _editing(request, pk)
    elector_id = request.POST.get("elector")
    try:
        if elector_id is not None:
            filing.do_add_candidate(request, candidate_list, elector_id=elector_id)
        else:
            form = CandidateForm(request.POST)
            if not form.is_valid():
                return _render_list(request, pk, status=400, candidate_form=form)
            candidate = filing.do_add_candidate(request, candidate_list, entry=form.entry())
            if candidate.elector_id is None:
                messages.warning(
                    request,
                    _(
                        "%(name)s est ajouté(e), mais introuvable sur la liste électorale du "
                        "scrutin : la liste ne pourra pas être déposée ainsi."
                    )
                    % {"name": candidate},
                )
                return redirect(_list_url(candidate_list))
    except filing.FilingRefused as refused:
        _refused(request, refused)
        return redirect(_list_url(candidate_list))
    messages.success(request, _("Candidat ajouté en fin de liste."))
    return redirect(_list_url(candidate_list))


@staff_page(filing.FILE, methods=POST)
def candidate_change(request: HttpRequest, pk: int, candidate_id: int) -> HttpResponse:
    candidate_list = _editing(request, pk)
    action = request.POST.get("action")
    try:
        if action == "remove":
            filing.do_remove_candidate(request, candidate_list, candidate_id)
            messages.success(request, _("Candidat retiré de la liste."))
        elif action in ("up", "down"):
            filing.do_move_candidate(request, candidate_list, candidate_id, up=action == "up")
        else:
            raise filing.FilingRefused(_("Action inconnue."))
    except filing.FilingRefused as refused:
        _refused(request, refused)
    return redirect(_list_url(candidate_list))


@staff_page(filing.FILE, methods=POST)
def profession_de_foi_upload(request: HttpRequest, pk: int) -> HttpResponse:
    candidate_list = _editing(request, pk)
    form = ProfessionDeFoiForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_list(request, pk, status=400, pdf_form=form)
    try:
        filing.do_upload_profession_de_foi(request, candidate_list, form.cleaned_data["file"])
    except filing.FilingRefused as refused:
        form.add_error("file", str(refused.message))
        return _render_list(request, pk, status=400, pdf_form=form)
    messages.success(request, _("Profession de foi enregistrée."))
    return redirect(_list_url(candidate_list))


@staff_page(filing.FILE, methods=POST)
def list_submit(request: HttpRequest, pk: int) -> HttpResponse:
    candidate_list = _editing(request, pk)
    try:
        filing.do_submit_list(request, candidate_list)
    except filing.ListHasFailures as broken:
        return _render_list(request, pk, status=400, failures=broken.failures)
    except filing.FilingRefused as refused:
        _refused(request, refused)
        return redirect(_list_url(candidate_list))
    messages.success(
        request, _("Liste déposée : l'organisateur va l'examiner. Sa décision s'affichera ici.")
    )
    return redirect(_list_url(candidate_list))


@staff_page()
def profession_de_foi_download(request: HttpRequest, pk: int) -> FileResponse:
    _may_see_lists(request)
    candidate_list = filing.access_list(request.user, pk)
    name = candidate_list.profession_de_foi.name
    if not name or not candidate_list.profession_de_foi.storage.exists(name):
        raise NotFound(_("Cette liste n'a pas encore de profession de foi."))
    return FileResponse(
        candidate_list.profession_de_foi.open("rb"),
        as_attachment=True,
        content_type="application/pdf",
        filename=f"profession-de-foi-{candidate_list.scrutin.code}-{candidate_list.pk}.pdf",
    )


# --- The organizer -------------------------------------------------------------------------------


@staff_page(filing.READ)
def review(request: HttpRequest) -> HttpResponse:
    """The scrutins with lists filed: the organizer's to review, the observer's to read."""
    scrutins = filing.readable_scrutins(request.user).order_by("name")
    lists = CandidateList.objects.filter(scrutin__in=scrutins).values_list("scrutin_id", "status")
    counts: dict[int, dict[str, int]] = {}
    for scrutin_id, status in lists:
        counts.setdefault(scrutin_id, {}).setdefault(status, 0)
        counts[scrutin_id][status] += 1
    rows = [(scrutin, counts.get(scrutin.pk, {})) for scrutin in scrutins if scrutin.pk in counts]
    return render(
        request, "candidacies/review.html", {"current": "candidacies:review", "rows": rows}
    )


def _review_scrutin(request: HttpRequest, scrutin_id: int) -> Scrutin:
    scrutin = filing.access_scrutin(request.user, scrutin_id)
    if not filing.readable_scrutins(request.user).filter(pk=scrutin.pk).exists():
        raise NotFound(_("Cet élément n'existe pas ou sort de votre périmètre de gestion."))
    return scrutin


@staff_page(filing.READ)
def review_scrutin(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = _review_scrutin(request, scrutin_id)
    lists = list(
        CandidateList.objects.filter(scrutin=scrutin)
        .exclude(status=CandidateList.Status.DRAFT)
        .prefetch_related("unions")
        .order_by("position", "title")
    )
    return render(
        request,
        "candidacies/review_scrutin.html",
        {
            "current": "candidacies:review",
            "scrutin": scrutin,
            "submitted": [x for x in lists if x.status == CandidateList.Status.SUBMITTED],
            "validated": [x for x in lists if x.status == CandidateList.Status.VALIDATED],
            "rejected": [x for x in lists if x.status == CandidateList.Status.REJECTED],
            "draws": ListDraw.objects.filter(scrutin=scrutin)[:10],
            "published": scrutin.campaign.candidacies_published(),
            "may_validate": request.user.has_perm(filing.VALIDATE),
        },
    )


@staff_page(filing.VALIDATE, methods=POST)
def list_decide(request: HttpRequest, pk: int) -> HttpResponse:
    candidate_list = filing.access_list(request.user, pk, for_change=True)
    validate = request.POST.get("decision") == "validate"
    form = RejectForm(request.POST)
    if not validate and not form.is_valid():
        return _render_list(request, pk, status=400, reject_form=form)
    try:
        filing.do_decide(
            request,
            candidate_list,
            validate=validate,
            reason="" if validate else form.cleaned_data["reason"],
        )
    except filing.ListHasFailures as broken:
        return _render_list(request, pk, status=400, failures=broken.failures)
    except filing.FilingRefused as refused:
        _refused(request, refused)
        return redirect(_list_url(candidate_list))
    messages.success(request, _("Liste validée.") if validate else _("Liste rejetée."))
    return HttpResponseRedirect(
        reverse("candidacies:review_scrutin", args=[candidate_list.scrutin_id])
    )


@staff_page(filing.VALIDATE, methods=POST)
def draw(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = _review_scrutin(request, scrutin_id)
    try:
        filing.do_draw_order(request, scrutin)
    except filing.FilingRefused as refused:
        _refused(request, refused)
    else:
        messages.success(request, _("Ordre des listes tiré au sort et enregistré."))
    return redirect(reverse("candidacies:review_scrutin", args=[scrutin.pk]))

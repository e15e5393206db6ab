"""The electors imports' pages, under /gestion/imports/ (back-office frame: `staff_page`).

Organizers upload an electors file, follow its import live and download the report of a
rejected file's lines. The verbs are `urne.campaign.import_jobs` (the ones the technical
administrators' admin calls too): they reach the imports through the access layer (another
campaign's import answers 404) and record the upload; the import runs in the background.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from urne.accounts.models import User
from urne.backoffice import access
from urne.backoffice.pages import staff_page
from urne.campaign import import_jobs
from urne.campaign.import_forms import ElectorsFileForm
from urne.campaign.models import ElectorImport
from urne.campaign.services import RollsFrozen
from urne.web.errors import NotFound

IMPORT = import_jobs.IMPORT_ELECTORS
PAGE_SIZE = 50


@staff_page(IMPORT, methods=("GET", "HEAD", "POST"))
def index(request: HttpRequest) -> HttpResponseBase:
    import_jobs.check_may_import(request.user)
    form = ElectorsFileForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = ElectorImport(
            campaign=form.cleaned_data["campaign"],
            file=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        try:
            access.check_staff_may_change(request.user, job)
            # The import starts when this commits (in the embedded default, right there).
            with transaction.atomic():
                job = import_jobs.do_queue_elector_import(job, cast(User, request.user))
        except RollsFrozen as frozen:
            form.add_error("campaign", str(frozen.message))
        else:
            messages.success(
                request,
                _("Fichier déposé : l'import est lancé. Sa progression s'affiche ci-dessous."),
            )
            return redirect("imports:detail", import_id=job.pk)
    jobs = Paginator(import_jobs.imports_in_reach(request.user), PAGE_SIZE)
    return render(
        request,
        "backoffice/imports/index.html",
        {
            "form": form,
            "page": jobs.get_page(request.GET.get("page")),
            "max_bytes": import_jobs.max_upload_bytes(),
            "current": "imports:index",
        },
    )


@staff_page(IMPORT)
def detail(request: HttpRequest, import_id: int) -> HttpResponse:
    job = import_jobs.access_import(request.user, import_id)
    return render(
        request,
        "backoffice/imports/detail.html",
        {"job": job, "progress": import_jobs.progress(job), "current": "imports:index"},
    )


@staff_page(IMPORT)
def progress(request: HttpRequest, import_id: int) -> JsonResponse:
    job = import_jobs.access_import(request.user, import_id)
    return JsonResponse(import_jobs.progress(job))


@staff_page(IMPORT)
def errors_csv(request: HttpRequest, import_id: int) -> HttpResponse:
    """The rejected file's problems (line, column, message) as a CSV file for a spreadsheet."""
    job = import_jobs.access_import(request.user, import_id)
    if not job.error_report:
        raise NotFound(_("Cet import n'a pas d'erreurs par ligne."))
    import_jobs.record_errors_download(request, job)
    # The byte order mark makes spreadsheets read the file as UTF-8.
    response = HttpResponse("\ufeff" + job.error_report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="erreurs-import-{job.pk}.csv"'
    return response

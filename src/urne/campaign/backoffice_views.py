"""The back office's campaign pages: the setup (/gestion/campagne/...) and the electoral rolls
(/gestion/listes-electorales/...).

Short views: `staff_page` lets in verified staff holding the page's permission; the verbs of
`urne.campaign.setup` and `urne.campaign.staff_rolls` reach the data through the access layer,
check, write and audit. A refusal they raise (after the vote's opening, out of the perimeter) is
shown by the site's error pages, or in the form when it answers a form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from urne import clock
from urne.backoffice.pages import staff_page
from urne.campaign import setup, staff_rolls
from urne.campaign.backoffice_forms import (
    AcademyForm,
    CalendarForm,
    GradeSeatsForm,
    RollRuleForm,
    ScrutinForm,
)
from urne.campaign.models import Academy, Campaign, Scrutin
from urne.campaign.services import RollsFrozen
from urne.voting.setup import SetupRefused

SETUP = "campaign.change_campaign"
POST = ("GET", "HEAD", "POST")


def _locked(campaign: Campaign) -> str | None:
    """Why the campaign's setup no longer changes, or None."""
    try:
        setup.check_campaign_editable(campaign)
    except setup.SetupLocked as locked:
        return str(locked.message)
    return None


# --- Setup ---------------------------------------------------------------------------------------


@staff_page(SETUP)
def campaigns(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/campaign/campaigns.html",
        {"campaigns": setup.setup_campaigns(request.user)},
    )


@staff_page(SETUP)
def campaign_setup(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    scrutins = staff_rolls.roll_scrutins(request.user).filter(campaign=campaign)
    calendar = [
        (getattr(Campaign._meta.get_field(name), "verbose_name", name), getattr(campaign, name))
        for name in setup.CALENDAR_FIELDS
    ]
    return render(
        request,
        "backoffice/campaign/setup.html",
        {
            "campaign": campaign,
            "calendar": calendar,
            "academies": campaign.academies.order_by("name"),
            "scrutins": scrutins,
            "locked": _locked(campaign),
        },
    )


@staff_page(SETUP, methods=POST)
def calendar(request: HttpRequest, campaign_id: int) -> HttpResponseBase:
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    locked = _locked(campaign)
    form = CalendarForm(request.POST or None, instance=campaign)
    if request.method == "POST":
        if locked is not None:
            raise setup.SetupLocked(campaign)
        if form.is_valid():
            setup.do_save_setup(
                request.user, form.instance, form.changed_data, action="campaign.calendar"
            )
            messages.success(request, _("Le calendrier est enregistré."))
            return redirect("campaign_gestion:campaign", campaign.pk)
    return render(
        request,
        "backoffice/campaign/calendar.html",
        {"campaign": campaign, "form": form, "locked": locked},
    )


def _edit(
    request: HttpRequest,
    campaign: Campaign,
    form: AcademyForm | ScrutinForm,
    *,
    action: str,
    template: str,
    done: str,
    **context: Any,
) -> HttpResponseBase:
    locked = _locked(campaign)
    if request.method == "POST":
        if locked is not None:
            raise setup.SetupLocked(campaign)
        if form.is_valid():
            try:
                setup.do_save_setup(request.user, form.instance, form.changed_data, action=action)
            except SetupRefused as refused:  # a sealed scrutin: said in the form
                form.add_error(None, str(refused.message))
            else:
                messages.success(request, done)
                return redirect("campaign_gestion:campaign", campaign.pk)
    return render(
        request, template, {"campaign": campaign, "form": form, "locked": locked, **context}
    )


@staff_page("campaign.add_academy", methods=POST)
def academy_add(request: HttpRequest, campaign_id: int) -> HttpResponseBase:
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    form = AcademyForm(request.POST or None, instance=Academy(campaign=campaign))
    return _edit(
        request,
        campaign,
        form,
        action="academy.create",
        template="backoffice/campaign/academy.html",
        done=_("L'académie est ajoutée."),
        academy=None,
    )


@staff_page("campaign.change_academy", methods=POST)
def academy_change(request: HttpRequest, campaign_id: int, academy_id: int) -> HttpResponseBase:
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    academy = setup.access_academy_for_setup(request.user, campaign, academy_id)
    form = AcademyForm(request.POST or None, instance=academy)
    return _edit(
        request,
        campaign,
        form,
        action="academy.change",
        template="backoffice/campaign/academy.html",
        done=_("L'académie est enregistrée."),
        academy=academy,
    )


@staff_page("campaign.add_scrutin", methods=POST)
def scrutin_add(request: HttpRequest, campaign_id: int) -> HttpResponseBase:
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    form = ScrutinForm(request.POST or None, instance=Scrutin(campaign=campaign), campaign=campaign)
    return _edit(
        request,
        campaign,
        form,
        action="scrutin.create",
        template="backoffice/campaign/scrutin.html",
        done=_("Le scrutin est ajouté."),
        scrutin=None,
    )


@staff_page("campaign.change_scrutin", methods=POST)
def scrutin_change(request: HttpRequest, campaign_id: int, scrutin_id: int) -> HttpResponseBase:
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    scrutin = setup.access_scrutin_for_setup(request.user, campaign, scrutin_id)
    form = ScrutinForm(request.POST or None, instance=scrutin, campaign=campaign)
    return _edit(
        request,
        campaign,
        form,
        action="scrutin.change",
        template="backoffice/campaign/scrutin.html",
        done=_("Le scrutin est enregistré."),
        scrutin=scrutin,
    )


@staff_page("campaign.change_scrutin", methods=POST)
def grade_seats(request: HttpRequest, campaign_id: int, scrutin_id: int) -> HttpResponseBase:
    """The seats of each grade of a scrutin (a CAP's lists are then counted grade by grade):
    set one (a grade set again is changed), or remove one."""
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    scrutin = setup.access_scrutin_for_setup(request.user, campaign, scrutin_id)
    locked = _locked(campaign)
    form = GradeSeatsForm(
        request.POST if "grade" in request.POST else None, grades=setup.roll_grades(scrutin)
    )
    if request.method == "POST":
        if locked is not None:
            raise setup.SetupLocked(campaign)
        try:
            if "remove" in request.POST:
                setup.do_remove_grade_seats(request.user, scrutin, request.POST["remove"])
                messages.success(request, _("Les sièges de ce grade sont retirés."))
                return redirect("campaign_gestion:grade_seats", campaign.pk, scrutin.pk)
            if form.is_valid():
                setup.do_set_grade_seats(
                    request.user,
                    scrutin,
                    form.cleaned_data["grade"],
                    form.cleaned_data["seats"],
                    form.cleaned_data["substitute_seats"],
                )
                messages.success(request, _("Les sièges du grade sont enregistrés."))
                return redirect("campaign_gestion:grade_seats", campaign.pk, scrutin.pk)
        except SetupRefused as refused:
            form.add_error(None, str(refused.message))
    return render(
        request,
        "backoffice/campaign/grade_seats.html",
        {
            "campaign": campaign,
            "scrutin": scrutin,
            "rows": scrutin.grade_seats.all(),
            "form": form,
            "locked": locked,
        },
        status=400 if form.errors else 200,
    )


@staff_page("campaign.add_rollentry", methods=POST)
def roll_rule(request: HttpRequest, campaign_id: int, scrutin_id: int) -> HttpResponseBase:
    """Preview, then apply, "add to this roll every elector of corps Y (in academy Z)"."""
    campaign = setup.access_campaign_for_setup(request.user, campaign_id)
    scrutin = setup.access_scrutin_for_setup(request.user, campaign, scrutin_id)
    form = RollRuleForm(request.POST or None, scrutin=scrutin, corps=setup.corps_choices(campaign))
    effect: setup.RuleEffect | None = None
    rule: setup.RollRule | None = None
    if request.method == "POST" and form.is_valid():
        rule = setup.RollRule(
            scrutin=scrutin, corps=form.cleaned_data["corps"], academy=form.cleaned_data["academy"]
        )
        try:
            if "apply" in request.POST:
                applied = setup.do_apply_roll_rule(
                    request.user, rule, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _(
                        "Règle appliquée : %(added)d électeur(s) inscrit(s) sur la liste ; "
                        "%(already)d l'étai(en)t déjà."
                    )
                    % {"added": applied.to_add, "already": applied.already},
                )
                return redirect("campaign_gestion:roll_rule", campaign.pk, scrutin.pk)
            effect = setup.check_roll_rule(request.user, rule)
        except (setup.RuleRefused, RollsFrozen, SetupRefused) as refused:
            form.add_error(None, str(refused.message))
    return render(
        request,
        "backoffice/campaign/roll_rule.html",
        {
            "campaign": campaign,
            "scrutin": scrutin,
            "form": form,
            "rule": rule,
            "effect": effect,
            "locked": _locked(campaign),
            "roll_size": staff_rolls.staff_roll(request.user, scrutin).count(),
        },
    )


# --- Rolls ---------------------------------------------------------------------------------------


@staff_page(staff_rolls.VIEW_ROLLS)
def rolls(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/rolls/index.html",
        {"scrutins": staff_rolls.roll_scrutins(request.user)},
    )


@staff_page(staff_rolls.VIEW_ROLLS)
def roll(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = staff_rolls.access_roll(request.user, scrutin_id)
    query = request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "backoffice/rolls/roll.html",
        {
            "scrutin": scrutin,
            "search": staff_rolls.search_staff_roll(
                request.user, scrutin, query, request.GET.get("page")
            ),
            "academies": staff_rolls.perimeter_academies(request.user, scrutin),
            "may_view_history": request.user.has_perm(staff_rolls.VIEW_HISTORY),
            "query": urlencode({"q": query}) if query else "",
        },
    )


def _file_name(scrutin: Scrutin, extension: str) -> str:
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    return f'attachment; filename="liste-electorale-{scrutin.code}-{stamp}.{extension}"'


@staff_page(staff_rolls.VIEW_ROLLS)
def roll_csv(request: HttpRequest, scrutin_id: int) -> HttpResponseBase:
    scrutin = staff_rolls.access_roll(request.user, scrutin_id)
    electors = staff_rolls.do_export_roll(request.user, scrutin, "csv")
    response = StreamingHttpResponse(
        staff_rolls.roll_csv(scrutin, electors.iterator(chunk_size=2000)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = _file_name(scrutin, "csv")
    return response


@staff_page(staff_rolls.VIEW_ROLLS)
def roll_pdf(request: HttpRequest, scrutin_id: int) -> HttpResponseBase:
    scrutin = staff_rolls.access_roll(request.user, scrutin_id)
    electors = staff_rolls.do_export_roll(request.user, scrutin, "pdf")
    pdf = staff_rolls.roll_pdf(
        scrutin,
        electors.iterator(chunk_size=2000),
        academies=staff_rolls.perimeter_academies(request.user, scrutin),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = _file_name(scrutin, "pdf")
    return response


@staff_page(staff_rolls.VIEW_ROLLS, staff_rolls.VIEW_HISTORY)
def roll_history(request: HttpRequest, scrutin_id: int) -> HttpResponse:
    scrutin = staff_rolls.access_roll(request.user, scrutin_id)
    return render(
        request,
        "backoffice/rolls/history.html",
        {
            "scrutin": scrutin,
            "page": staff_rolls.roll_history_page(request.user, scrutin, request.GET.get("page")),
        },
    )

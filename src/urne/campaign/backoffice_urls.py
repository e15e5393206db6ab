"""The back office's campaign pages: setup and rolls (included at "", before Django's admin)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.campaign import backoffice_views as views

app_name = "campaign_gestion"

urlpatterns: list[URLPattern] = [
    path("gestion/campagne/", views.campaigns, name="campaigns"),
    path("gestion/campagne/<int:campaign_id>/", views.campaign_setup, name="campaign"),
    path("gestion/campagne/<int:campaign_id>/calendrier/", views.calendar, name="calendar"),
    path(
        "gestion/campagne/<int:campaign_id>/academies/nouvelle/",
        views.academy_add,
        name="academy_add",
    ),
    path(
        "gestion/campagne/<int:campaign_id>/academies/<int:academy_id>/",
        views.academy_change,
        name="academy",
    ),
    path(
        "gestion/campagne/<int:campaign_id>/scrutins/nouveau/",
        views.scrutin_add,
        name="scrutin_add",
    ),
    path(
        "gestion/campagne/<int:campaign_id>/scrutins/<int:scrutin_id>/",
        views.scrutin_change,
        name="scrutin",
    ),
    path(
        "gestion/campagne/<int:campaign_id>/scrutins/<int:scrutin_id>/inscriptions/",
        views.roll_rule,
        name="roll_rule",
    ),
    path(
        "gestion/campagne/<int:campaign_id>/scrutins/<int:scrutin_id>/sieges-par-grade/",
        views.grade_seats,
        name="grade_seats",
    ),
    path("gestion/listes-electorales/", views.rolls, name="rolls"),
    path("gestion/listes-electorales/<int:scrutin_id>/", views.roll, name="roll"),
    path("gestion/listes-electorales/<int:scrutin_id>/liste.csv", views.roll_csv, name="roll_csv"),
    path("gestion/listes-electorales/<int:scrutin_id>/liste.pdf", views.roll_pdf, name="roll_pdf"),
    path(
        "gestion/listes-electorales/<int:scrutin_id>/historique/",
        views.roll_history,
        name="roll_history",
    ),
]

"""The results' addresses: the back office's under /gestion/resultats/, the public ones under
/resultats/ (included at "" by urne.urls, before the admin's own addresses)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.counting import results_views as views

app_name = "results"

urlpatterns: list[URLPattern] = [
    path("gestion/resultats/", views.staff_index, name="index"),
    path("gestion/resultats/resultats.json", views.staff_overview_json, name="overview_json"),
    path("gestion/resultats/<int:scrutin_id>/", views.staff_scrutin, name="scrutin"),
    path("gestion/resultats/<int:scrutin_id>/resultats.csv", views.staff_scrutin_csv, name="csv"),
    path(
        "gestion/resultats/<int:scrutin_id>/resultats.json", views.staff_scrutin_json, name="json"
    ),
    path("gestion/resultats/<int:scrutin_id>/tirage/", views.staff_draw, name="draw"),
    path(
        "gestion/resultats/<int:scrutin_id>/choix-des-grades/",
        views.staff_grade_preference,
        name="grade_preference",
    ),
    path(
        "gestion/resultats/<int:scrutin_id>/proces-verbal.pdf",
        views.staff_minutes,
        name="minutes",
    ),
    path("resultats/", views.public_index, name="public_index"),
    path("resultats/resultats.json", views.public_overview_json, name="public_overview_json"),
    path("resultats/<slug:code>/", views.public_scrutin, name="public_scrutin"),
    path("resultats/<slug:code>/resultats.csv", views.public_scrutin_csv, name="public_csv"),
    path("resultats/<slug:code>/resultats.json", views.public_scrutin_json, name="public_json"),
]

"""The electors imports' pages (included at "", before Django's admin at /gestion/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.campaign import import_views as views

app_name = "imports"

urlpatterns: list[URLPattern] = [
    path("gestion/imports/", views.index, name="index"),
    path("gestion/imports/<int:import_id>/", views.detail, name="detail"),
    path("gestion/imports/<int:import_id>/progression/", views.progress, name="progress"),
    path("gestion/imports/<int:import_id>/erreurs.csv", views.errors_csv, name="errors"),
]

"""The candidacies pages of the back office (included at "", before Django's admin)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.candidacies import views

app_name = "candidacies"

urlpatterns: list[URLPattern] = [
    path("gestion/candidatures/depot/", views.filing_index, name="filing"),
    path("gestion/candidatures/listes/<int:pk>/", views.list_page, name="list"),
    path("gestion/candidatures/listes/<int:pk>/modifier/", views.list_update, name="list_update"),
    path(
        "gestion/candidatures/listes/<int:pk>/candidats/",
        views.candidate_add,
        name="candidate_add",
    ),
    path(
        "gestion/candidatures/listes/<int:pk>/candidats/<int:candidate_id>/",
        views.candidate_change,
        name="candidate_change",
    ),
    path(
        "gestion/candidatures/listes/<int:pk>/profession-de-foi/",
        views.profession_de_foi_upload,
        name="profession_de_foi_upload",
    ),
    path(
        "gestion/candidatures/listes/<int:pk>/profession-de-foi.pdf",
        views.profession_de_foi_download,
        name="profession_de_foi",
    ),
    path("gestion/candidatures/listes/<int:pk>/deposer/", views.list_submit, name="list_submit"),
    path("gestion/candidatures/listes/<int:pk>/decision/", views.list_decide, name="list_decide"),
    path("gestion/candidatures/", views.review, name="review"),
    path(
        "gestion/candidatures/scrutins/<int:scrutin_id>/",
        views.review_scrutin,
        name="review_scrutin",
    ),
    path("gestion/candidatures/scrutins/<int:scrutin_id>/tirage/", views.draw, name="draw"),
]

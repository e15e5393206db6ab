"""The mailings' pages (included at "", before Django's admin at /gestion/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.mailings import views

app_name = "mailings"

urlpatterns: list[URLPattern] = [
    path("gestion/envois/", views.index, name="index"),
    path("gestion/envois/nouveau/", views.new, name="new"),
    path("gestion/envois/<int:mailing_id>/", views.detail, name="detail"),
    path("gestion/envois/<int:mailing_id>/modifier/", views.edit, name="edit"),
    path("gestion/envois/<int:mailing_id>/envoyer/", views.send, name="send"),
    path("gestion/envois/<int:mailing_id>/reprendre/", views.resume, name="resume"),
    path("gestion/envois/<int:mailing_id>/progression/", views.progress, name="progress"),
    path("gestion/envois/<int:mailing_id>/envois.csv", views.sends_csv, name="sends_csv"),
]

"""The back office's own pages (included at "", before Django's admin at /gestion/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.backoffice import pages

app_name = "backoffice"

urlpatterns: list[URLPattern] = [
    path("gestion/accueil/", pages.home, name="home"),
]

"""The credential authority's page in the espace électeur (included under /espace/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.authority import views

app_name = "authority"

urlpatterns: list[URLPattern] = [
    path("identifiant/", views.request_identifier, name="request"),
]

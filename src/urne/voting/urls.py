"""The vote's addresses (app "voting"), included at the site's root: each helper's block apart."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.voting import api, views

app_name = "voting"

urlpatterns: list[URLPattern] = []

# --- the ballot box: its API and the elector's receipt ------------------------------------------
urlpatterns += [
    path("api/v1/scrutins/<str:uuid>/bulletins", api.cast, name="api_cast"),
    path("espace/vote/<slug:code>/accuse/", views.receipt, name="receipt"),
]

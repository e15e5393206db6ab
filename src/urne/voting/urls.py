"""The vote's addresses (app "voting"), included at the site's root by urne.urls."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.voting import booth

app_name = "voting"

urlpatterns: list[URLPattern] = [
    # --- the booth (helper "booth") ---
    path("espace/vote/<slug:code>/", booth.booth, name="booth"),
    # --- end of the booth ---
]

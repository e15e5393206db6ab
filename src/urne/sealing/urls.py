"""The seal's addresses (included at "", before the vote's: /tableau/scellement/ would otherwise
be read as a scrutin's board)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.sealing import views

app_name = "sealing"

urlpatterns: list[URLPattern] = [
    path("tableau/scellement/", views.board_seal, name="board"),
    path("tableau/scellement.json", views.board_seal_json, name="board_json"),
    path("gestion/scellement/", views.seals, name="seals"),
    path("gestion/scellement/<int:campaign_id>/", views.campaign_seal, name="campaign"),
]

"""The correction queue's pages in the back office (included at "", before Django's admin)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.support import correction_views

app_name = "corrections"

urlpatterns: list[URLPattern] = [
    path("gestion/corrections/", correction_views.queue, name="queue"),
    path("gestion/corrections/<int:request_id>/", correction_views.detail, name="detail"),
    path("gestion/corrections/<int:request_id>/accepter/", correction_views.accept, name="accept"),
    path("gestion/corrections/<int:request_id>/refuser/", correction_views.refuse, name="refuse"),
]

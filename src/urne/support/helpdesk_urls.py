"""The helpdesk's pages in the back office (included at "", before Django's admin)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.support import helpdesk_views

app_name = "helpdesk"

urlpatterns: list[URLPattern] = [
    path("gestion/assistance/", helpdesk_views.search, name="search"),
    path("gestion/assistance/electeurs/<int:elector_id>/", helpdesk_views.elector, name="elector"),
    path(
        "gestion/assistance/electeurs/<int:elector_id>/confirmation/",
        helpdesk_views.resend_confirmation,
        name="resend_confirmation",
    ),
    path(
        "gestion/assistance/electeurs/<int:elector_id>/deblocage/",
        helpdesk_views.unlock,
        name="unlock",
    ),
]

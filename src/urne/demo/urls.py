"""The demo's mailbox, under /aide/courriels/."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.demo import views

app_name = "demo"

urlpatterns: list[URLPattern] = [
    path("", views.mailbox_index, name="mailbox"),
    path("<str:message_id>/", views.mailbox_message, name="mailbox_message"),
]

"""The audit log's page in the back office (included at "", before Django's admin)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.audit import views

app_name = "audit"

urlpatterns: list[URLPattern] = [
    path("gestion/journal/", views.journal, name="journal"),
    path("gestion/journal/export.csv", views.journal_csv, name="journal_csv"),
]

"""The operations' addresses: /sante/ and /metrics for the machines, the supervision page under
/gestion/ for the staff."""

from __future__ import annotations

from django.urls import path

from urne.operations import views

app_name = "operations"

urlpatterns = [
    path("sante/", views.health, name="health"),
    path("metrics", views.metrics_view, name="metrics"),
    path("gestion/supervision/", views.supervision, name="supervision"),
    path("gestion/supervision/donnees/", views.supervision_data, name="supervision_data"),
]

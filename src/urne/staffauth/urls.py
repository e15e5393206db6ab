"""Staff's second factor, under /compte/double-authentification/."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.staffauth import views

app_name = "staffauth"

urlpatterns: list[URLPattern] = [
    path("code/", views.verify, name="verify"),
    path("activation/", views.enrol, name="enrol"),
    path("codes-de-secours/", views.recovery_codes, name="recovery_codes"),
]

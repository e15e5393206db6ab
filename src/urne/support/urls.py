"""Help pages, under /aide/."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.support import views

app_name = "support"

urlpatterns: list[URLPattern] = [
    path("", views.faq, name="faq"),
    path("assistance/", views.assistance, name="assistance"),
]

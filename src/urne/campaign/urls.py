"""The espace électeur, under /espace/."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.campaign import views

app_name = "campaign"

urlpatterns: list[URLPattern] = [
    path("", views.space, name="space"),
    path("profil/", views.profile, name="profile"),
    path("profil/mise-a-jour/", views.request_correction, name="request_correction"),
    path("scrutins/", views.scrutins, name="scrutins"),
    path("scrutins/<slug:code>/", views.scrutin, name="scrutin"),
    path("scrutins/<slug:code>/liste-electorale/", views.roll, name="roll"),
    path(
        "scrutins/<slug:code>/listes/<int:position>/profession-de-foi.pdf",
        views.profession_de_foi,
        name="profession_de_foi",
    ),
    path("memo/", views.memo, name="memo"),
]

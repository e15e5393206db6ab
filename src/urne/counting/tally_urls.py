"""The count's back-office addresses (/gestion/depouillement/), namespace `tally` (included at
"" by urne.urls, before the admin's addresses)."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.counting import tally_views

app_name = "tally"

urlpatterns: list[URLPattern] = [
    path("gestion/depouillement/", tally_views.index, name="index"),
    path("gestion/depouillement/<int:election_id>/", tally_views.detail, name="detail"),
    path("gestion/depouillement/<int:election_id>/clore/", tally_views.close, name="close"),
    path(
        "gestion/depouillement/<int:election_id>/reprendre/",
        tally_views.resume_tally,
        name="resume",
    ),
    path(
        "gestion/depouillement/<int:election_id>/dechiffrement/",
        tally_views.upload,
        name="upload",
    ),
    path("gestion/depouillement/<int:election_id>/resultat/", tally_views.publish, name="publish"),
    path(
        "gestion/depouillement/<int:election_id>/proclamer/",
        tally_views.proclaim,
        name="proclaim",
    ),
]

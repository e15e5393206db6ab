"""The bureau's pages (staff and members), included at "" before the admin's addresses."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.counting import bureau_views

app_name = "bureau"

urlpatterns: list[URLPattern] = [
    path("gestion/bureaux/", bureau_views.bureau_list, name="list"),
    path("gestion/bureaux/<int:bureau_id>/", bureau_views.bureau_detail, name="detail"),
    path("gestion/mon-bureau/", bureau_views.my_bureaus, name="mine"),
    path("gestion/mon-bureau/<int:bureau_id>/", bureau_views.member_page, name="member"),
    path(
        "gestion/mon-bureau/<int:bureau_id>/dechiffrer/<int:election_id>/",
        bureau_views.member_decrypt,
        name="decrypt",
    ),
    path(
        "gestion/mon-bureau/<int:bureau_id>/<slug:group>/certs.jsons",
        bureau_views.certs_download,
        name="certs",
    ),
    path(
        "gestion/mon-bureau/<int:bureau_id>/fragment/<int:fragment_id>.vinput",
        bureau_views.vinput_download,
        name="vinput",
    ),
]

"""The vote's addresses: the booth, the ballot box, the public board, turnout (included at "")."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.voting import api, board_views, booth, turnout_views, views

app_name = "voting"

urlpatterns: list[URLPattern] = []

# --- The booth (electors) ------------------------------------------------------------------------
urlpatterns += [
    path("espace/vote/<slug:code>/", booth.booth, name="booth"),
]
# --- end of the booth ----------------------------------------------------------------------------

# --- The public board (anyone, no account) -------------------------------------------------------
urlpatterns += [
    path("tableau/", board_views.board_index, name="board_index"),
    path("tableau/<slug:uuid>/", board_views.board_page, name="board"),
    path("tableau/<slug:uuid>/<slug:name>.bel", board_views.archive, name="archive"),
    path("tableau/<slug:uuid>/election.json", board_views.election_json, name="election_json"),
    path("tableau/<slug:uuid>/bulletins/", board_views.trackers, name="trackers"),
    path("tableau/<slug:uuid>/verifier/", board_views.lookup, name="lookup"),
]
# --- end of the public board ---------------------------------------------------------------------

# --- Turnout and émargement (staff, back office) -------------------------------------------------
urlpatterns += [
    path("gestion/participation/", turnout_views.turnout_index, name="turnout"),
    path(
        "gestion/participation/<int:scrutin_id>/",
        turnout_views.turnout_scrutin,
        name="turnout_scrutin",
    ),
    path(
        "gestion/participation/<int:scrutin_id>/emargement/",
        turnout_views.emargement,
        name="emargement",
    ),
    path(
        "gestion/participation/<int:scrutin_id>/emargement.csv",
        turnout_views.emargement_csv,
        name="emargement_csv",
    ),
]
# --- end of turnout ------------------------------------------------------------------------------

# --- the ballot box: its API and the elector's receipt ------------------------------------------
urlpatterns += [
    path("api/v1/scrutins/<str:uuid>/bulletins", api.cast, name="api_cast"),
    path("espace/vote/<slug:code>/accuse/", views.receipt, name="receipt"),
]
# --- end of the ballot box -----------------------------------------------------------------------

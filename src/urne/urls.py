"""The site's URLs: each app owns its own."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from urne.accounts.views import back_office_login

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:login", permanent=False), name="home"),
    path("compte/", include("urne.accounts.urls")),
    path("compte/double-authentification/", include("urne.staffauth.urls")),
    path("espace/", include("urne.campaign.urls")),
    # --- credential authority (issue 7): « Recevoir mon identifiant de vote » ---
    path("espace/", include("urne.authority.urls")),
    # --- end credential authority ---
    path("aide/courriels/", include("urne.demo.urls")),
    path("aide/", include("urne.support.urls")),
    path("captcha/", include("urne.accounts.captcha_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The campaign's seal (/tableau/scellement/, /gestion/scellement/): before the vote's board,
    # whose /tableau/<uuid>/ would take « scellement » for a scrutin's uuid.
    path("", include("urne.sealing.urls")),
    # The vote (booth, ballot box, public board /tableau/, turnout /gestion/participation/):
    # before the admin's own addresses, which would answer /gestion/participation/ otherwise.
    path("", include("urne.voting.urls")),
    # The back office's own pages (/gestion/accueil/ ...), before the admin's addresses too.
    path("", include("urne.backoffice.urls")),
    # Campaign setup (/gestion/campagne/), rolls (/gestion/listes-electorales/), audit log
    # (/gestion/journal/): the back office's own pages too.
    path("", include("urne.campaign.backoffice_urls")),
    # Electors imports (/gestion/imports/).
    path("", include("urne.campaign.import_urls")),
    path("", include("urne.audit.urls")),
    # Candidacies: union delegates file, the organizer decides and draws (/gestion/candidatures/).
    path("", include("urne.candidacies.urls")),
    # The helpdesk (/gestion/assistance/) and the correction queue (/gestion/corrections/).
    path("", include("urne.support.helpdesk_urls")),
    path("", include("urne.support.correction_urls")),
    # The bureau de vote and its key ceremony (/gestion/bureaux/, /gestion/mon-bureau/).
    path("", include("urne.counting.bureau_urls")),
    # The count: closing, tally, partial decryptions, result (/gestion/depouillement/).
    path("", include("urne.counting.tally_urls")),
    # Mailings to electors (/gestion/envois/).
    path("", include("urne.mailings.urls")),
    # Supervision: /sante/ and /metrics for the machines, /gestion/supervision/ for the staff.
    path("", include("urne.operations.urls")),
    # The admin's login and password change pages check passwords outside the login limits:
    # these two addresses, matched before the admin's, send to the voter account's pages
    # (urne.accounts.services is the one place a password is checked, docs/accounts.md).
    path("gestion/login/", back_office_login),
    path(
        "gestion/password_change/",
        RedirectView.as_view(pattern_name="accounts:password_reset", permanent=False),
    ),
    path("gestion/", admin.site.urls),
]

# Uploaded files are never served at a public address, not even in the demo: a profession de foi
# goes out through campaign:profession_de_foi, which checks the roll and the calendar first.

handler400 = "urne.web.views.bad_request"
handler403 = "urne.web.views.permission_denied"
handler404 = "urne.web.views.page_not_found"
handler500 = "urne.web.views.server_error"

"""The voter's account, under /compte/."""

from __future__ import annotations

from django.urls import URLPattern, path

from urne.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("creer/", views.signup, name="signup"),
    path("creer/demande-enregistree/", views.signup_done, name="signup_done"),
    path("confirmer/<uidb64>/<token>/", views.confirm, name="confirm"),
    path("confirmation/renvoyer/", views.resend, name="resend"),
    path("confirmation/demande-enregistree/", views.resend_done, name="resend_done"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/demande-enregistree/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

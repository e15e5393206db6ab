"""The pages of the voter's account: "ACCÉDER", "CRÉER MON COMPTE", the confirmation link,
the resend form and the password reset (Django's views, French templates, our form and tokens).

Views read the form, count the mail limits and call services; nothing here decides a rule.
Passwords are checked by services alone, within the login limits; staff then give their second
factor (urne.staffauth) before they are logged in. A limit reached on a form that
sends an email raises TooManyAttempts, which the site's middleware shows as the 429 page; the
login and confirmation forms show theirs above the form.
"""

from __future__ import annotations

from typing import Any

from captcha.helpers import captcha_image_url
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from urne.accounts import rolls, services, throttle
from urne.accounts.captcha import (
    audio_url,
    count_captcha_request,
    speech_available,
    spoken_letters,
    wants_text_challenge,
)
from urne.accounts.forms import (
    ConfirmAccountForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ResendConfirmationForm,
    SignupForm,
)
from urne.accounts.models import User
from urne.accounts.tokens import password_reset_token_generator
from urne.staffauth import services as staffauth
from urne.staffauth.sites import second_factor_given
from urne.web.errors import Forbidden, NotFound, TooManyAttempts

# Every user logs in with a password checked by services.check_login.
PASSWORD_BACKEND = services.PASSWORD_BACKEND


def _invalid_link(request: HttpRequest, error: services.InvalidLink) -> HttpResponse:
    return render(request, "accounts/confirm_invalid.html", {"message": error.message}, status=400)


def _safe_next(request: HttpRequest) -> str:
    """The page of this site the visitor asked for before logging in, or "" (none, or elsewhere)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _after_login(request: HttpRequest, user: User) -> str:
    target = _safe_next(request)
    if target:
        return target
    if user.is_staff and user.elector_id is None:
        return resolve_url("backoffice:home")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _sign_in(request: HttpRequest, user: User) -> HttpResponse:
    """The password proved right: an elector is logged in; staff are not yet, but sent to their
    second factor (urne.staffauth), which logs them in."""
    if staffauth.needs_second_factor(user):
        staffauth.do_begin_sign_in(request, user, _after_login(request, user))
        return redirect("staffauth:verify" if staffauth.is_enrolled(user) else "staffauth:enrol")
    auth.login(request, user, backend=PASSWORD_BACKEND)  # a new session key
    return redirect(_after_login(request, user))


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """ "ACCÉDER"."""
    if request.user.is_authenticated:
        if staffauth.needs_second_factor(request.user) and not second_factor_given(request):
            # Staff logged in without their second factor (a session of an older version):
            # not let anywhere, asked to sign in again, whatever page they come from.
            auth.logout(request)
        else:
            return redirect(_after_login(request, request.user))
    form = LoginForm(request.POST if request.method == "POST" else None)
    problem: services.AccountError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.check_login(
                request, form.cleaned_data["email"], form.cleaned_data["password"]
            )
        except TooManyAttempts as limit:
            return render(
                request,
                "accounts/login.html",
                {"form": LoginForm(), "throttled": limit.message},
                status=limit.status,
            )
        except services.AccountError as error:
            problem = error  # a wrong password, or the right one for an account not usable
        else:
            return _sign_in(request, user)
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "problem": problem,
            "not_confirmed": isinstance(problem, services.AccountNotConfirmed),
            "next": request.POST.get("next") or request.GET.get("next") or "",
            # Sent here from a page that needs an account: say why, once (not over errors).
            "sent_from_page": request.method == "GET" and bool(_safe_next(request)),
        },
    )


@require_http_methods(["GET", "POST"])
def back_office_login(request: HttpRequest) -> HttpResponse:
    """Django admin's own login page (/gestion/login/) would check passwords outside the
    limits: it sends to ACCÉDER instead, the one login for everybody, which brings staff back
    to the back office page they asked for. A POST is not read: no password is checked here.

    The admin sends here whoever it refuses. It is the technical administrators' (superusers):
    other staff are sent to the back office's home, where their pages are, rather than to a
    login that would bring them back to the admin, and back here, for ever."""
    user = request.user
    if user.is_authenticated and not user.is_staff:
        # The admin sends here someone logged in who is not staff: ACCÉDER would send them back.
        raise Forbidden
    target = request.GET.get("next") or resolve_url("admin:index")
    if user.is_authenticated and not user.is_superuser:
        if second_factor_given(request):
            return redirect("backoffice:home")
        target = resolve_url("backoffice:home")
    return redirect(f"{resolve_url('accounts:login')}?{urlencode({'next': target})}")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    messages.success(request, _("Vous êtes déconnecté(e) de votre espace électeur."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password1", "password2")
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    """ "CRÉER MON COMPTE"."""
    calendar = rolls.signup_calendar()
    if not calendar.is_open:
        status = 403 if request.method == "POST" else 200
        return render(
            request, "accounts/signup_closed.html", {"notice": calendar.notice()}, status=status
        )
    text_captcha = wants_text_challenge(request)
    if request.method == "GET":
        count_captcha_request(request)  # the form stores a new challenge
    form = SignupForm(request.POST if request.method == "POST" else None, text_captcha=text_captcha)
    if request.method == "POST":
        throttle.count_mail_form(request)  # beyond the limit, the 429 page (support.middleware)
        if form.is_valid():
            address = form.cleaned_data["email"]
            throttle.count_mail_to(request, address)
            try:
                services.do_request_account(address, form.cleaned_data["password1"])
            except services.SignupClosed as closed:
                return render(
                    request, "accounts/signup_closed.html", {"notice": closed.message}, status=403
                )
            return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form, "text_captcha": text_captcha})


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_done.html")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@never_cache
def confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link of "confirmez votre compte électeur": the password chosen, then the account."""
    try:
        user = services.check_confirmation_link(uidb64, token)
    except services.InvalidLink as error:
        return _invalid_link(request, error)
    form = ConfirmAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.check_confirmation(request, uidb64, token, form.cleaned_data["password"])
            services.do_confirm_account(user)
        except TooManyAttempts as limit:
            return render(
                request,
                "accounts/confirm.html",
                {"form": ConfirmAccountForm(), "throttled": limit.message},
                status=limit.status,
            )
        except services.InvalidLogin as error:
            form.add_error("password", str(error.message))
        except services.InvalidLink as error:
            return _invalid_link(request, error)
        else:
            if staffauth.needs_second_factor(user):
                return _sign_in(request, user)
            auth.login(request, user, backend=PASSWORD_BACKEND)
            messages.success(
                request,
                _("Votre compte électeur est confirmé. Bienvenue dans votre espace électeur."),
            )
            return redirect(_after_login(request, user))
    return render(request, "accounts/confirm.html", {"form": form})


@require_http_methods(["GET", "POST"])
@never_cache
def resend(request: HttpRequest) -> HttpResponse:
    """Ask for the confirmation email again."""
    text_captcha = wants_text_challenge(request)
    if request.method == "GET":
        count_captcha_request(request)
    form = ResendConfirmationForm(
        request.POST if request.method == "POST" else None, text_captcha=text_captcha
    )
    if request.method == "POST":
        throttle.count_mail_form(request)
        if form.is_valid():
            address = form.cleaned_data["email"]
            throttle.count_mail_to(request, address)
            services.do_request_confirmation_mail(address)
            return redirect("accounts:resend_done")
    return render(request, "accounts/resend.html", {"form": form, "text_captcha": text_captcha})


@require_GET
def resend_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/resend_done.html")


class PasswordResetView(auth_views.PasswordResetView):
    """ "Mot de passe oublié ?": same answer for every address; the mail leaves from a task."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        count_captcha_request(request)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        throttle.count_mail_form(request)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["text_captcha"] = wants_text_challenge(self.request)
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["text_captcha"] = wants_text_challenge(self.request)
        return context

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        throttle.count_mail_to(self.request, form.cleaned_data["email"])
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    token_generator = password_reset_token_generator
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@require_GET
@never_cache
def captcha_refresh(request: HttpRequest) -> HttpResponse:
    """ "Afficher un autre code" without reloading the form (static/urne/accounts/captcha.js):
    a new challenge, counted against the client's limit like a display of the form."""
    if request.headers.get("x-requested-with") != "XMLHttpRequest":
        raise NotFound  # only the script asks; without it the link reloads the form
    count_captcha_request(request)
    key = CaptchaStore.pick()
    return JsonResponse(
        {"key": key, "image_url": captcha_image_url(key), "audio_url": audio_url(key)}
    )


@require_GET
@never_cache
def captcha_audio(request: HttpRequest, key: str) -> HttpResponse:
    """ "Écouter le code": the image's letters spelled in the page's language (espeak-ng)."""
    if not speech_available():
        raise NotFound
    count_captcha_request(request)  # each one runs the synthesizer
    store = CaptchaStore.objects.filter(hashkey=key, expiration__gt=timezone.now()).first()
    if store is None or not store.challenge.isalpha():
        # Gone (used or expired), or a written question, which has nothing to spell.
        return HttpResponse(status=410)
    response = HttpResponse(
        spoken_letters(store.challenge, translation.get_language()), content_type="audio/wav"
    )
    response["Content-Disposition"] = 'attachment; filename="code-de-securite.wav"'
    return response

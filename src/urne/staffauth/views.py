"""The pages between ACCÉDER and the back office, for staff: enrol the application
("Activer la double authentification"), then "Code de vérification" at each sign-in, and the
recovery codes shown once. Views read the form and call services; nothing here decides a rule."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice

from urne.staffauth import services
from urne.staffauth.forms import CodeForm
from urne.staffauth.sites import second_factor_given
from urne.web.errors import TooManyAttempts


def _start_again(request: HttpRequest, error: services.NoPendingSignIn) -> HttpResponse:
    messages.error(request, str(error.message))
    return redirect("accounts:login")


def _destination(next_url: str) -> str:
    return next_url or resolve_url("backoffice:home")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan the QR code (or type the key), then type a code to confirm."""
    try:
        user = services.access_pending_user(request)
        device = services.access_enrolment_device(user)
    except services.NoPendingSignIn as error:
        return _start_again(request, error)
    except services.AlreadyEnrolled:
        return redirect("staffauth:verify")
    form = CodeForm(request.POST if request.method == "POST" else None, enrolment=True)
    throttled = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.check_enrolment_code(request, user, form.cleaned_data["code"])
        except TooManyAttempts as limit:
            throttled, status = str(limit.message), limit.status
            form = CodeForm(enrolment=True)
        except services.InvalidEnrolmentCode as error:
            form.add_error("code", str(error.message))
        else:
            services.do_enrol(request, user, confirmed)
            return redirect("staffauth:recovery_codes")
    context = {
        "form": form,
        "throttled": throttled,
        "account": user.email,
        "qr_code": services.qr_code_svg(
            device, _("QR code à scanner avec votre application d'authentification")
        ),
        "secret": services.secret_text(device),
    }
    return render(request, "staffauth/enrol.html", context, status=status)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """ "Code de vérification": the application's code, or a recovery code."""
    try:
        user = services.access_pending_user(request)
    except services.NoPendingSignIn as error:
        return _start_again(request, error)
    if not services.is_enrolled(user):
        return redirect("staffauth:enrol")
    form = CodeForm(request.POST if request.method == "POST" else None)
    throttled = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = services.check_code(request, user, form.cleaned_data["code"])
        except TooManyAttempts as limit:
            throttled, status = str(limit.message), limit.status
            form = CodeForm()
        except services.InvalidCode as error:
            form.add_error("code", str(error.message))
        else:
            next_url = services.do_complete_sign_in(request, user, device)
            if isinstance(device, StaticDevice):
                left = services.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    ngettext(
                        "Vous avez utilisé un code de secours : il vous en reste %(count)d. "
                        "Chaque code ne sert qu'une fois.",
                        "Vous avez utilisé un code de secours : il vous en reste %(count)d. "
                        "Chaque code ne sert qu'une fois.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(_destination(next_url))
    context = {"form": form, "throttled": throttled, "account": user.email}
    return render(request, "staffauth/verify.html", context, status=status)


@require_GET
@never_cache
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The ten recovery codes, right after enrolment: shown this once, never again."""
    made = services.take_new_recovery_codes(request)
    if made is None or not second_factor_given(request):
        return redirect("backoffice:home")
    codes, next_url = made
    return render(
        request,
        "staffauth/recovery_codes.html",
        {"codes": codes, "next": _destination(next_url)},
    )

"""The espace's « Recevoir mon identifiant de vote » (/espace/identifiant/). The identifier is
never in a page: the page says where it was sent, masked."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from urne.authority import services
from urne.authority.forms import IdentifierRequestForm
from urne.authority.models import IdentifierDelivery
from urne.campaign.models import Elector
from urne.campaign.views import elector_view
from urne.web.errors import TooManyAttempts


@require_http_methods(["GET", "POST"])
@elector_view
def request_identifier(request: HttpRequest, elector: Elector) -> HttpResponse:
    campaign = elector.campaign
    context: dict[str, object] = {"campaign": campaign, "elector": elector}
    try:
        services.check_identifier_ready(elector)
    except services.IdentifiersNotYetAvailable as refused:
        context["unavailable"] = refused.message
        return render(
            request,
            "authority/request.html",
            context,
            status=403 if request.method == "POST" else 200,
        )
    except services.IdentifierRequestRefused as refused:
        context["unavailable"] = refused.message
        return render(request, "authority/request.html", context)
    form = IdentifierRequestForm(
        request.POST if request.method == "POST" else None,
        challenge=campaign.identifier_challenge,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                delivery = services.do_request_identifier(
                    request,
                    elector,
                    str(getattr(request.user, "email", "")),  # logged in: elector_view
                    form.cleaned_data["channel"],
                    form.destination(),
                    form.cleaned_data.get("birth_date"),
                )
            except TooManyAttempts as refused:
                form.add_error(None, str(refused.message))
                status = 429
            except services.IdentifierRequestRefused as refused:
                form.add_error(None, str(refused.message))
            else:
                delivery.refresh_from_db()
                if delivery.status == IdentifierDelivery.Status.FAILED:
                    messages.error(
                        request,
                        _(
                            "L'envoi à %(destination)s a échoué. Réessayez plus tard ou "
                            "contactez l'assistance de votre académie."
                        )
                        % {"destination": delivery.masked_destination},
                    )
                elif delivery.status == IdentifierDelivery.Status.SENT:
                    messages.success(
                        request,
                        _("Votre identifiant de vote a été envoyé à %(destination)s.")
                        % {"destination": delivery.masked_destination},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Votre demande est enregistrée : votre identifiant de vote va être "
                            "envoyé à %(destination)s dans quelques minutes."
                        )
                        % {"destination": delivery.masked_destination},
                    )
                return redirect("authority:request")
    context["form"] = form
    context["deliveries"] = IdentifierDelivery.objects.filter(elector=elector)[:5]
    return render(request, "authority/request.html", context, status=status)

"""The demo's mailbox pages (/aide/courriels/): what the site sent, for a person trying urne
without a mail server. Never outside the demo."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from urne.demo import mailbox
from urne.web.errors import NotFound


def _demo_mailbox() -> Path:
    # The mailbox shows every message sent by the site: never outside the demo.
    if not settings.DEMO or settings.PRODUCTION:
        raise Http404
    return Path(settings.EMAIL_FILE_PATH)


@require_GET
def mailbox_index(request: HttpRequest) -> HttpResponse:
    directory = _demo_mailbox()
    recipient = request.GET.get("destinataire", "")[:254].strip()
    return render(
        request,
        "demo/mailbox.html",
        {"messages_found": mailbox.read_mailbox(directory, recipient), "recipient": recipient},
    )


@require_GET
def mailbox_message(request: HttpRequest, message_id: str) -> HttpResponse:
    directory = _demo_mailbox()
    try:
        message = mailbox.read_message(directory, message_id)
    except mailbox.MessageNotFound:
        raise NotFound(
            _("Ce message n'existe pas (ou plus) dans la boîte de démonstration.")
        ) from None
    return render(request, "demo/mailbox_message.html", {"message": message})

"""The elector's receipt for an accepted ballot: the page and the email.

Both say the scrutin, the date and time of the vote (Paris, to the second) and the smart ballot
tracker, with the way to find it on the public board ("Vérifier mon bulletin"). Neither ever
says the choice: the server does not know it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from urne.accounts.mail import absolute, faq_url
from urne.voting.models import Emargement, ScrutinElection
from urne.web import dates

RECEIPT_UNREAD = tuple(f"election__{name}" for name in (*ScrutinElection.SETUP_ONLY, "election"))
"""What a receipt never reads of an émargement's election (`defer` them): the setup's bytes,
the election's text."""


def lookup_path(uuid: str, tracker: str) -> str:
    """The public board's "Vérifier mon bulletin" for this tracker (voting:lookup)."""
    base = reverse("voting:lookup", args=[uuid])
    return f"{base}?{urlencode({'tracker': tracker})}"


def voted_at_text(emargement: Emargement) -> str:
    """ "27 novembre 2014 à 10:00:05 (heure de Paris)": the moment the ballot was accepted."""
    local = dates.paris(emargement.voted_at)
    return _("%(date)s à %(time)s (heure de Paris)") % {
        "date": dates.day_month_year(local),
        "time": f"{local:%H:%M:%S}",
    }


def receipt_context(emargement: Emargement, tracker: str) -> dict[str, object]:
    """What the page and the email say: the émargement's scrutin and time, and the `tracker`
    of the elector's ballot (found by `urne.voting.ballot_box.ballot_of`: the émargement has
    no link to it)."""
    election = emargement.election
    return {
        "scrutin": election.scrutin,
        "uuid": election.uuid,
        "tracker": tracker,
        "voted_at": emargement.voted_at,
        "voted_at_text": voted_at_text(emargement),
        "lookup_path": lookup_path(election.uuid, tracker),
    }


def receipt_recipient(emargement: Emargement) -> str:
    """The account's address (the one the elector logs in with), else the roll's."""
    elector = emargement.elector
    account = getattr(elector, "account", None)
    return account.email if account is not None else elector.email


def receipt_message(emargement: Emargement, tracker: str) -> EmailMessage:
    """ "Accusé de réception de votre vote", in French like the account's other emails."""
    elector = emargement.elector
    campaign = elector.campaign
    with translation.override("fr"):
        context = {
            **receipt_context(emargement, tracker),
            "elector": elector,
            "campaign": campaign,
            "academy": elector.academy,
            "faq_url": faq_url(campaign),
            "lookup_url": absolute(lookup_path(emargement.election.uuid, tracker)),
            "receipt_url": absolute(
                reverse("voting:receipt", args=[emargement.election.scrutin.code])
            ),
        }
        subject = render_to_string("voting/email/receipt_subject.txt", context)
        body = render_to_string("voting/email/receipt_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[receipt_recipient(emargement)],
        reply_to=[elector.academy.assistance_email],
    )

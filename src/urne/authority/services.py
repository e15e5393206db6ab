"""« Recevoir mon identifiant de vote »: the elector's request, and its delivery by the authority.

The web process (`do_request_identifier`) checks the request and records it; the authority's
worker (`do_deliver_identifier`, run by `tasks.deliver_identifier` on the "authority" queue)
opens the sealed identifier with the private key and sends it. The web process never holds the
private key, so it never sees the identifier.

Rules of the request, in order (each refusal a clear French message, nothing recorded):

1. from the campaign's distribution date on (`Campaign.identifiers_available`), for an elector
   whose identifier has been made (`SealedIdentifier`);
2. by a channel other than the account's (the law): a personal email address that is neither
   the account's nor the elector's professional address nor in the academy's mail domain, or a
   French mobile number;
3. at most URNE_RATE_IDENTIFIER_SENDINGS sendings per elector (3 a day);
4. when the campaign asks for it (`Campaign.identifier_challenge`), the date of birth that the
   roll holds; each wrong answer is counted, and URNE_RATE_IDENTIFIER_WRONG_ANSWERS of them
   (5 an hour), or URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_DAY (10 a day), lock the request for
   the elector; URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_NETWORK (30 an hour) lock it for every
   account from the client's network. Five an hour alone would let a guesser who holds the
   account try 120 dates a day: a year of birth in three days.

The request is recorded (`IdentifierDelivery`: channel, masked destination, the full destination
sealed for the authority) and the delivery is queued once the transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import EmailValidator
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from urne import clock
from urne.accounts import throttle
from urne.accounts.mail import absolute, faq_url
from urne.authority.generation import open_identifier
from urne.authority.keys import (
    AuthorityKeyMissing,
    SealBroken,
    configured_private_key,
    configured_public_key,
    open_sealed,
    seal,
)
from urne.authority.models import IdentifierDelivery, SealedIdentifier
from urne.authority.sms import normalize_mobile, send_sms
from urne.campaign.models import Elector, normalize_email
from urne.web import dates
from urne.web.errors import TooManyAttempts, VisitorError

logger = logging.getLogger(__name__)

DESTINATION = "destination"
"""The HPKE purpose of a sealed destination (keys.seal)."""

# Both rules count per elector (the "address" kind of key, given the elector's number): an
# elector may ask from any network, and a guesser is stopped whatever network they use.
SENDINGS = throttle.Rule(
    "urne.authority.sendings", "URNE_RATE_IDENTIFIER_SENDINGS", "3/1d", "address"
)
WRONG_ANSWERS = throttle.Rule(
    "urne.authority.wrong_answers", "URNE_RATE_IDENTIFIER_WRONG_ANSWERS", "5/1h", "address"
)
WRONG_ANSWERS_PER_DAY = throttle.Rule(
    "urne.authority.wrong_answers.day",
    "URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_DAY",
    "10/1d",
    "address",
)
# Per network too: someone holding many accounts (a leaked file of passwords) tries them all
# from one place.
WRONG_ANSWERS_PER_NETWORK = throttle.Rule(
    "urne.authority.wrong_answers.ip",
    "URNE_RATE_IDENTIFIER_WRONG_ANSWERS_PER_NETWORK",
    "30/1h",
    "ip",
)
CHALLENGE_RULES = (WRONG_ANSWERS, WRONG_ANSWERS_PER_DAY, WRONG_ANSWERS_PER_NETWORK)

_validate_email = EmailValidator()


class IdentifierRequestRefused(VisitorError):
    """A request that cannot be accepted; the message says why."""


class IdentifiersNotYetAvailable(VisitorError):
    """Before the campaign's distribution date."""

    status = 403


def _key(elector: Elector) -> str:
    return f"electeur-{elector.pk}"


def mask_email(address: str) -> str:
    """jean.dupont@gmail.com → j***@g***.com: enough for its owner to recognize it."""
    local, _at, domain = address.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    return f"{local[:1]}***@{name[:1]}***{dot}{tld}"


def mask_mobile(number: str) -> str:
    """+33612345678 → +33 6** ** ** 78."""
    national = number.removeprefix("+33")
    return f"+33 {national[:1]}** ** ** {national[-2:]}"


@dataclass(frozen=True)
class Destination:
    channel: str
    address: str
    """The email address (normalized) or the mobile number (+33…)."""

    @property
    def masked(self) -> str:
        if self.channel == IdentifierDelivery.Channel.SMS:
            return mask_mobile(self.address)
        return mask_email(self.address)


def check_identifier_ready(elector: Elector) -> SealedIdentifier:
    """The elector's sealed identifier, from the distribution date on."""
    campaign = elector.campaign
    if not campaign.identifiers_available():
        raise IdentifiersNotYetAvailable(
            _("Votre identifiant de vote sera disponible à partir du %(date)s.")
            % {"date": dates.day_month_year(campaign.identifiers_available_at)}
        )
    try:
        return SealedIdentifier.objects.get(elector=elector)
    except SealedIdentifier.DoesNotExist:
        raise IdentifierRequestRefused(
            _(
                "Votre identifiant de vote n'est pas encore prêt. Réessayez plus tard ou "
                "contactez l'assistance de votre académie."
            )
        ) from None


def check_destination(
    elector: Elector, account_email: str, channel: str, given: str
) -> Destination:
    """The personal address or mobile number the elector typed, checked (see the module)."""
    if channel == IdentifierDelivery.Channel.SMS:
        number = normalize_mobile(given)
        if number is None:
            raise IdentifierRequestRefused(
                _(
                    "Numéro de mobile invalide : saisissez un numéro de mobile français, "
                    "par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
                )
            )
        return Destination(channel, number)
    if channel != IdentifierDelivery.Channel.EMAIL:
        raise IdentifierRequestRefused(_("Choisissez un courriel personnel ou un SMS."))
    address = normalize_email(given)
    try:
        _validate_email(address)
    except ValidationError:
        raise IdentifierRequestRefused(
            _("Adresse de messagerie invalide : saisissez par exemple prenom.nom@exemple.fr.")
        ) from None
    domain = address.rpartition("@")[2]
    academy_domain = elector.academy.mail_domain.lower()
    # The academy's domain and its sub-domains (« @mail.ac-dijon.fr » is the academy's too).
    in_academy = domain == academy_domain or domain.endswith(f".{academy_domain}")
    if address in {normalize_email(account_email), normalize_email(elector.email)} or in_academy:
        raise IdentifierRequestRefused(
            _(
                "Cette adresse est votre adresse professionnelle. Votre identifiant de vote doit "
                "vous parvenir par un autre canal que votre compte électeur : saisissez une "
                "adresse personnelle, ou choisissez le SMS."
            )
        )
    return Destination(channel, address)


def check_challenge(request: HttpRequest, elector: Elector, answer: date | None) -> None:
    """The date of birth the roll holds, when the campaign asks for it. Each answer is counted
    before it is compared and given back if right, so a burst of guesses gets the limit through
    at most; once the limit is reached, no answer is even compared."""
    if not elector.campaign.identifier_challenge:
        return
    claims = throttle.take_all(CHALLENGE_RULES, request, _key(elector), _too_many_wrong_answers)
    if elector.birth_date is None:
        _release(claims)
        raise IdentifierRequestRefused(
            _(
                "Votre date de naissance ne figure pas sur la liste électorale : contactez "
                "l'assistance de votre académie pour recevoir votre identifiant de vote."
            )
        )
    if answer != elector.birth_date:
        logger.warning("identifier request: wrong challenge answer for elector %s", elector.pk)
        raise IdentifierRequestRefused(
            _(
                "La date de naissance ne correspond pas à celle de la liste électorale. "
                "Vérifiez-la (JJ/MM/AAAA) et réessayez."
            )
        )
    _release(claims)


def _release(claims: list[throttle.Claim]) -> None:
    for claim in claims:
        claim.release()


def _too_many_wrong_answers() -> TooManyAttempts:
    return TooManyAttempts(
        _(
            "Trop de réponses erronées pour votre compte ou depuis votre réseau : la demande "
            "est bloquée pour plusieurs heures. Si vous ne connaissez pas la date enregistrée, "
            "contactez l'assistance de votre académie."
        )
    )


def do_request_identifier(
    request: HttpRequest,
    elector: Elector,
    account_email: str,
    channel: str,
    given: str,
    birth_date: date | None,
) -> IdentifierDelivery:
    """Check the request (see the module), record it and queue its delivery on commit."""
    check_identifier_ready(elector)
    destination = check_destination(elector, account_email, channel, given)
    if SENDINGS.reached(request, _key(elector)):
        raise _too_many_sendings()
    check_challenge(request, elector, birth_date)
    try:
        public_key = configured_public_key()
    except AuthorityKeyMissing as error:
        logger.error("identifier request refused: %s", error)
        raise IdentifierRequestRefused(
            _(
                "L'envoi des identifiants de vote est momentanément indisponible. Réessayez plus "
                "tard ou contactez l'assistance de votre académie."
            )
        ) from None
    if SENDINGS.take(request, _key(elector)) is None:
        raise _too_many_sendings()
    from urne.authority.tasks import deliver_identifier  # the task module imports this one

    with transaction.atomic():
        delivery = IdentifierDelivery.objects.create(
            elector=elector,
            channel=destination.channel,
            masked_destination=destination.masked,
            sealed_destination=seal(
                public_key, destination.address, DESTINATION, elector.campaign_id, elector.pk
            ),
            requested_at=clock.now(),
        )
        transaction.on_commit(lambda: deliver_identifier.delay(delivery.pk))
    logger.info("identifier request %s recorded for elector %s", delivery.pk, elector.pk)
    return delivery


def _too_many_sendings() -> TooManyAttempts:
    return TooManyAttempts(
        _(
            "Votre identifiant de vote vous a déjà été envoyé plusieurs fois aujourd'hui. "
            "Patientez avant de le redemander, ou contactez l'assistance de votre académie."
        )
    )


def identifier_email(elector: Elector, to: str, identifier: str) -> EmailMessage:
    """The email that carries the identifier, in French."""
    campaign = elector.campaign
    context = {
        "elector": elector,
        "campaign": campaign,
        "academy": elector.academy,
        "identifier": identifier,
        "site_url": absolute("/"),
        "faq_url": faq_url(campaign),
        "vote_from": dates.day_month_year_hour(campaign.vote_opens_at),
        "vote_to": dates.day_month_year_hour(campaign.vote_closes_at),
    }
    with translation.override("fr"):
        subject = render_to_string("authority/email/identifier_subject.txt", context)
        body = render_to_string("authority/email/identifier_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[to],
        reply_to=[elector.academy.assistance_email],
    )


def identifier_sms(elector: Elector, identifier: str) -> str:
    campaign = elector.campaign
    with translation.override("fr"):
        return _(
            "Élections professionnelles %(year)s : votre identifiant de vote est %(identifier)s. "
            "Vote du %(vote_from)s au %(vote_to)s sur %(site)s. Ne le communiquez à personne."
        ) % {
            "year": campaign.year,
            "identifier": identifier,
            "vote_from": dates.day_month(campaign.vote_opens_at),
            "vote_to": dates.day_month_year(campaign.vote_closes_at),
            "site": absolute("/"),
        }


def do_deliver_identifier(delivery_id: int) -> str:
    """Send one recorded request (the authority's worker): its new status.

    Claimed with a conditional update, so that a task delivered twice sends once. Fails closed
    without the private key, or with a seal that does not open: the request is marked failed and
    the log says why, never with the identifier or the destination.
    """
    Status = IdentifierDelivery.Status
    claimed = IdentifierDelivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(
        status=Status.SENDING
    )
    if not claimed:
        logger.info("identifier delivery %s: not pending, nothing sent", delivery_id)
        return ""
    delivery = IdentifierDelivery.objects.select_related(
        "elector__campaign", "elector__academy"
    ).get(pk=delivery_id)
    elector = delivery.elector
    try:
        private_key = configured_private_key()
        identifier = open_identifier(private_key, elector.sealed_identifier, elector.campaign_id)
        address = open_sealed(
            private_key, delivery.sealed_destination, DESTINATION, elector.campaign_id, elector.pk
        )
    except (AuthorityKeyMissing, SealBroken, SealedIdentifier.DoesNotExist) as error:
        logger.error(
            "identifier delivery %s not sent: this process cannot open the authority's seals (%s)",
            delivery_id,
            error,
        )
        return _finish(delivery, Status.FAILED)
    try:
        if delivery.channel == IdentifierDelivery.Channel.SMS:
            send_sms(address, identifier_sms(elector, identifier))
        else:
            identifier_email(elector, address, identifier).send()
    except Exception as error:
        logger.error(
            "identifier delivery %s not sent: the %s sender failed (%s)",
            delivery_id,
            delivery.channel,
            type(error).__name__,
        )
        return _finish(delivery, Status.FAILED)
    logger.info("identifier delivery %s sent by %s", delivery_id, delivery.channel)
    return _finish(delivery, Status.SENT)


def _finish(delivery: IdentifierDelivery, status: str) -> str:
    delivery.status = status
    delivery.sent_at = clock.now() if status == IdentifierDelivery.Status.SENT else None
    delivery.save(update_fields=["status", "sent_at"])
    return status

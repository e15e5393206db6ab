"""The text of a mailing: a subject and a body that staff write with placeholders such as
`{salutation}` or `{portail}`, and the message one elector gets from them.

Placeholders are a fixed list (`PLACEHOLDERS`), replaced by plain text: staff text is never run
as a Django template (which would reach any attribute of the objects given to it). A pair of
braces naming anything else is refused with the list of those that exist.

The text each kind starts from is rendered from templates with a placeholder in place of every
value: the invitation's is the very template of the invitation mail
(accounts/email/invitation_*.txt), so its prose lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Final

from django.core.mail import EmailMessage
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urne.accounts.mail import absolute, faq_url
from urne.campaign.models import Campaign, Elector, Scrutin
from urne.mailings.models import Kind, Mailing
from urne.voting.models import Emargement
from urne.web import dates
from urne.web.errors import VisitorError

PLACEHOLDER: Final = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str | Promise
    value: Callable[[Mailing, Elector], str]


def _scrutins(mailing: Mailing, elector: Elector) -> str:
    """The elector's scrutins the mailing is about: for a vote reminder, those they have not
    voted in yet; the mailing's scrutin alone when it names one."""
    scrutins = Scrutin.objects.filter(roll__elector=elector)
    if mailing.scrutin_id is not None:
        scrutins = scrutins.filter(pk=mailing.scrutin_id)
    if mailing.kind == Kind.VOTE_REMINDER:
        voted = Emargement.objects.filter(elector=elector, election__scrutin_id=OuterRef("pk"))
        scrutins = scrutins.exclude(Exists(voted))
    return ", ".join(scrutins.order_by("name").values_list("name", flat=True))


PLACEHOLDERS: Final[dict[str, Placeholder]] = {
    p.name: p
    for p in [
        Placeholder(
            "salutation",
            gettext_lazy("civilité, prénom et nom (« Mme Alice BERNARD »)"),
            lambda m, e: e.salutation,
        ),
        Placeholder("prenom", gettext_lazy("prénom"), lambda m, e: e.first_name),
        Placeholder("nom", gettext_lazy("nom de famille"), lambda m, e: e.family_name),
        Placeholder(
            "adresse", gettext_lazy("adresse de messagerie professionnelle"), lambda m, e: e.email
        ),
        Placeholder("academie", gettext_lazy("académie"), lambda m, e: e.academy.name),
        Placeholder(
            "etablissement",
            gettext_lazy("établissement d'affectation"),
            lambda m, e: e.establishment,
        ),
        Placeholder("campagne", gettext_lazy("nom de la campagne"), lambda m, e: m.campaign.name),
        Placeholder(
            "scrutins",
            gettext_lazy(
                "scrutins de l'électeur visés par l'envoi (pour une relance de vote : ceux où il "
                "n'a pas encore voté)"
            ),
            _scrutins,
        ),
        Placeholder(
            "portail",
            gettext_lazy("adresse du portail (connexion à l'espace électeur)"),
            lambda m, e: absolute(reverse("accounts:login")),
        ),
        Placeholder(
            "creation_compte",
            gettext_lazy("adresse de la page de création du compte"),
            lambda m, e: absolute(reverse("accounts:signup")),
        ),
        Placeholder(
            "faq",
            gettext_lazy("adresse de la foire aux questions"),
            lambda m, e: faq_url(m.campaign),
        ),
        Placeholder(
            "comptes",
            gettext_lazy("date d'ouverture de la création des comptes"),
            lambda m, e: dates.day_month_year(m.campaign.accounts_open_at),
        ),
        Placeholder(
            "identifiants",
            gettext_lazy("jour à partir duquel les identifiants de vote sont disponibles"),
            lambda m, e: dates.day_month(m.campaign.identifiers_available_at),
        ),
        Placeholder(
            "debut_vote",
            gettext_lazy("premier jour du vote (« 27 novembre »)"),
            lambda m, e: dates.day_month(m.campaign.vote_opens_at),
        ),
        Placeholder(
            "fin_vote",
            gettext_lazy("dernier jour du vote (« 4 décembre 2014 »)"),
            lambda m, e: dates.day_month_year(m.campaign.vote_closes_at),
        ),
        Placeholder(
            "ouverture_vote",
            gettext_lazy("date et heure d'ouverture du vote"),
            lambda m, e: dates.day_month_year_hour(m.campaign.vote_opens_at),
        ),
        Placeholder(
            "cloture_vote",
            gettext_lazy("date et heure de clôture du vote"),
            lambda m, e: dates.day_month_year_hour(m.campaign.vote_closes_at),
        ),
        Placeholder(
            "assistance_courriel",
            gettext_lazy("adresse de l'assistance de l'académie"),
            lambda m, e: e.academy.assistance_email,
        ),
        Placeholder(
            "assistance_telephone",
            gettext_lazy("téléphone de l'assistance de l'académie"),
            lambda m, e: e.academy.assistance_phone,
        ),
    ]
}


class InvalidText(VisitorError):
    """A subject or body that cannot be sent as written."""


def unknown_placeholders(text: str) -> list[str]:
    """The brace pairs of `text` that name no placeholder, as written ("{Nom}")."""
    return [
        match.group(0)
        for match in PLACEHOLDER.finditer(text)
        if match.group(1).strip() not in PLACEHOLDERS
    ]


def check_text(text: str) -> None:
    """Raise InvalidText naming the unknown placeholders of `text`, if any."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise InvalidText(
            _(
                "Champ inconnu : %(unknown)s. Les champs possibles sont : %(known)s (entre "
                "accolades)."
            )
            % {
                "unknown": ", ".join(dict.fromkeys(unknown)),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            }
        )


def fill(text: str, mailing: Mailing, elector: Elector) -> str:
    """`text` with each placeholder replaced by its value for `elector` (checked first)."""
    check_text(text)
    with translation.override("fr"):
        return PLACEHOLDER.sub(
            lambda match: PLACEHOLDERS[match.group(1).strip()].value(mailing, elector), text
        )


def message(mailing: Mailing, elector: Elector) -> EmailMessage:
    """The message `elector` gets from `mailing`: to their professional address, answers to their
    academy's assistance (text only, as every mail of urne)."""
    return EmailMessage(
        subject=" ".join(fill(mailing.subject, mailing, elector).split()),
        body=fill(mailing.body, mailing, elector).strip() + "\n",
        to=[elector.email],
        reply_to=[elector.academy.assistance_email],
    )


# --- The text each kind starts from ------------------------------------------------------------

_TEMPLATES: Final = {
    Kind.INVITATION: "accounts/email/invitation",
    Kind.ACCOUNT_REMINDER: "mailings/email/account_reminder",
    Kind.VOTE_REMINDER: "mailings/email/vote_reminder",
}


def _placeholders_context(campaign: Campaign) -> dict[str, object]:
    """What the mail templates read, each value standing as its placeholder."""
    return {
        "elector": SimpleNamespace(salutation="{salutation}", email="{adresse}"),
        "campaign": SimpleNamespace(name="{campagne}"),
        "academy": SimpleNamespace(
            assistance_email="{assistance_courriel}", assistance_phone="{assistance_telephone}"
        ),
        "year": campaign.year,
        "faq_url": "{faq}",
        "signup_url": "{creation_compte}",
        "login_url": "{portail}",
        "accounts_from": "{comptes}",
        "identifiers_from": "{identifiants}",
        "vote_from": "{debut_vote}",
        "vote_to": "{fin_vote}",
        "vote_closes": "{cloture_vote}",
        "scrutins": "{scrutins}",
    }


def default_text(kind: str, campaign: Campaign) -> tuple[str, str]:
    """The subject and body a new mailing of `kind` starts from, in French."""
    template = _TEMPLATES[Kind(kind)]
    context = _placeholders_context(campaign)
    with translation.override("fr"):
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"

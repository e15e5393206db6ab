"""The espace électeur's verbs: who the elector is, what they may see, what they may ask.

Every page of the espace goes through `access_elector` and, for a scrutin, through
`access_scrutin_as_elector`: no view filters by permission itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from urne import clock
from urne.campaign.models import (
    Campaign,
    Elector,
    ProfileCorrectionRequest,
    Scrutin,
    name_key,
)
from urne.candidacies.models import Candidate, CandidateList
from urne.web import dates
from urne.web.errors import Forbidden, NotFound, VisitorError

ROLL_PAGE_SIZE = 50
ROLL_QUERY_MAX_WORDS = 5


class NotAnElector(Forbidden):
    """The account is not a confirmed elector's (staff, or an unconfirmed account)."""


class CorrectionRefused(VisitorError):
    """A profile correction request that cannot be accepted; `message` says why, in French."""


class CorrectionsClosed(CorrectionRefused):
    status = 403


class CorrectionAlreadyOpen(CorrectionRefused):
    message = _(
        "Vous avez déjà une demande en cours pour cette information : attendez la réponse de "
        "votre académie."
    )


class RollsNotPublished(VisitorError):
    """The campaign's rolls are not published yet; the message says from when."""


class RollsFrozen(VisitorError):
    """The vote has opened: no roll entry may be added, changed or removed any more."""

    status = 403

    def __init__(self, campaign: Campaign) -> None:
        self.opened_at = campaign.vote_opens_at
        super().__init__(
            _(
                "Le vote a ouvert le %(date)s : les listes électorales sont scellées. Aucune "
                "inscription ne peut plus être ajoutée, modifiée ni supprimée."
            )
            % {"date": dates.day_month_year_hour(campaign.vote_opens_at)}
        )


class NoCurrentCampaign(Exception):
    """No campaign has been set up yet."""


def current_campaign() -> Campaign:
    """The campaign the public pages speak of: the latest one."""
    campaign = Campaign.objects.latest_first().first()
    if campaign is None:
        raise NoCurrentCampaign
    return campaign


def check_elector_account(user: AbstractBaseUser | AnonymousUser) -> int:
    """The id of the elector behind a logged-in, active and confirmed account; `NotAnElector`
    otherwise. Staff accounts have no elector and are refused: the espace électeur is the
    electors' own."""
    elector_id = getattr(user, "elector_id", None)
    confirmed = getattr(user, "confirmed_at", None) is not None
    if not user.is_authenticated or not user.is_active or not confirmed or elector_id is None:
        raise NotAnElector(_("Cet espace est réservé aux électeurs dont le compte est confirmé."))
    return int(elector_id)


def access_elector(user: AbstractBaseUser | AnonymousUser) -> Elector:
    """The elector behind a logged-in account (`check_elector_account`), with their campaign
    and academy."""
    elector_id = check_elector_account(user)
    return Elector.objects.select_related("campaign", "academy").get(pk=elector_id)


def elector_scrutins(elector: Elector) -> QuerySet[Scrutin]:
    """The scrutins whose roll the elector is on: the only ones they may see."""
    return (
        Scrutin.objects.filter(roll__elector=elector, campaign_id=elector.campaign_id)
        .select_related("academy", "campaign")
        .order_by("level", "kind", "name")
    )


def access_scrutin_as_elector(elector: Elector, code: str) -> Scrutin:
    """The scrutin `code` if the elector is on its roll; otherwise a 404 (never a 403, which
    would tell an outsider that the scrutin exists)."""
    try:
        return elector_scrutins(elector).get(code=code)
    except Scrutin.DoesNotExist:
        raise NotFound(
            _("Ce scrutin n'existe pas ou vous n'êtes pas appelé(e) à y voter.")
        ) from None


@dataclass(frozen=True)
class RollSearch:
    """One page of a scrutin's roll, as the search asked for it."""

    page: Page[Elector]
    query: str
    total: int


def roll_electors(scrutin: Scrutin, query: str = "") -> QuerySet[Elector]:
    """The roll's electors in French alphabetical order, holding only what the roll shows:
    never an email.

    Each word of the query must appear in the first or last name, whatever its case, accents,
    spaces or hyphens (« gerard » finds « Gérard », « jean-pierre » « Jean Pierre »): both sides
    are compared as name keys.
    """
    electors = (
        Elector.objects.filter(roll_entries__scrutin=scrutin)
        .select_related("academy")
        .only("civilite", "first_name", "last_name", "establishment", "academy__name")
        .order_by("last_name_key", "first_name_key", "last_name", "first_name", "id")
    )
    for word in query.split()[:ROLL_QUERY_MAX_WORDS]:
        key = name_key(word)
        if key:
            electors = electors.filter(
                Q(last_name_key__contains=key) | Q(first_name_key__contains=key)
            )
    return electors


def check_rolls_published(campaign: Campaign) -> None:
    if not campaign.rolls_published():
        raise RollsNotPublished(rolls_opening_notice(campaign))


def check_roll_editable(campaign: Campaign) -> None:
    """Raise RollsFrozen once the campaign's vote has opened. The one rule for every change to
    the rolls: the import, the back office, and whatever writes rolls next."""
    if not campaign.rolls_editable():
        raise RollsFrozen(campaign)


def search_roll(scrutin: Scrutin, query: str, page_number: str | int | None) -> RollSearch:
    """A page of the roll, once the campaign published its rolls (RollsNotPublished before)."""
    check_rolls_published(scrutin.campaign)
    paginator = Paginator(roll_electors(scrutin, query), ROLL_PAGE_SIZE)
    page = paginator.get_page(page_number)
    return RollSearch(page=page, query=query, total=paginator.count)


def rolls_opening_notice(campaign: Campaign) -> str:
    return str(
        _("Les listes électorales seront consultables à partir du %(date)s.")
        % {"date": dates.day_month_year(campaign.rolls_published_at)}
    )


def candidacies_opening_notice(campaign: Campaign) -> str:
    return str(
        _(
            "La liste des organisations syndicales candidates, leurs professions de foi et leurs "
            "candidats seront consultables à partir du %(date)s."
        )
        % {"date": dates.day_month_year(campaign.candidacies_published_at)}
    )


def published_lists(scrutin: Scrutin) -> QuerySet[CandidateList]:
    """The lists electors may see: those the organizer validated (never a draft, a list under
    review or a rejected one), in official order."""
    return CandidateList.objects.filter(
        scrutin=scrutin, status=CandidateList.Status.VALIDATED
    ).order_by("position", "title")


def candidate_lists(scrutin: Scrutin) -> QuerySet[CandidateList]:
    """The scrutin's published lists in official order, with their unions and candidates
    (3 queries)."""
    return published_lists(scrutin).prefetch_related(
        "unions",
        Prefetch("candidates", queryset=Candidate.objects.order_by("position")),
    )


def access_profession_de_foi(elector: Elector, code: str, position: int) -> CandidateList:
    """A list whose profession de foi the elector may download: they are on the scrutin's roll,
    the candidacies are published and the file was filed."""
    scrutin = access_scrutin_as_elector(elector, code)
    if not scrutin.campaign.candidacies_published():
        raise NotFound(candidacies_opening_notice(scrutin.campaign))
    try:
        candidate_list = published_lists(scrutin).get(position=position)
    except CandidateList.DoesNotExist:
        raise NotFound(_("Cette liste de candidats n'existe pas.")) from None
    name = candidate_list.profession_de_foi.name
    if not name or not default_storage.exists(name):
        raise NotFound(_("La profession de foi de cette liste n'est pas disponible."))
    return candidate_list


def check_request_correction(elector: Elector, field: str) -> None:
    """May the elector ask for this correction now? Raises CorrectionRefused otherwise."""
    check_corrections_open(elector.campaign)
    if elector.correction_requests.filter(
        field=field, status=ProfileCorrectionRequest.Status.SUBMITTED
    ).exists():
        raise CorrectionAlreadyOpen


def check_corrections_open(campaign: Campaign) -> None:
    """Raise CorrectionsClosed, saying until when they were open, once the deadline passed."""
    if not campaign.corrections_open():
        raise CorrectionsClosed(corrections_closed_notice(campaign))


def corrections_closed_notice(campaign: Campaign) -> str:
    return str(
        _(
            "Les demandes de mise à jour du profil étaient possibles jusqu'au %(date)s ; "
            "elles sont closes."
        )
        % {"date": dates.day_month_year(campaign.corrections_deadline)}
    )


def do_request_correction(
    elector: Elector, field: str, correction: str, comment: str
) -> ProfileCorrectionRequest:
    """Record the request after checking it (deadline, one open request per information)."""
    check_request_correction(elector, field)
    try:
        with transaction.atomic():
            return ProfileCorrectionRequest.objects.create(
                elector=elector,
                field=field,
                correction=correction,
                comment=comment,
                created_at=clock.now(),
            )
    except IntegrityError:
        # Two submissions raced past the check: the constraint keeps one; say so like the check.
        raise CorrectionAlreadyOpen from None

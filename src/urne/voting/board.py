"""The public board: what anyone, without an account, sees of each scrutin's vote.

For every sealed scrutin of the current campaign: the election's data (`board_facts`), the state
of the vote, the live list of the trackers of accepted ballots (`tracker_page`), the archive
`UUID.bel` (`urne.voting.setup.archive_chunks`) and « Vérifier mon bulletin »
(`lookup_tracker`). Nothing here names an elector: a ballot is shown by its tracker and its
place in the chain (`Ballot.height`, the height of its Ballot event: the Setup event is 0, the
first ballot 1), never with the émargement.

Everything shown can be re-checked offline from the archive (docs/board.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.db.models import F, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from urne.campaign.models import Campaign
from urne.campaign.services import NoCurrentCampaign, current_campaign
from urne.crypto.jsonio import loads
from urne.crypto.trustees import PedersenTrustees, SingleTrustee, read_trustees
from urne.voting.models import Ballot, ScrutinElection
from urne.voting.setup import GROUP, sealed_election
from urne.web.errors import NotFound, VisitorError

TRACKER = re.compile(r"[A-Za-z0-9+/]{43}")
"""A smart ballot tracker: a SHA-256 in Base64 without its padding (43 characters)."""

PAGE_SIZE = 100
"""Trackers per page of the live list (HTML and JSON)."""

MAX_PAGE_SIZE = 1000


class BadTracker(VisitorError):
    """What was typed in « Vérifier mon bulletin » cannot be a tracker."""

    message = _(
        "Cette empreinte n'est pas valide : une empreinte de bulletin compte exactement "
        "43 caractères, lettres sans accent, chiffres, « + » et « / ». Copiez-la depuis votre "
        "accusé de réception, sans espace."
    )
    status = 400


class BadPage(VisitorError):
    message = _("Cette page de la liste des bulletins n'existe pas : l'adresse est incorrecte.")
    status = 400


# --- Which scrutins the board shows --------------------------------------------------------------


def board_campaign() -> Campaign | None:
    """The campaign the board speaks of (the current one); None before any is set up."""
    try:
        return current_campaign()
    except NoCurrentCampaign:
        return None


def board_elections(campaign: Campaign) -> QuerySet[ScrutinElection]:
    """The sealed elections of `campaign`'s scrutins: national ones first, then by academy."""
    return (
        ScrutinElection.objects.filter(scrutin__campaign=campaign, sealed_at__isnull=False)
        .select_related("scrutin", "scrutin__campaign", "scrutin__academy")
        .order_by(F("scrutin__academy__name").asc(nulls_first=True), "scrutin__name")
    )


def access_board(uuid: str) -> ScrutinElection:
    """The sealed election `uuid`, of any campaign (an archive stays public); 404 otherwise,
    as for an election not sealed yet: its board does not exist before."""
    try:
        return (
            ScrutinElection.objects.select_related("scrutin", "scrutin__campaign")
            .exclude(sealed_at=None)
            .get(uuid=uuid)
        )
    except ScrutinElection.DoesNotExist:
        raise NotFound(_("Aucun scrutin public ne porte cet identifiant.")) from None


# --- The state of the vote -----------------------------------------------------------------------


@dataclass(frozen=True)
class VoteState:
    code: str
    """"upcoming", "open" or "closed"."""
    label: str | Promise


def vote_state(campaign: Campaign) -> VoteState:
    """Where the vote stands, from the campaign's calendar (its own gates)."""
    if campaign.vote_open():
        return VoteState("open", _("vote en cours"))
    if campaign.vote_closed():
        return VoteState("closed", _("vote clos"))
    return VoteState("upcoming", _("vote pas encore ouvert"))


# --- The election's data -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrusteesFacts:
    count: int
    """How many trustees hold a share of the decryption key."""
    needed: int
    """How many of them must take part in the decryption."""


@dataclass(frozen=True)
class BoardFacts:
    """What the board shows of a sealed election, all of it in its archive too."""

    name: str
    uuid: str
    fingerprint: str
    """The election's fingerprint: the hash of election.json, which every ballot carries."""
    lists: tuple[str, ...]
    """The answers, in the official order of the lists (the blank vote is allowed besides)."""
    blank: bool
    trustees: TrusteesFacts
    credentials: int
    """How many public credentials: the electors called to vote in this scrutin."""
    opens_at: datetime
    closes_at: datetime


def trustees_facts(text: str) -> TrusteesFacts:
    """How many trustees, and how many are needed to decrypt (every Single one, and the
    threshold of each Pedersen group)."""
    count = needed = 0
    for trustee in read_trustees(GROUP, loads(text)):
        if isinstance(trustee, SingleTrustee):
            count, needed = count + 1, needed + 1
        elif isinstance(trustee, PedersenTrustees):
            count += len(trustee.verification_keys)
            needed += trustee.threshold
    return TrusteesFacts(count, needed)


@lru_cache(maxsize=256)
def _sealed_facts(pk: int, fingerprint: str) -> tuple[tuple[str, ...], bool, TrusteesFacts, int]:
    # A sealed setup never changes (setup.check_setup_editable): read it once per process.
    election = ScrutinElection.objects.get(pk=pk)
    made = sealed_election(election)
    (question,) = made.questions
    return (
        question.answers,
        bool(question.blank),
        trustees_facts(election.trustees),
        election.credentials.count(),
    )


def board_facts(election: ScrutinElection) -> BoardFacts:
    """The data of the sealed `election`, as its board page shows them."""
    lists, blank, trustees, credentials = _sealed_facts(election.pk, election.fingerprint)
    campaign = election.scrutin.campaign
    return BoardFacts(
        name=election.scrutin.name,
        uuid=election.uuid,
        fingerprint=election.fingerprint,
        lists=lists,
        blank=blank,
        trustees=trustees,
        credentials=credentials,
        opens_at=campaign.vote_opens_at,
        closes_at=campaign.vote_closes_at,
    )


# --- The live list of trackers -------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerPage:
    """One page of the trackers of accepted ballots, as (number, tracker) pairs."""

    ballots: tuple[tuple[int, str], ...]
    count: int
    """Ballots on the board when the page was read."""
    newest_first: bool
    next_cursor: int | None
    """The `depuis` value of the next page; None on the last one."""


def read_cursor(value: str | None) -> int | None:
    """The `depuis` parameter of a page: the number of the last ballot of the page before."""
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 18:
        raise BadPage
    return int(value)


def tracker_page(
    election: ScrutinElection,
    *,
    newest_first: bool,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> TrackerPage:
    """The trackers of the ballots accepted in `election` up to its head as read, newest or
    oldest first, starting after the ballot numbered `after` (keyset pages: a ballot arriving
    meanwhile neither shifts nor repeats a line of the pages already read)."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    rows = Ballot.objects.filter(election=election, height__lte=election.height)
    if after is not None:
        rows = rows.filter(height__lt=after) if newest_first else rows.filter(height__gt=after)
    rows = rows.order_by("-height" if newest_first else "height")
    ballots = tuple(rows.values_list("height", "tracker")[: size + 1])
    more = len(ballots) > size
    ballots = ballots[:size]
    return TrackerPage(
        ballots=ballots,
        count=election.ballot_count,
        newest_first=newest_first,
        next_cursor=ballots[-1][0] if more else None,
    )


# --- « Vérifier mon bulletin » -------------------------------------------------------------------


def check_tracker(text: str) -> str:
    """The tracker typed or pasted by a voter, trimmed; raises `BadTracker` if it cannot be one."""
    # A "+" typed in an address reaches us as a space; a tracker never holds one.
    tracker = text.strip().replace(" ", "+")
    if not TRACKER.fullmatch(tracker):
        raise BadTracker
    return tracker


def lookup_tracker(election: ScrutinElection, text: str) -> int | None:
    """The number of the accepted ballot whose tracker is `text` in `election`; None if the
    board holds none. Raises `BadTracker` for what cannot be a tracker."""
    tracker = check_tracker(text)
    found = (
        Ballot.objects.filter(election=election, tracker=tracker)
        .values_list("height", flat=True)
        .first()
    )
    return found


__all__ = [
    "PAGE_SIZE",
    "TRACKER",
    "BadPage",
    "BadTracker",
    "BoardFacts",
    "TrackerPage",
    "TrusteesFacts",
    "VoteState",
    "access_board",
    "board_campaign",
    "board_elections",
    "board_facts",
    "check_tracker",
    "lookup_tracker",
    "read_cursor",
    "tracker_page",
    "trustees_facts",
    "vote_state",
]

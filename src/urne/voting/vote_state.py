"""What an elector can do in a scrutin now: the vote state « Mes scrutins », the espace and the
booth show.

`vote_state(scrutin, emargement)` is the one rule, on urne's clock: vote (« à voter »: the window
is open, the election sealed and the campaign's seal recorded), nothing yet (the vote opens
later, or the election or the campaign's seal is not ready), nothing any more (closed), or see
the receipt (« a voté le … », whatever the hour: a vote is final). `vote_states(elector,
scrutins)` gives it for several scrutins at once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from urne.campaign.models import Elector, Scrutin
from urne.sealing.gate import seal_missing
from urne.voting.ballot_box import votes_of
from urne.voting.models import Emargement, ScrutinElection


class VoteStatus(enum.Enum):
    """The five states of one elector's vote in one scrutin."""

    NOT_OPEN = "not_open"
    NOT_READY = "not_ready"
    OPEN = "open"
    VOTED = "voted"
    CLOSED = "closed"


@dataclass(frozen=True)
class VoteState:
    """What the elector can do in one scrutin now."""

    status: VoteStatus
    voted_at: datetime | None = None

    @property
    def can_vote(self) -> bool:
        return self.status is VoteStatus.OPEN


def sealed_election_of(scrutin: Scrutin) -> ScrutinElection | None:
    """The scrutin's election once sealed (ready for ballots), else None."""
    try:
        election = scrutin.election
    except ScrutinElection.DoesNotExist:
        return None
    return election if election.is_sealed else None


def vote_state(scrutin: Scrutin, emargement: Emargement | None) -> VoteState:
    """The state of the elector's vote in `scrutin`; `emargement` is theirs, if they voted.

    A vote is final: once voted, the state stays « a voté » after the close too.
    """
    campaign = scrutin.campaign
    if emargement is not None:
        return VoteState(VoteStatus.VOTED, emargement.voted_at)
    if campaign.vote_closed():
        return VoteState(VoteStatus.CLOSED)
    if not campaign.vote_open():
        return VoteState(VoteStatus.NOT_OPEN)
    if sealed_election_of(scrutin) is None or seal_missing(campaign.pk):
        return VoteState(VoteStatus.NOT_READY)
    return VoteState(VoteStatus.OPEN)


def vote_states(elector: Elector, scrutins: Iterable[Scrutin]) -> dict[int, VoteState]:
    """`vote_state` of each scrutin (by id) for `elector`."""
    votes = votes_of(elector)
    return {scrutin.pk: vote_state(scrutin, votes.get(scrutin.pk)) for scrutin in scrutins}

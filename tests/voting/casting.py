"""Helpers of the ballot box's tests: ballots for a sealed scrutin, the board on disk, and what
"nothing stored" means.

A vote is written as belenios-tool writes it: the blank flag first, then one 0/1 per list in
official order (`vote_for(2)`: the second list; `vote_for(0)`: blank).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db.models import QuerySet

from urne.campaign.models import Elector, Scrutin
from urne.crypto.ballot import make_ballot
from urne.crypto.election import Election
from urne.voting import setup
from urne.voting.models import Ballot, Emargement, PublicCredential, ScrutinElection
from urne.voting.pseudonyms import pseudonym


def election_of(scrutin: Scrutin) -> ScrutinElection:
    return ScrutinElection.objects.select_related("scrutin__campaign").get(scrutin=scrutin)


def credentials_of(elector: Elector) -> QuerySet[PublicCredential]:
    """The elector's public credentials, found as the server finds them: by their pseudonym in
    each election of their campaign."""
    names = [
        pseudonym(uuid, elector.pk)
        for uuid in ScrutinElection.objects.filter(
            scrutin__campaign_id=elector.campaign_id
        ).values_list("uuid", flat=True)
    ]
    return PublicCredential.objects.filter(pseudonym__in=names)


def crypto_of(scrutin: Scrutin) -> Election:
    return setup.sealed_election(election_of(scrutin))


def vote_for(position: int, lists: int = 3) -> list[list[int]]:
    """One choice: list `position` (1-based) or blank (0)."""
    return [[1 if index == position else 0 for index in range(lists + 1)]]


def ballot_text(scrutin: Scrutin, identifier: str, position: int = 1) -> str:
    """A ballot made by urne's core for `scrutin` with this voting identifier."""
    return make_ballot(crypto_of(scrutin), identifier, vote_for(position)).text


def write_board(scrutin: Scrutin, folder: Path) -> Path:
    """The scrutin's public board as it stands, written to `folder`/UUID.bel."""
    election = election_of(scrutin)
    path = folder / f"{election.uuid}.bel"
    path.write_bytes(b"".join(setup.archive_chunks(election)))
    return path


@dataclass(frozen=True)
class BoxState:
    """All the ballot box writes: compared before and after a refusal."""

    ballots: int
    emargements: int
    head: tuple[str, int, int]

    @classmethod
    def of(cls, scrutin: Scrutin) -> BoxState:
        election = election_of(scrutin)
        return cls(
            ballots=Ballot.objects.filter(election=election).count(),
            emargements=Emargement.objects.filter(election=election).count(),
            head=(election.last_event, election.height, election.ballot_count),
        )

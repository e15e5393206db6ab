"""Fixtures for the vote: scrutins with lists, trustees made offline, identifiers, sealed elections.

`TRUSTEES` is made once per test session with urne's own crypto core, as a bureau member would
make it offline (one "Single" key: tests that need the threshold ceremony make their own). The
identifiers are what the credential authority gives the electors; the tests know them, the
server never does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from unittest import mock

import pytest

from urne import clock
from urne.campaign.models import Elector, Scrutin
from urne.candidacies.models import CandidateList, Union
from urne.crypto.ballot import make_ballot
from urne.crypto.credentials import derive_public_credential, make_private_credential
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import dumps
from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
from urne.voting import setup
from urne.voting.ballot_box import do_cast_ballot
from urne.voting.models import Ballot, PublicCredential, ScrutinElection
from urne.voting.pseudonyms import pseudonym

LIST_TITLES = ("Liste FSU", "Liste UNSA Éducation", "Liste SGEN-CFDT")


@pytest.fixture(scope="session")
def trustees_text() -> str:
    """A trustees.json with one "Single" trustee (its private key thrown away)."""
    _, public = make_trustee_key(BELENIOS_2048)
    return dumps(trustees_to_json([SingleTrustee(public)]))


def add_lists(scrutin: Scrutin, titles: tuple[str, ...] = LIST_TITLES) -> list[CandidateList]:
    made = []
    for position, title in enumerate(titles, start=1):
        union, _ = Union.objects.get_or_create(
            campaign=scrutin.campaign, acronym=title.split()[1], defaults={"name": title}
        )
        candidate_list = CandidateList.objects.create(
            status="validated", scrutin=scrutin, position=position, title=title
        )
        candidate_list.unions.add(union)
        made.append(candidate_list)
    return made


@dataclass
class Identifiers:
    """What the credential authority handed out: elector id → voting identifier."""

    by_elector: dict[int, str] = field(default_factory=dict)

    def of(self, elector: Elector) -> str:
        return self.by_elector[elector.pk]


def give_credentials(election: ScrutinElection, identifiers: Identifiers) -> None:
    """Store each rolled elector's public credential for `election`, drawing identifiers as the
    credential authority does (one per elector for the whole campaign)."""
    for elector in Elector.objects.filter(roll_entries__scrutin=election.scrutin).order_by("pk"):
        identifier = identifiers.by_elector.setdefault(elector.pk, make_private_credential())
        credential = derive_public_credential(BELENIOS_2048, identifier, election.uuid)
        PublicCredential.objects.create(
            election=election,
            pseudonym=pseudonym(election.uuid, elector.pk),
            credential=str(credential),
        )


SealScrutins = Callable[..., Identifiers]


@pytest.fixture
def seal_scrutins(trustees_text: str) -> SealScrutins:
    """seal_scrutins(scrutin, ...): lists, trustees, credentials and the sealed setup for each
    scrutin given (its roll as it stands); returns the identifiers handed out."""

    def seal(*scrutins: Scrutin) -> Identifiers:
        identifiers = Identifiers()
        for scrutin in scrutins:
            # The setup is sealed before the vote opens: the day before, on urne's clock.
            eve = scrutin.campaign.vote_opens_at - timedelta(days=1)
            with mock.patch.object(clock, "now", return_value=eve):
                seal_one(scrutin, identifiers)
        return identifiers

    def seal_one(scrutin: Scrutin, identifiers: Identifiers) -> None:
        if not scrutin.lists.exists():
            add_lists(scrutin)
        setup.do_prepare_elections(scrutin.campaign)
        setup.do_set_trustees(scrutin, trustees_text)
        give_credentials(ScrutinElection.objects.get(scrutin=scrutin), identifiers)
        setup.do_seal_election(scrutin)

    return seal


def cast(
    election: ScrutinElection, elector: Elector, identifier: str, choice: int | None
) -> Ballot:
    """`elector` votes for the list numbered `choice` (from 0; None: a blank vote) with their
    voting `identifier`, through the ballot box itself (`do_cast_ballot`, every check it makes:
    the vote must be open on urne's clock). Returns the stored ballot."""
    sealed = setup.sealed_election(election)
    (question,) = sealed.questions
    vote = [0] * question.choice_count
    vote[0 if choice is None else choice + 1] = 1
    made = make_ballot(sealed, identifier, [vote])
    receipt = do_cast_ballot(elector, election.uuid, made.text, f"test-cast-{elector.pk:08d}")
    election.refresh_from_db()
    return Ballot.objects.get(election=election, tracker=receipt.tracker)

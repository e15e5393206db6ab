"""Fixtures for the results: sealed scrutins whose trustee key the test keeps, and a stand-in for
the closing and decryption (another part of issue 9, not on this branch).

`finish_archive` computes, with the protocol core, what the closing writes at the end of the
board — EndBallots, the encrypted tally of the stored ballots, the trustee's partial decryption
and the Result — and makes the board's archive stream (`urne.voting.setup.archive_chunks`) end
with it. Once the closing stores these events itself, tests should run the real closing instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest

from tests.conftest import make_elector
from tests.voting.conftest import (  # noqa: F401 - fixtures used by the results' tests
    Identifiers,
    SealScrutins,
    add_lists,
    cast,
    seal_scrutins,
)
from urne.campaign.models import Academy, Campaign, RollEntry, Scrutin
from urne.candidacies.models import Candidate
from urne.crypto.archive import EventType
from urne.crypto.ballot import read_ballot
from urne.crypto.group import BELENIOS_2048, Exponent
from urne.crypto.jsonio import dumps
from urne.crypto.tally import compute_encrypted_tally, decrypt_tally, make_partial_decryption
from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
from urne.voting import setup
from urne.voting.models import ScrutinElection

_KEY = make_trustee_key(BELENIOS_2048)


@pytest.fixture(scope="session")
def trustee_key() -> Exponent:
    return _KEY[0]


@pytest.fixture(scope="session")
def trustees_text() -> str:
    """One "Single" trustee whose private key the tests keep (to decrypt)."""
    return dumps(trustees_to_json([SingleTrustee(_KEY[1])]))


def post_vote_events(election: ScrutinElection, key: Exponent) -> bytes:
    """EndBallots, EncryptedTally, PartialDecryption and Result after the board's last ballot."""
    election.refresh_from_db()
    sealed = setup.sealed_election(election)
    ballots = [
        (read_ballot(sealed, text), 1)
        for text in election.ballots.order_by("height").values_list("text", flat=True)
    ]
    tally = compute_encrypted_tally(sealed, ballots)
    partial = make_partial_decryption(sealed, tally, key)
    trustees = setup.read_checked_trustees(election.trustees)
    result = decrypt_tally(sealed, trustees, tally, {1: partial})
    chain = setup.board_chain(election)
    out = []
    out.append(chain.event(EventType.END_BALLOTS)[1])
    tally_hash, raw = chain.data(dumps(tally.to_json()))
    out.append(raw)
    sized_hash, raw = chain.data(dumps(tally.sized_to_json(tally_hash)))
    out.append(raw)
    out.append(chain.event(EventType.ENCRYPTED_TALLY, sized_hash)[1])
    partial_hash, raw = chain.data(dumps(partial.to_json()))
    out.append(raw)
    owned_hash, raw = chain.data(dumps({"owner": 1, "payload": partial_hash}))
    out.append(raw)
    out.append(chain.event(EventType.PARTIAL_DECRYPTION, owned_hash)[1])
    result_hash, raw = chain.data(dumps(result.to_json()))
    out.append(raw)
    event_hash, raw = chain.event(EventType.RESULT, result_hash)
    out.append(raw)
    # The head moves to the Result, as the closing will record it.
    ScrutinElection.objects.filter(pk=election.pk).update(last_event=event_hash)
    return b"".join(out)


FinishArchive = Callable[[ScrutinElection], None]


@pytest.fixture
def finish_archive(
    monkeypatch: pytest.MonkeyPatch, trustee_key: Exponent
) -> Iterator[FinishArchive]:
    tails: dict[int, bytes] = {}
    original = setup.archive_chunks

    def chunks(election: ScrutinElection) -> Iterator[bytes]:
        yield from original(election)
        if election.pk in tails:
            yield tails[election.pk]

    monkeypatch.setattr(setup, "archive_chunks", chunks)

    def finish(election: ScrutinElection) -> None:
        tails[election.pk] = post_vote_events(election, trustee_key)

    yield finish


CANDIDATES = {
    "Liste FSU": ["Anne Arnaud", "Bruno Blanc", "Chloé Chen", "Denis Durand"],
    "Liste UNSA Éducation": ["Ève Emery", "Fanny Faure"],
    "Liste SGEN-CFDT": ["Gilles Gay", "Hugo Hamon"],
}


@pytest.fixture
def decided(
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,  # noqa: F811 - the fixture imported above
    finish_archive: FinishArchive,
    travel: Callable[[datetime], None],
) -> Scrutin:
    """The CSA ministériel, 3 seats, 5 electors on its roll; 4 vote (FSU, FSU, UNSA, blank);
    the vote closes and its archive ends with the Result."""
    csa_national.seats = 3
    csa_national.save(update_fields=["seats"])
    electors = []
    for first, last in [
        ("Bob", "Martin"),
        ("Alice", "Bernard"),
        ("Chloé", "Petit"),
        ("David", "Roux"),
        ("Emma", "Noël"),
    ]:
        elector = make_elector(campaign, dijon, first, last)
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
        electors.append(elector)
    for candidate_list in add_lists(csa_national):
        for position, name in enumerate(CANDIDATES[candidate_list.title], start=1):
            first, last = name.split()
            Candidate.objects.create(
                candidate_list=candidate_list,
                position=position,
                civilite="M",
                first_name=first,
                last_name=last,
                corps_grade="Professeur certifié",
                affectation="Lycée Carnot, Dijon",
            )
    identifiers = seal_scrutins(csa_national)
    election = ScrutinElection.objects.get(scrutin=csa_national)
    for elector, choice in zip(electors, [0, 0, 1, None], strict=False):
        cast(election, elector, identifiers.of(elector), choice)
    travel(campaign.vote_closes_at + timedelta(minutes=1))
    finish_archive(election)
    return csa_national

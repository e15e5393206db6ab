"""Fixtures of the count: scrutins whose bureau's keys the tests hold, voted through the ballot
box, then closed on urne's clock.

The bureaus are made as a bureau would offline, with `urne trustees threshold` (and `urne
trustees combine` for two groups), once per test session: the private key shares stay in the
session's temporary folder; the server gets only trustees.json.

For the results' tests: sealed scrutins whose trustee key the test keeps, and a stand-in for the
closing and decryption, written when those were not on the results' branch.

`finish_archive` computes, with the protocol core, what the closing writes at the end of the
board — EndBallots, the encrypted tally of the stored ballots, the trustee's partial decryption
and the Result — and makes the board's archive stream (`urne.voting.setup.archive_chunks`) end
with it. The tests of the count itself (above) run the real closing; the results' should too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

from tests.conftest import make_elector
from tests.voting.conftest import (  # noqa: F401 - fixtures used by the results' tests
    Identifiers,
    SealScrutins,
    add_lists,
    cast,
    give_credentials,
    seal_scrutins,
)
from urne import clock
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.candidacies.models import Candidate
from urne.cli.trustees import (
    read_trustee_files,
    write_single_key,
    write_threshold_trustees,
    write_trustees,
)
from urne.crypto.archive import EventType
from urne.crypto.ballot import read_ballot
from urne.crypto.group import BELENIOS_2048, Exponent
from urne.crypto.jsonio import dumps
from urne.crypto.tally import compute_encrypted_tally, decrypt_tally, make_partial_decryption
from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
from urne.voting import setup
from urne.voting.models import ScrutinElection

_KEY = make_trustee_key(BELENIOS_2048)


@dataclass(frozen=True)
class Bureau:
    """trustees.json and each trustee's private key file, by trustee number (the archive's
    ``owner``)."""

    trustees: Path
    keys: dict[int, Path]

    @property
    def text(self) -> str:
        return self.trustees.read_text(encoding="utf-8").strip()


@pytest.fixture(scope="session")
def threshold_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """One Pedersen group: 2 of 3 members needed (`urne trustees threshold`)."""
    made = write_threshold_trustees(tmp_path_factory.mktemp("bureau"), 3, 2)
    return Bureau(made.trustees, dict(enumerate(made.private_keys, start=1)))


@pytest.fixture(scope="session")
def two_groups_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """Two Pedersen groups whose keys multiply: 1 of 2 (president, secretary), then 2 of 3
    (delegates): `urne trustees threshold` twice, then `urne trustees combine`. Trustees 1-2
    are the first group's, 3-5 the second's."""
    folder = tmp_path_factory.mktemp("bureau-two")
    heads = write_threshold_trustees(folder / "presidence", 2, 1)
    delegates = write_threshold_trustees(folder / "delegues", 3, 2)
    combined = folder / "trustees.json"
    write_trustees(combined, read_trustee_files([heads.trustees, delegates.trustees]))
    keys = {1: heads.private_keys[0], 2: heads.private_keys[1]}
    keys.update({2 + j: path for j, path in enumerate(delegates.private_keys, start=1)})
    return Bureau(combined, keys)


def seal_with(scrutin: Scrutin, trustees_text: str) -> Identifiers:
    """Lists, the bureau's trustees, the electors' credentials and the sealed setup, the day
    before the vote opens."""
    identifiers = Identifiers()
    eve = scrutin.campaign.vote_opens_at - timedelta(days=1)
    with mock.patch.object(clock, "now", return_value=eve):
        if not scrutin.lists.exists():
            add_lists(scrutin)
        setup.do_prepare_elections(scrutin.campaign)
        setup.do_set_trustees(scrutin, trustees_text)
        give_credentials(ScrutinElection.objects.get(scrutin=scrutin), identifiers)
        setup.do_seal_election(scrutin)
    return identifiers


def voters(scrutin: Scrutin, academy: Academy, count: int) -> list[Elector]:
    made = []
    for number in range(count):
        elector = make_elector(scrutin.campaign, academy, f"Votant{number}", f"Numero{number}")
        RollEntry.objects.create(scrutin=scrutin, elector=elector)
        made.append(elector)
    return made


def run_vote(
    scrutin: Scrutin, academy: Academy, bureau: Bureau, choices: Sequence[int | None]
) -> ScrutinElection:
    """As many electors as `choices` on the roll; the scrutin sealed under `bureau`'s keys;
    each elector votes through the ballot box (choice: list index from 0, None: blank)."""
    electors = voters(scrutin, academy, len(choices))
    identifiers = seal_with(scrutin, bureau.text)
    election = ScrutinElection.objects.select_related("scrutin__campaign").get(scrutin=scrutin)
    for elector, choice in zip(electors, choices, strict=True):
        cast(election, elector, identifiers.of(elector), choice)
    election.refresh_from_db()
    return election


def fresh(election: ScrutinElection) -> ScrutinElection:
    return ScrutinElection.objects.select_related("scrutin__campaign").get(pk=election.pk)


@pytest.fixture(scope="session")
def single_and_group_bureau(tmp_path_factory: pytest.TempPathFactory) -> Bureau:
    """A "Single" key (`urne trustee keygen`) and a 2-of-2 group, combined: trustee 1 is the
    single key, 2-3 the group's."""
    folder = tmp_path_factory.mktemp("bureau-mixed")
    single = write_single_key(folder / "president")
    group = write_threshold_trustees(folder / "delegues", 2, 2)
    combined = folder / "trustees.json"
    write_trustees(combined, read_trustee_files([single.public_key, group.trustees]))
    keys = {1: single.private_key, 2: group.private_keys[0], 3: group.private_keys[1]}
    return Bureau(combined, keys)


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

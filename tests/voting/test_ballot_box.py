"""The ballot box (do_cast_ballot): what it accepts, what it refuses, and that a refusal stores
nothing. Bob is on the rolls of csa_national and capa_dijon; Alice is on csa_national's too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_elector
from tests.voting.casting import BoxState, ballot_text, crypto_of, election_of, write_board
from tests.voting.conftest import Identifiers, SealScrutins, add_lists
from urne.campaign.models import Academy, Elector, RollEntry, Scrutin
from urne.crypto.ballot import max_ballot_length
from urne.crypto.credentials import make_private_credential
from urne.crypto.errors import BallotDefect
from urne.crypto.hashing import hash_json
from urne.crypto.verifier import verify_archive
from urne.voting import setup
from urne.voting.ballot_box import BallotRefused, ballot_of, do_cast_ballot, votes_of
from urne.voting.models import Ballot, Emargement

pytestmark = pytest.mark.django_db

KEY = "retry-key-0000000001"


@pytest.fixture
def elector_alice(elector_bob: Elector, dijon: Academy, csa_national: Scrutin) -> Elector:
    alice = make_elector(elector_bob.campaign, dijon, "Alice", "Bernard", civilite="MME")
    RollEntry.objects.create(scrutin=csa_national, elector=alice)
    return alice


@pytest.fixture
def sealed(
    elector_bob: Elector, elector_alice: Elector, csa_national: Scrutin, seal_scrutins: SealScrutins
) -> Identifiers:
    return seal_scrutins(csa_national)


def refusal(call: Callable[[], object]) -> BallotRefused:
    with pytest.raises(BallotRefused) as refused:
        call()
    return refused.value


def test_it_accepts_a_valid_ballot_with_its_emargement_and_the_board_grows(
    elector_bob: Elector, csa_national: Scrutin, sealed: Identifiers, tmp_path: Path
) -> None:
    election = election_of(csa_national)
    text = ballot_text(csa_national, sealed.of(elector_bob), position=2)
    receipt = do_cast_ballot(elector_bob, election.uuid, text, KEY)
    assert receipt.scrutin == csa_national.code
    assert receipt.uuid == election.uuid
    assert receipt.tracker == hash_json(text)
    assert receipt.replayed is False
    emargement = votes_of(elector_bob)[csa_national.pk]
    assert emargement.voted_at == receipt.voted_at
    ballot = Ballot.objects.get(election=election)
    assert ballot.text == text
    assert ballot_of(elector_bob, election) == ballot
    election.refresh_from_db()
    assert election.ballot_count == 1
    assert election.last_event == ballot.event
    summary = verify_archive(write_board(csa_national, tmp_path))
    assert summary.ballots == 1


def test_a_retry_of_the_very_same_submission_gets_the_same_receipt(
    elector_bob: Elector, csa_national: Scrutin, sealed: Identifiers
) -> None:
    uuid = election_of(csa_national).uuid
    text = ballot_text(csa_national, sealed.of(elector_bob))
    first = do_cast_ballot(elector_bob, uuid, text, KEY)
    again = do_cast_ballot(elector_bob, uuid, text + "\n", KEY)
    assert again.replayed is True
    assert (again.tracker, again.voted_at) == (first.tracker, first.voted_at)
    assert Ballot.objects.count() == 1


def test_a_vote_is_final_no_second_ballot_even_identical(
    elector_bob: Elector, csa_national: Scrutin, sealed: Identifiers
) -> None:
    uuid = election_of(csa_national).uuid
    text = ballot_text(csa_national, sealed.of(elector_bob))
    do_cast_ballot(elector_bob, uuid, text, KEY)
    before = BoxState.of(csa_national)
    identical = refusal(lambda: do_cast_ballot(elector_bob, uuid, text, "another-key-00000001"))
    other = ballot_text(csa_national, sealed.of(elector_bob), position=3)
    second = refusal(lambda: do_cast_ballot(elector_bob, uuid, other, KEY))
    assert identical.code == second.code == "already_voted"
    assert identical.status == 409
    assert "définitif" in str(identical.message)
    assert BoxState.of(csa_national) == before


def test_it_refuses_a_ballot_made_with_another_electors_identifier(
    elector_bob: Elector, elector_alice: Elector, csa_national: Scrutin, sealed: Identifiers
) -> None:
    uuid = election_of(csa_national).uuid
    before = BoxState.of(csa_national)
    text = ballot_text(csa_national, sealed.of(elector_alice))
    refused = refusal(lambda: do_cast_ballot(elector_bob, uuid, text, KEY))
    assert (refused.code, refused.status) == ("wrong_credential", 422)
    assert BoxState.of(csa_national) == before


def test_it_refuses_someone_elses_accepted_ballot_replayed(
    elector_bob: Elector, elector_alice: Elector, csa_national: Scrutin, sealed: Identifiers
) -> None:
    uuid = election_of(csa_national).uuid
    text = ballot_text(csa_national, sealed.of(elector_alice))
    do_cast_ballot(elector_alice, uuid, text, KEY)
    before = BoxState.of(csa_national)
    refused = refusal(lambda: do_cast_ballot(elector_bob, uuid, text, KEY))
    assert refused.code == "wrong_credential"
    assert BoxState.of(csa_national) == before
    assert csa_national.pk not in votes_of(elector_bob)


def test_it_refuses_a_ballot_made_with_an_identifier_nobody_has(
    elector_bob: Elector, csa_national: Scrutin, sealed: Identifiers
) -> None:
    uuid = election_of(csa_national).uuid
    text = ballot_text(csa_national, make_private_credential())
    assert refusal(lambda: do_cast_ballot(elector_bob, uuid, text, KEY)).code == "wrong_credential"


def test_it_refuses_a_ballot_for_a_scrutin_the_elector_is_not_called_to(
    elector_bob: Elector, csa_national: Scrutin, sealed: Identifiers, outsider_charlie: object
) -> None:
    charlie = Elector.objects.get(last_name="Durand")
    uuid = election_of(csa_national).uuid
    text = ballot_text(csa_national, sealed.of(elector_bob))
    refused = refusal(lambda: do_cast_ballot(charlie, uuid, text, KEY))
    assert (refused.code, refused.status) == ("not_on_roll", 403)
    assert BoxState.of(csa_national).ballots == 0


def test_it_refuses_a_ballot_made_for_another_scrutin(
    elector_bob: Elector,
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    seal_scrutins: SealScrutins,
) -> None:
    identifiers = seal_scrutins(csa_national, capa_dijon)
    text = ballot_text(capa_dijon, identifiers.of(elector_bob))
    uuid = election_of(csa_national).uuid
    refused = refusal(lambda: do_cast_ballot(elector_bob, uuid, text, KEY))
    assert (refused.code, refused.defect) == ("invalid_ballot", BallotDefect.WRONG_ELECTION_UUID)
    assert BoxState.of(csa_national).ballots == 0


def test_it_refuses_an_unknown_scrutin_and_one_not_sealed(
    elector_bob: Elector, csa_national: Scrutin
) -> None:
    assert refusal(lambda: do_cast_ballot(elector_bob, "nope", "{}", KEY)).code == (
        "unknown_scrutin"
    )
    add_lists(csa_national)
    (election,) = setup.do_prepare_elections(csa_national.campaign)[:1]
    refused = refusal(lambda: do_cast_ballot(elector_bob, election.uuid, "{}", KEY))
    assert (refused.code, refused.status) == ("not_ready", 409)


def test_it_refuses_an_oversized_ballot_before_reading_it(
    elector_bob: Elector, csa_national: Scrutin, sealed: Identifiers
) -> None:
    uuid = election_of(csa_national).uuid
    text = " " * (max_ballot_length(crypto_of(csa_national)) + 1)
    refused = refusal(lambda: do_cast_ballot(elector_bob, uuid, text, KEY))
    assert (refused.code, refused.status) == ("too_large", 413)


# --- the window, to the second, on the server's clock ------------------------------------------


@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (lambda c: c.vote_opens_at - timedelta(seconds=1), "vote_not_open"),
        (lambda c: c.vote_opens_at, None),
        (lambda c: c.vote_closes_at - timedelta(seconds=1), None),
        (lambda c: c.vote_closes_at, "vote_closed"),
        (lambda c: c.vote_closes_at + timedelta(days=1), "vote_closed"),
    ],
    ids=["a second before opening", "at opening", "a second before closing", "at closing", "after"],
)
def test_the_window_opens_at_its_second_included_and_closes_at_its_second_excluded(
    elector_bob: Elector,
    csa_national: Scrutin,
    sealed: Identifiers,
    travel: Callable[[datetime], None],
    moment: Callable[[object], datetime],
    code: str | None,
) -> None:
    campaign = csa_national.campaign
    uuid = election_of(csa_national).uuid
    text = ballot_text(csa_national, sealed.of(elector_bob))
    travel(moment(campaign))
    if code is None:
        voted_at = do_cast_ballot(elector_bob, uuid, text, KEY).voted_at
        assert voted_at == moment(campaign).replace(microsecond=0)  # the émargement's second
        assert Emargement.objects.count() == 1
    else:
        refused = refusal(lambda: do_cast_ballot(elector_bob, uuid, text, KEY))
        assert (refused.code, refused.status) == (code, 403)
        assert BoxState.of(csa_national).ballots == 0


def test_the_window_is_checked_again_when_the_ballot_is_written(
    elector_bob: Elector,
    csa_national: Scrutin,
    sealed: Identifiers,
    travel: Callable[[datetime], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ballot whose check ends after the close is refused, even if it arrived before."""
    from urne.voting import ballot_box

    campaign = csa_national.campaign
    uuid = election_of(csa_national).uuid
    text = ballot_text(csa_national, sealed.of(elector_bob))
    travel(campaign.vote_closes_at - timedelta(seconds=1))
    check = ballot_box.check_ballot_crypto

    def slow_check(*args: object) -> object:
        checked = check(*args)  # type: ignore[arg-type]
        travel(campaign.vote_closes_at)
        return checked

    monkeypatch.setattr(ballot_box, "check_ballot_crypto", slow_check)
    assert refusal(lambda: do_cast_ballot(elector_bob, uuid, text, KEY)).code == "vote_closed"
    assert BoxState.of(csa_national).ballots == 0


def test_a_ballot_costs_one_read_then_the_locked_writes_and_never_the_setup_bytes(
    elector_bob: Elector, csa_national: Scrutin, sealed: Identifiers
) -> None:
    """One query reads the election, its scrutin and campaign, and Bob's roll entry, credential
    and émargement; then, under the election's lock: the chain's head with the window and the
    émargement again (one query), the ballot, the émargement, the chain's head and the receipt
    to send. The board's setup bytes (every elector's credential) are never read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    election = election_of(csa_national)
    text = ballot_text(csa_national, sealed.of(elector_bob), position=1)
    with CaptureQueriesContext(connection) as queries:
        do_cast_ballot(elector_bob, election.uuid, text, KEY)
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
    ]
    assert len(statements) == 6, statements
    assert all("setup_archive" not in sql for sql in statements)


def test_with_prepared_elections_the_box_checks_through_the_prepared_tables(
    elector_bob: Elector,
    elector_alice: Elector,
    csa_national: Scrutin,
    sealed: Identifiers,
    settings: Any,
) -> None:
    """URNE_PREPARED_ELECTIONS: the election is prepared at its first ballot in the process,
    and the box accepts and refuses as without it."""
    from urne.crypto import ballot as ballot_module

    settings.URNE_PREPARED_ELECTIONS = 2
    election = election_of(csa_national)
    try:
        text = ballot_text(csa_national, sealed.of(elector_bob), position=1)
        do_cast_ballot(elector_bob, election.uuid, text, KEY)
        assert election.fingerprint in ballot_module._CHECKERS
        stolen = ballot_text(csa_national, sealed.of(elector_bob), position=2)
        assert refusal(lambda: do_cast_ballot(elector_alice, election.uuid, stolen)).code == (
            "wrong_credential"
        )
    finally:
        ballot_module.forget_prepared_elections()

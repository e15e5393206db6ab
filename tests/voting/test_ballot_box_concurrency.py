"""Fifty simultaneous submissions for one elector give exactly one ballot.

Each submission runs in its own thread with its own database connection, and all fifty reach
the writing transaction together (a barrier after the crypto check). The election's row lock
lines them up; without the re-check under the lock, the database's constraints still refuse
every second ballot. Runs on PostgreSQL (CI sets DATABASE_URL) and on SQLite, whose writers
take the database's lock one at a time (transaction_mode IMMEDIATE).
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from tests.voting.casting import BoxState, ballot_text, election_of
from tests.voting.conftest import SealScrutins
from urne.campaign.models import Elector, Scrutin
from urne.crypto.ballot import CheckedBallot
from urne.voting import ballot_box
from urne.voting.ballot_box import BallotRefused, Receipt, do_cast_ballot
from urne.voting.models import Ballot, Emargement

SUBMISSIONS = 50


def submit_together(
    elector: Elector, uuid: str, texts: list[str], keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> list[Receipt | BallotRefused]:
    barrier = threading.Barrier(len(texts), timeout=120)
    check = ballot_box.check_ballot_crypto

    def checked_then_wait(*args: Any) -> CheckedBallot:
        result = check(*args)
        barrier.wait()
        return result

    monkeypatch.setattr(ballot_box, "check_ballot_crypto", checked_then_wait)

    def one(index: int) -> Receipt | BallotRefused:
        try:
            return do_cast_ballot(elector, uuid, texts[index], keys[index])
        except BallotRefused as refused:
            return refused
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        return list(pool.map(one, range(len(texts))))


def outcome(results: list[Receipt | BallotRefused]) -> Counter[str]:
    return Counter(
        result.code
        if isinstance(result, BallotRefused)
        else ("replayed" if result.replayed else "accepted")
        for result in results
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("recheck_under_lock", [True, False], ids=["row lock", "constraints"])
def test_fifty_simultaneous_submissions_for_one_elector_give_exactly_one_ballot(
    elector_bob: Elector,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
    monkeypatch: pytest.MonkeyPatch,
    recheck_under_lock: bool,
) -> None:
    identifiers = seal_scrutins(csa_national)
    uuid = election_of(csa_national).uuid
    if not recheck_under_lock:
        # Only the first look (the émargement read with the election, before the crypto check)
        # sees earlier votes: the look under the lock (a submission's first call here, since
        # none had voted at the first look) sees none, every writer reaches the INSERTs, and
        # the database's constraints alone keep the vote final. The answer to a refused INSERT
        # (the second call) looks for real.
        calls = threading.local()
        original = ballot_box.check_not_voted

        def first_look_only(*args: Any) -> Receipt | None:
            calls.count = getattr(calls, "count", 0) + 1
            return original(*args) if calls.count != 1 else None

        monkeypatch.setattr(ballot_box, "check_not_voted", first_look_only)
    # Ten distinct ballots, each submitted five times under its own key: a client retrying.
    distinct = [
        ballot_text(csa_national, identifiers.of(elector_bob), 1 + i % 3) for i in range(10)
    ]
    texts = [distinct[i % 10] for i in range(SUBMISSIONS)]
    keys = [f"concurrent-key-{i % 10:04d}" for i in range(SUBMISSIONS)]
    results = submit_together(elector_bob, uuid, texts, keys, monkeypatch)
    counts = outcome(results)
    assert counts["accepted"] == 1, counts
    assert counts["accepted"] + counts["replayed"] + counts["already_voted"] == SUBMISSIONS
    (ballot,) = Ballot.objects.filter(election__uuid=uuid)
    winner = next(r for r in results if isinstance(r, Receipt) and not r.replayed)
    assert ballot.tracker == winner.tracker
    assert all(r.tracker == winner.tracker for r in results if isinstance(r, Receipt))
    assert Emargement.objects.filter(elector=elector_bob).count() == 1
    state = BoxState.of(csa_national)
    assert state.ballots == state.emargements == state.head[2] == 1

"""A simulated election plays every role with urne's own code: its ballots are valid, its
decrypted result is what the voters voted, and it is written as an archive at any stage."""

from __future__ import annotations

import pytest

from urne.crypto.archive import (
    BallotRecord,
    EndBallotsRecord,
    ResultRecord,
    SetupRecord,
    read_records,
)
from urne.crypto.ballot import check_ballot
from urne.crypto.credentials import check_private_credential, derive_public_credential
from urne.crypto.simulate import (
    SimulationError,
    SimulationSpec,
    Stage,
    simulate,
    write_simulation,
)
from urne.crypto.tally import compute_encrypted_tally
from urne.crypto.trustees import PedersenTrustees, SingleTrustee, verify_trustees

from .simulated import simulated


def test_the_decrypted_result_is_what_the_voters_voted():
    election = simulated()
    assert election.result == election.expected
    assert sum(election.result.counts[0]) == 6
    assert len(election.ballots) == len(election.votes) == 6


def test_every_ballot_is_accepted_by_the_ballot_box_and_signed_by_its_voter():
    election = simulated()
    for identifier, ballot in zip(election.voting_identifiers, election.ballots, strict=True):
        check_ballot(election.election, ballot.text, election.credentials)
        assert ballot.credential == derive_public_credential(
            election.election.group, identifier, election.election.uuid
        )


def test_the_tally_is_the_product_of_the_ballots():
    election = simulated()
    assert election.tally == compute_encrypted_tally(
        election.election, ((ballot, 1) for ballot in election.ballots)
    )


def test_each_voter_gets_a_valid_identifier_and_a_vote_for_one_list_or_blank():
    election = simulated(voters=12, lists=2, blank=True, seed=11)
    assert len(set(election.voting_identifiers)) == 12
    for identifier in election.voting_identifiers:
        assert check_private_credential(identifier) == identifier
    for (vote,) in election.votes:
        assert len(vote) == 3  # blank flag, then the two lists
        assert sum(vote) == 1


def test_without_blank_every_vote_picks_one_list():
    election = simulated(voters=5, lists=4, blank=False, seed=2)
    assert election.election.questions[0].blank is None
    assert all(len(vote) == 4 and sum(vote) == 1 for (vote,) in election.votes)


def test_the_seed_makes_the_uuid_and_the_votes_reproducible():
    first = simulated(voters=4, seed=21)
    again = simulate(SimulationSpec(voters=4, lists=3, blank=True, seed=21), jobs=1)
    other = simulated(voters=4, seed=22)
    assert again.election.uuid == first.election.uuid
    assert again.votes == first.votes
    assert again.result == first.result
    # The secrets never come from the seed.
    assert again.voting_identifiers != first.voting_identifiers
    assert again.ballots[0].text != first.ballots[0].text
    assert other.election.uuid != first.election.uuid


def test_several_single_trustees_all_decrypt():
    election = simulated(voters=3, trustees=3, seed=5)
    assert all(isinstance(trustee, SingleTrustee) for trustee in election.trustees)
    assert sorted(election.partial_decryptions) == [1, 2, 3]
    assert election.result == election.expected


def test_a_threshold_ceremony_lets_just_enough_trustees_decrypt():
    election = simulated(voters=4, lists=2, blank=False, trustees=3, threshold=2, seed=3)
    (parameters,) = election.trustees
    assert isinstance(parameters, PedersenTrustees)
    assert parameters.threshold == 2
    verify_trustees(election.election.group, election.trustees)
    assert len(election.partial_decryptions) == 2
    assert set(election.partial_decryptions) <= {1, 2, 3}
    assert election.result == election.expected


def test_ballots_made_in_worker_processes_are_as_valid(tmp_path):
    election = simulate(SimulationSpec(voters=20, lists=2, seed=9), jobs=2)
    assert election.result == election.expected
    seen = set()
    for ballot in election.ballots:
        check_ballot(election.election, ballot.text, election.credentials)
        seen.add(ballot.credential)
    assert len(seen) == 20


def test_progress_is_reported_up_to_the_number_of_voters():
    reports: list[tuple[int, int]] = []
    simulate(
        SimulationSpec(voters=20, lists=2, seed=4), jobs=1, progress=lambda *r: reports.append(r)
    )
    assert reports[-1] == (20, 20)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_an_election_without_voters_has_an_empty_result():
    election = simulate(SimulationSpec(voters=0, lists=2), jobs=1)
    assert election.result.counts == ((0, 0),)


@pytest.mark.parametrize(
    ("stage", "last"),
    [(Stage.OPEN, BallotRecord), (Stage.CLOSED, EndBallotsRecord), (Stage.TALLIED, ResultRecord)],
)
def test_the_archive_is_written_up_to_the_stage_asked(tmp_path, stage, last):
    path = tmp_path / "election.bel"
    write_simulation(simulated(), path, stage)
    records = list(read_records(path))
    assert isinstance(records[0], SetupRecord)
    assert records[0].election == simulated().election.text
    assert sum(isinstance(record, BallotRecord) for record in records) == 6
    assert isinstance(records[-1], last)
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def test_a_failed_write_leaves_no_file_behind(tmp_path, monkeypatch):
    path = tmp_path / "election.bel"

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("urne.crypto.simulate.ArchiveWriter.write_result", broken)
    with pytest.raises(OSError, match="No space"):
        write_simulation(simulated(), path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (SimulationSpec(voters=-1, lists=2), "negative"),
        (SimulationSpec(voters=1, lists=0), "at least one list"),
        (SimulationSpec(voters=1, lists=2, trustees=0), "at least one trustee"),
        (SimulationSpec(voters=1, lists=2, trustees=2, threshold=3), "between 1 and"),
        (SimulationSpec(voters=1, lists=2, trustees=2, threshold=0), "between 1 and"),
        (SimulationSpec(voters=1, lists=2, trustees=1, threshold=1), "at least two trustees"),
    ],
)
def test_parameters_that_make_no_election_are_refused(spec, words):
    with pytest.raises(SimulationError, match=words):
        simulate(spec, jobs=1)

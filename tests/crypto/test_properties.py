"""Invariants of the protocol, on random elections, votes and keys (hypothesis)."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from urne.crypto.ballot import check_ballot, make_ballot, verify_ballot_proofs
from urne.crypto.credentials import PublicCredential, PublicCredentials, derive_public_credential
from urne.crypto.elgamal import decrypt, encrypt, make_encryption, multiply, power
from urne.crypto.errors import BallotDefect, DecryptionFailed, InvalidBallot
from urne.crypto.proofs import Proof, make_key_proof
from urne.crypto.tally import compute_encrypted_tally, decrypt_tally, make_partial_decryption
from urne.crypto.trustees import (
    SingleTrustee,
    Trustee,
    TrusteePublicKey,
    decryption_slots,
    election_public_key,
    make_trustee_key,
    verify_trustees,
)

from .strategies import (
    FEW,
    GROUP,
    KeyedElection,
    deal_threshold_trustees,
    election_votes,
    exponents,
    keyed_elections,
    messages,
    private_credentials,
    uuids,
)


@FEW
@given(exponents().filter(lambda x: x != 0), messages(1000), exponents())
def test_decrypting_an_encryption_gives_the_message(x, m, r):
    y = GROUP.pow_g(x)
    assert decrypt(GROUP, x, encrypt(GROUP, y, m, r), 1000) == m


@FEW
@given(exponents().filter(lambda x: x != 0), st.lists(messages(20), min_size=1, max_size=6))
def test_the_product_of_ciphertexts_decrypts_to_the_sum(x, ms):
    y = GROUP.pow_g(x)
    product = multiply(GROUP, [make_encryption(GROUP, y, m)[0] for m in ms])
    assert decrypt(GROUP, x, product, 200) == sum(ms)


@FEW
@given(exponents().filter(lambda x: x != 0), messages(10), st.integers(1, 50))
def test_a_power_of_a_ciphertext_decrypts_to_a_multiple(x, m, k):
    y = GROUP.pow_g(x)
    assert decrypt(GROUP, x, power(GROUP, make_encryption(GROUP, y, m)[0], k), 500) == m * k


def _credentials(election, identifiers) -> PublicCredentials:
    return PublicCredentials(
        [
            PublicCredential(derive_public_credential(GROUP, identifier, election.uuid))
            for identifier in dict.fromkeys(identifiers)
        ]
    )


@FEW
@given(st.data(), keyed_elections(), private_credentials())
def test_a_ballot_for_any_allowed_vote_is_accepted(data, keyed: KeyedElection, identifier):
    election = keyed.election
    vote = data.draw(election_votes(election))
    ballot = make_ballot(election, identifier, vote)
    assert check_ballot(election, ballot.text, _credentials(election, [identifier])).weight == 1


@FEW
@given(st.data(), keyed_elections(max_questions=1), private_credentials())
def test_a_tampered_proof_fails(data, keyed: KeyedElection, identifier):
    election = keyed.election
    ballot = make_ballot(election, identifier, data.draw(election_votes(election)))
    answer = ballot.answers[0]
    places = ["individual", "overall", "signature"] + (["blank"] if answer.blank_proof else [])
    place = data.draw(st.sampled_from(places))
    field = data.draw(st.sampled_from(["challenge", "response"]))

    def forged(proof: Proof) -> Proof:
        if field == "challenge":
            return Proof(GROUP.exponent(proof.challenge + 1), proof.response)
        return Proof(proof.challenge, GROUP.exponent(proof.response + 1))

    if place == "signature":
        signature = dataclasses.replace(ballot.signature, proof=forged(ballot.signature.proof))
        tampered = dataclasses.replace(ballot, signature=signature, text="")
        expected = BallotDefect.BAD_SIGNATURE
    else:
        if place == "individual":
            i = data.draw(st.integers(0, len(answer.choices) - 1))
            j = data.draw(st.integers(0, 1))
            rows = [list(row) for row in answer.individual_proofs]
            rows[i][j] = forged(rows[i][j])
            new = dataclasses.replace(answer, individual_proofs=tuple(map(tuple, rows)))
            expected = BallotDefect.BAD_INDIVIDUAL_PROOF
        elif place == "overall":
            k = data.draw(st.integers(0, len(answer.overall_proof) - 1))
            proofs = list(answer.overall_proof)
            proofs[k] = forged(proofs[k])
            new = dataclasses.replace(answer, overall_proof=tuple(proofs))
            expected = BallotDefect.BAD_OVERALL_PROOF
        else:
            assert answer.blank_proof is not None
            k = data.draw(st.integers(0, 1))
            proofs = list(answer.blank_proof)
            proofs[k] = forged(proofs[k])
            new = dataclasses.replace(answer, blank_proof=tuple(proofs))
            expected = BallotDefect.BAD_BLANK_PROOF
        tampered = dataclasses.replace(ballot, answers=(new,), text="")
    with pytest.raises(InvalidBallot) as error:
        verify_ballot_proofs(election, tampered)
    assert error.value.reason is expected


@FEW
@given(st.data(), keyed_elections(), uuids(), private_credentials())
def test_a_ballot_made_for_one_election_fails_for_another(data, keyed, other_uuid, identifier):
    election = keyed.election
    ballot = make_ballot(election, identifier, data.draw(election_votes(election)))
    # Another election: same questions and key, another uuid (another scrutin) ...
    if other_uuid != election.uuid:
        other = dataclasses.replace(election, uuid=other_uuid, text="")
        with pytest.raises(InvalidBallot) as error:
            check_ballot(other, ballot.text, _credentials(other, [identifier]))
        assert error.value.reason is BallotDefect.WRONG_ELECTION_UUID
    # ... or the same uuid with other parameters (here, the name).
    renamed = dataclasses.replace(election, name=election.name + "!", text="")
    with pytest.raises(InvalidBallot) as error:
        check_ballot(renamed, ballot.text, _credentials(renamed, [identifier]))
    assert error.value.reason is BallotDefect.WRONG_ELECTION_HASH
    # Even with its fields forced to match, the proofs are bound to the first election.
    forced = dataclasses.replace(
        ballot, election_uuid=renamed.uuid, election_hash=renamed.fingerprint, text=""
    )
    with pytest.raises(InvalidBallot):
        verify_ballot_proofs(renamed, forced)


@FEW
@given(st.data(), keyed_elections(), st.lists(private_credentials(), min_size=1, max_size=4))
def test_the_tally_of_random_ballots_is_the_sum_of_their_votes(data, keyed, identifiers):
    election = keyed.election
    votes = [data.draw(election_votes(election)) for _ in identifiers]
    ballots = [
        make_ballot(election, identifier, vote)
        for identifier, vote in zip(identifiers, votes, strict=True)
    ]
    tally = compute_encrypted_tally(election, ((ballot, 1) for ballot in ballots))
    key = TrusteePublicKey(election.public_key, make_key_proof(GROUP, keyed.private_key))
    partial = make_partial_decryption(election, tally, keyed.private_key)
    result = decrypt_tally(election, [SingleTrustee(key)], tally, {1: partial})
    expected = tuple(
        tuple(sum(column) for column in zip(*(vote[q] for vote in votes), strict=True))
        for q in range(len(election.questions))
    )
    assert result.counts == expected


@FEW
@given(st.data(), st.integers(1, 3), st.integers(0, 2))
def test_any_threshold_of_trustees_decrypts_and_fewer_cannot(data, threshold, extra):
    count = threshold + extra
    setup = deal_threshold_trustees(GROUP, threshold, count)
    server_x, server_key = make_trustee_key(GROUP)
    trustees: list[Trustee] = [SingleTrustee(server_key), setup.trustees]
    verify_trustees(GROUP, trustees)
    y = election_public_key(GROUP, trustees)
    assert y == GROUP.mul(server_key.public_key, setup.public_key)
    keyed = data.draw(keyed_elections(max_questions=1))
    election = dataclasses.replace(keyed.election, public_key=y, text="")
    vote = data.draw(election_votes(election))
    ballot = make_ballot(election, make_identifier(data), vote)
    tally = compute_encrypted_tally(election, [(ballot, 1)])
    partials = {1: make_partial_decryption(election, tally, server_x)}
    slots = decryption_slots(trustees)[1:]
    chosen = data.draw(st.sampled_from(list(itertools.combinations(slots, threshold))))
    for slot in chosen:
        assert slot.position is not None
        partials[slot.owner] = make_partial_decryption(election, tally, setup.shares[slot.position])
    result = decrypt_tally(election, trustees, tally, partials)
    assert result.counts == (tuple(vote[0]),)
    if threshold > 1:
        fewer = {owner: partial for owner, partial in list(partials.items())[:threshold]}
        with pytest.raises(DecryptionFailed, match="partial decryptions are needed"):
            decrypt_tally(election, trustees, tally, fewer)


def make_identifier(data: st.DataObject) -> str:
    identifier: str = data.draw(private_credentials())
    return identifier


@pytest.mark.parametrize(("ci", "examples"), [("true", 100), ("", 6)])
def test_ci_looks_at_many_more_examples_than_a_local_run(ci, examples):
    # In a fresh interpreter: the profile is chosen once, when the strategies are imported.
    probe = (
        "from tests.crypto.strategies import FEW, MANY\n"
        "print(FEW.max_examples, MANY.max_examples, FEW.deadline)"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin", "CI": ci},
    )
    assert done.stdout.split() == [str(examples), str(4 * examples), "None"]

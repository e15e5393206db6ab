"""Counting: the encrypted tally, partial decryptions and their combination into the result."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from urne.crypto.ballot import make_ballot
from urne.crypto.errors import DecryptionFailed, InvalidPartialDecryption
from urne.crypto.jsonio import dumps, loads
from urne.crypto.tally import (
    EncryptedTally,
    PartialDecryption,
    Result,
    TallyAccumulator,
    compute_encrypted_tally,
    decrypt_tally,
    lagrange_coefficient,
    make_partial_decryption,
    verify_partial_decryption,
)
from urne.crypto.trustees import (
    PedersenTrustees,
    SingleTrustee,
    decryption_slots,
    read_private_key,
)

from .belenios_tool import run_tool
from .conftest import Reference, archive_data, read_text


def _tally(reference: Reference) -> EncryptedTally:
    return compute_encrypted_tally(
        reference.election, ((ballot, 1) for ballot in reference.ballots().values())
    )


def _archived(reference: Reference) -> tuple[dict[str, Any], str, dict[int, PartialDecryption]]:
    """The tallied archive's sized tally, encrypted tally text and partial decryptions."""
    data = archive_data(reference.folder / "tallied.bel")
    sized = next(loads(text) for text in data.values() if text.startswith('{"num_tallied"'))
    partials = {}
    for text in data.values():
        if text.startswith('{"owner"'):
            owned = loads(text)
            partials[owned["owner"]] = PartialDecryption.from_json(
                reference.election.group, loads(data[owned["payload"]])
            )
    return sized, data[sized["encrypted_tally"]], partials


def _private_key(reference: Reference):
    (privkey,) = (reference.folder / "keys").glob("*.privkey")
    return read_private_key(reference.election.group, privkey.read_text())


def test_the_encrypted_tally_is_the_one_belenios_tool_computed(
    single: Reference, threshold: Reference
):
    for reference in (single, threshold):
        tally = _tally(reference)
        sized, text, _ = _archived(reference)
        assert dumps(tally.to_json()) == text
        assert tally.sized_to_json(sized["encrypted_tally"]) == sized
        again = EncryptedTally.from_json(
            reference.election, loads(text), tally.num_tallied, tally.total_weight
        )
        assert again == tally


def test_the_single_key_decrypts_the_vectors_result(single: Reference):
    tally = _tally(single)
    partial = make_partial_decryption(single.election, tally, _private_key(single))
    trustee = single.trustees[0]
    assert isinstance(trustee, SingleTrustee)
    verify_partial_decryption(single.election, tally, trustee.key.public_key, partial)
    result = decrypt_tally(single.election, single.trustees, tally, {1: partial})
    assert result.to_json() == {"result": single.result}
    assert dumps(result.to_json()) == '{"result":[[2,4,2,2,0,0,2]]}'


def test_the_archived_partial_decryptions_verify_and_give_the_result(
    single: Reference, threshold: Reference
):
    for reference in (single, threshold):
        _, _, partials = _archived(reference)
        result = decrypt_tally(reference.election, reference.trustees, _tally(reference), partials)
        assert result.counts == tuple(tuple(row) for row in reference.result)


def test_any_two_of_the_three_threshold_trustees_suffice(threshold: Reference):
    tally = _tally(threshold)
    _, _, archived = _archived(threshold)
    single_share = make_partial_decryption(threshold.election, tally, _private_key(threshold))
    for pair in ((2, 3), (2, 4), (3, 4)):
        partials = {1: single_share} | {owner: archived[owner] for owner in pair}
        result = decrypt_tally(threshold.election, threshold.trustees, tally, partials)
        assert result.to_json() == {"result": [[2, 2, 2, 2, 0], [4, 2, 2]]}


def test_one_threshold_trustee_is_not_enough(threshold: Reference):
    tally = _tally(threshold)
    _, _, archived = _archived(threshold)
    with pytest.raises(DecryptionFailed, match="2 partial decryptions are needed, 1 received"):
        decrypt_tally(
            threshold.election, threshold.trustees, tally, {1: archived[1], 3: archived[3]}
        )


def test_the_single_trustee_is_always_needed(threshold: Reference):
    tally = _tally(threshold)
    _, _, archived = _archived(threshold)
    partials = {owner: archived[owner] for owner in (2, 3, 4)}
    with pytest.raises(DecryptionFailed, match="trustee 1 is missing"):
        decrypt_tally(threshold.election, threshold.trustees, tally, partials)


def test_a_forged_partial_decryption_is_refused_naming_its_trustee(threshold: Reference):
    tally = _tally(threshold)
    _, _, archived = _archived(threshold)
    forged_rows = list(archived[3].decryption_factors)
    forged_rows[1] = (forged_rows[1][1], forged_rows[1][0], forged_rows[1][2])
    forged = dataclasses.replace(archived[3], decryption_factors=tuple(forged_rows))
    with pytest.raises(InvalidPartialDecryption, match="trustee 3: question 2, choice 0"):
        decrypt_tally(threshold.election, threshold.trustees, tally, archived | {3: forged})


def test_a_partial_decryption_by_the_wrong_trustee_is_refused(threshold: Reference):
    tally = _tally(threshold)
    _, _, archived = _archived(threshold)
    with pytest.raises(InvalidPartialDecryption, match="trustee 2"):
        decrypt_tally(threshold.election, threshold.trustees, tally, archived | {2: archived[3]})
    with pytest.raises(InvalidPartialDecryption, match="no trustee number 5"):
        decrypt_tally(threshold.election, threshold.trustees, tally, archived | {5: archived[3]})


def test_a_partial_decryption_of_another_shape_is_refused(single: Reference):
    tally = _tally(single)
    partial = make_partial_decryption(single.election, tally, _private_key(single))
    short = PartialDecryption(
        (partial.decryption_factors[0][:-1],), (partial.decryption_proofs[0][:-1],)
    )
    trustee = single.trustees[0]
    assert isinstance(trustee, SingleTrustee)
    with pytest.raises(InvalidPartialDecryption, match="shape"):
        verify_partial_decryption(single.election, tally, trustee.key.public_key, short)


def test_a_partial_decryption_survives_its_json(single: Reference):
    tally = _tally(single)
    partial = make_partial_decryption(single.election, tally, _private_key(single))
    value = partial.to_json()
    assert list(value) == ["decryption_factors", "decryption_proofs"]
    assert PartialDecryption.from_json(single.election.group, loads(dumps(value))) == partial


def test_weights_multiply_a_ballot(single: Reference):
    ballots = single.ballots()
    weights = {voter: (3 if voter == "11" else 1) for voter in ballots}
    tally = compute_encrypted_tally(
        single.election, ((ballot, weights[voter]) for voter, ballot in ballots.items())
    )
    assert (tally.num_tallied, tally.total_weight) == (12, 14)
    partial = make_partial_decryption(single.election, tally, _private_key(single))
    result = decrypt_tally(single.election, single.trustees, tally, {1: partial})
    # Voter 11 chose the second list: it gets two more votes.
    assert single.plaintexts["11"] == [[0, 0, 1, 0, 0, 0, 0]]
    assert result.counts == ((2, 4, 4, 2, 0, 0, 2),)


def test_a_count_beyond_the_total_weight_is_a_failure(single: Reference):
    tally = dataclasses.replace(_tally(single), total_weight=3)
    partial = make_partial_decryption(single.election, tally, _private_key(single))
    with pytest.raises(DecryptionFailed, match="beyond the total weight"):
        decrypt_tally(single.election, single.trustees, tally, {1: partial})


def test_an_empty_ballot_box_decrypts_to_zeros(threshold: Reference):
    tally = TallyAccumulator(threshold.election).result()
    assert (tally.num_tallied, tally.total_weight) == (0, 0)
    _, _, archived = _archived(threshold)
    single_share = make_partial_decryption(threshold.election, tally, _private_key(threshold))
    with pytest.raises(InvalidPartialDecryption):
        # The archived shares decrypt another tally: their proofs fail on this one.
        decrypt_tally(threshold.election, threshold.trustees, tally, archived | {1: single_share})


def test_a_ballot_made_by_urne_is_counted(single: Reference):
    accumulator = TallyAccumulator(single.election)
    for ballot in single.ballots().values():
        accumulator.add(ballot)
    accumulator.add(
        make_ballot(single.election, single.private_credentials["10"], [[0, 0, 0, 0, 0, 1, 0]])
    )
    tally = accumulator.result()
    partial = make_partial_decryption(single.election, tally, _private_key(single))
    result = decrypt_tally(single.election, single.trustees, tally, {1: partial})
    assert result.counts == ((2, 4, 2, 2, 0, 1, 2),)


def test_the_accumulator_refuses_a_zero_weight(single: Reference):
    with pytest.raises(ValueError, match="at least 1"):
        TallyAccumulator(single.election).add(single.ballots()["10"], 0)


def test_lagrange_coefficients_interpolate_at_zero():
    q = 101
    # f(x) = 7 + 3x: f(1) = 10, f(2) = 13, f(3) = 16.
    shares = {1: 10, 2: 13, 3: 16}
    for indices in ([1, 2], [1, 3], [2, 3], [1, 2, 3]):
        value = sum(shares[d] * lagrange_coefficient(indices, d, q) for d in indices) % q
        assert value == 7


def test_results_read_and_write_as_belenios_does():
    result = Result.from_json(loads('{"result":[[2,2,2,2,0],[4,2,2]]}'))
    assert result.counts == ((2, 2, 2, 2, 0), (4, 2, 2))
    assert dumps(result.to_json()) == '{"result":[[2,2,2,2,0],[4,2,2]]}'


@pytest.mark.belenios
def test_the_threshold_trustees_keys_decrypt_the_vectors_result(
    tmp_path: Path, threshold: Reference
):
    """Each threshold trustee's partial decryption is made by belenios-tool from its keys/*.key
    and keys/*.dkey (the share is sealed with AES-CCM, opened by the tool); urne verifies them,
    adds its own for the "Single" key, and any two of three give result.json."""
    shutil.copyfile(threshold.folder / "tallied.bel", tmp_path / f"{threshold.election.uuid}.bel")
    pedersen = threshold.trustees[1]
    assert isinstance(pedersen, PedersenTrustees)
    owners = {
        cert.message: slot.owner
        for cert, slot in zip(pedersen.certs, decryption_slots(threshold.trustees)[1:], strict=True)
    }
    tally = _tally(threshold)
    partials = {1: make_partial_decryption(threshold.election, tally, _private_key(threshold))}
    for key in sorted((threshold.folder / "keys").glob("*.key")):
        made = run_tool(
            "election",
            "decrypt-threshold",
            "--dir",
            str(tmp_path),
            "--key",
            str(key),
            "--decryption-key",
            str(key.with_suffix(".dkey")),
            "--trustee-id",
            "1",
        )
        owner = owners[loads(read_text(key.with_suffix(".cert")))["message"]]
        # The tool prints the partial decryption, then the line that would own it in the archive.
        payload = made.stdout.splitlines()[0]
        partials[owner] = PartialDecryption.from_json(threshold.election.group, loads(payload))
    assert sorted(partials) == [1, 2, 3, 4]
    for pair in ((2, 3), (2, 4), (3, 4)):
        chosen = {owner: partials[owner] for owner in (1, *pair)}
        result = decrypt_tally(threshold.election, threshold.trustees, tally, chosen)
        assert result.to_json() == {"result": threshold.result}

"""Trustee keys, trustees.json ("Single" and "Pedersen") and the election public key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from urne.crypto.errors import InvalidTrustees, MalformedData, WrongLength
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import dumps, loads
from urne.crypto.proofs import Proof
from urne.crypto.trustees import (
    PedersenTrustees,
    SingleTrustee,
    TrusteePublicKey,
    decryption_slots,
    election_public_key,
    make_trustee_key,
    private_key_to_json,
    read_private_key,
    read_trustees,
    trustees_to_json,
    verify_trustees,
)

from .belenios_tool import run_tool
from .conftest import Reference, read_text

GROUP = BELENIOS_2048


def test_the_vectors_trustees_verify_and_combine_into_the_election_key(
    single: Reference, threshold: Reference
):
    for reference in (single, threshold):
        verify_trustees(GROUP, reference.trustees)
        assert election_public_key(GROUP, reference.trustees) == reference.election.public_key
        text = read_text(reference.folder / "trustees.json")
        assert dumps(trustees_to_json(reference.trustees)) == text


def test_the_threshold_vector_has_a_single_key_and_a_two_of_three_sharing(threshold: Reference):
    single_item, pedersen = threshold.trustees
    assert isinstance(single_item, SingleTrustee)
    assert isinstance(pedersen, PedersenTrustees)
    assert pedersen.threshold == 2
    assert len(pedersen.certs) == len(pedersen.verification_keys) == 3
    assert all(len(row) == 2 for row in pedersen.coefficient_commitments(GROUP))


def test_trustees_are_numbered_as_the_archive_owners(threshold: Reference):
    slots = decryption_slots(threshold.trustees)
    assert [(s.owner, s.item, s.position) for s in slots] == [
        (1, 0, None),
        (2, 1, 1),
        (3, 1, 2),
        (4, 1, 3),
    ]
    pedersen = threshold.trustees[1]
    assert isinstance(pedersen, PedersenTrustees)
    assert slots[2].public_key == pedersen.verification_keys[1].public_key


def test_a_made_single_key_proves_knowledge_of_its_private_key():
    x, key = make_trustee_key(GROUP)
    assert key.public_key == GROUP.pow_g(x)
    key.verify(GROUP)
    again = TrusteePublicKey.from_json(GROUP, loads(dumps(key.to_json())))
    assert again == key
    assert list(key.to_json()) == ["pok", "public_key"]


def test_a_key_proof_for_another_key_fails():
    _, key = make_trustee_key(GROUP)
    _, other = make_trustee_key(GROUP)
    with pytest.raises(InvalidTrustees, match="proof of knowledge"):
        TrusteePublicKey(other.public_key, key.pok).verify(GROUP)
    tampered = Proof(key.pok.challenge, GROUP.exponent(key.pok.response + 1))
    with pytest.raises(InvalidTrustees):
        TrusteePublicKey(key.public_key, tampered).verify(GROUP)
    with pytest.raises(InvalidTrustees, match="trustees item 2"):
        verify_trustees(
            GROUP, [SingleTrustee(key), SingleTrustee(dataclasses.replace(key, pok=tampered))]
        )


def test_the_vectors_private_keys_match_their_public_keys(single: Reference):
    (privkey,) = (single.folder / "keys").glob("*.privkey")
    x = read_private_key(GROUP, privkey.read_text())
    trustee = single.trustees[0]
    assert isinstance(trustee, SingleTrustee)
    assert GROUP.pow_g(x) == trustee.key.public_key
    assert private_key_to_json(x) == read_text(privkey)


@pytest.mark.belenios
def test_a_key_made_by_belenios_tool_verifies(tmp_path: Path):
    run_tool("setup", "generate-trustee-key", "--group", "BELENIOS-2048", cwd=tmp_path)
    (public,) = tmp_path.glob("*.pubkey")
    (private,) = tmp_path.glob("*.privkey")
    key = TrusteePublicKey.from_json(GROUP, loads(public.read_text()))
    key.verify(GROUP)
    assert GROUP.pow_g(read_private_key(GROUP, private.read_text())) == key.public_key


def _pedersen(threshold: Reference) -> PedersenTrustees:
    item = threshold.trustees[1]
    assert isinstance(item, PedersenTrustees)
    return item


def test_threshold_keys_that_do_not_match_the_polynomials_are_refused(threshold: Reference):
    pedersen = _pedersen(threshold)
    first, second, third = pedersen.verification_keys
    swapped = dataclasses.replace(pedersen, verification_keys=(second, first, third))
    with pytest.raises(InvalidTrustees, match="trustee 1: verification key does not match"):
        verify_trustees(GROUP, [threshold.trustees[0], swapped])


def test_a_threshold_cert_with_a_bad_signature_is_refused(threshold: Reference):
    pedersen = _pedersen(threshold)
    cert = pedersen.certs[1]
    forged = dataclasses.replace(
        cert, signature=Proof(cert.signature.challenge, GROUP.exponent(cert.signature.response + 1))
    )
    tampered = dataclasses.replace(pedersen, certs=(pedersen.certs[0], forged, pedersen.certs[2]))
    with pytest.raises(InvalidTrustees, match="threshold trustee 2: message signature"):
        tampered.verify(GROUP)


def test_coefexps_signed_by_another_trustee_are_refused(threshold: Reference):
    pedersen = _pedersen(threshold)
    first, second, third = pedersen.coefexps
    tampered = dataclasses.replace(pedersen, coefexps=(second, first, third))
    with pytest.raises(InvalidTrustees, match="threshold trustee 1"):
        tampered.verify(GROUP)


def test_threshold_parameters_of_the_wrong_shape_are_refused(threshold: Reference):
    value = loads(read_text(threshold.folder / "trustees.json"))
    parameters = value[1][1]
    parameters["coefexps"] = parameters["coefexps"][:2]
    with pytest.raises(WrongLength, match="coefexps"):
        read_trustees(GROUP, value)
    value = loads(read_text(threshold.folder / "trustees.json"))
    value[1][1]["threshold"] = 4
    with pytest.raises(MalformedData, match="more than the trustees"):
        read_trustees(GROUP, value)
    with pytest.raises(MalformedData, match="unknown kind"):
        read_trustees(GROUP, [["Triple", {}]])
    with pytest.raises(MalformedData, match="at least one trustee"):
        read_trustees(GROUP, [])

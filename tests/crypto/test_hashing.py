"""The hash functions of the specification."""

from __future__ import annotations

from pathlib import Path

from urne.crypto import hashing

from .conftest import read_text


def test_the_election_fingerprint_is_unpadded_base64_sha256(vectors: Path):
    text = read_text(vectors / "single" / "election.json")
    assert hashing.hash_json(text) == "cy6NnSy3LNa72sxHRMw8bwFeEJpbJ9TBTGOBbAV+1mY"


def test_hashes_of_known_strings():
    assert hashing.sha256_hex("") == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert hashing.hash_json("") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
    assert hashing.hash_to_int("") == int(hashing.sha256_hex(""), 16)
    assert hashing.hash_mod("", 97) == int(hashing.sha256_hex(""), 16) % 97
    assert hashing.join_numbers([1, 22, 333]) == "1,22,333"

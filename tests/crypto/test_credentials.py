"""Voting identifiers: format, checksum, derivation of the public credential, credential lists."""

from __future__ import annotations

import pytest
from hypothesis import given

from urne.crypto.credentials import (
    BASE58,
    PublicCredential,
    PublicCredentials,
    check_private_credential,
    derive_public_credential,
    derive_secret,
    make_private_credential,
)
from urne.crypto.errors import InvalidCredential, MalformedData, NonCanonicalNumber, NotInGroup
from urne.crypto.group import BELENIOS_2048
from urne.crypto.jsonio import dumps

from .belenios_tool import run_tool
from .conftest import Reference, archive_data
from .strategies import FEW, private_credentials, uuids

GROUP = BELENIOS_2048


def test_the_vectors_private_credentials_derive_exactly_their_public_credentials(
    single: Reference, threshold: Reference
):
    for reference in (single, threshold):
        derived = [
            derive_public_credential(GROUP, credential, reference.election.uuid)
            for credential in reference.private_credentials.values()
        ]
        assert sorted(derived) == sorted(reference.credentials)
        assert len(derived) == len(reference.credentials)


def test_one_identifier_gives_unlinkable_credentials_in_two_scrutins(single: Reference):
    """urne's rule: one identifier per elector for the campaign, one uuid per scrutin."""
    identifier = single.private_credentials["10"]
    first = derive_public_credential(GROUP, identifier, "iXEX1YBacEUwsS")
    second = derive_public_credential(GROUP, identifier, "Ab3dEf6hJk9mNpQ")
    assert first != second
    assert first in single.credentials
    assert second not in single.credentials


def test_a_made_identifier_has_the_dashed_format_and_a_valid_checksum():
    identifiers = {make_private_credential() for _ in range(50)}
    assert len(identifiers) == 50
    for identifier in identifiers:
        assert len(identifier) == 19
        assert identifier[3::4] == "----"
        assert all(character in BASE58 for character in identifier.replace("-", ""))
        assert check_private_credential(identifier) == identifier


def test_it_accepts_an_identifier_without_dashes_or_with_blanks_around():
    assert check_private_credential(" zx5D2Z3Dc61PRna\n") == "zx5-D2Z-3Dc-61P-Rna"
    assert check_private_credential("zx5-D2Z-3Dc-61P-Rna") == "zx5-D2Z-3Dc-61P-Rna"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("zx5-D2Z-3Dc-61P-Rnb", "checksum"),  # last character mistyped
        ("zx5-D2Z-3Dc-16P-Rna", "checksum"),  # two characters swapped
        ("zx5-D2Z-3Dc-61P-Rn", "15 characters"),
        ("zx5-D2Z-3Dc-61P-Rnaa", "15 characters"),
        ("zx5D-2Z3-Dc6-1PR-na", "15 characters"),  # dashes in the wrong places
        ("zx5-D2Z-3Dc-61P-R0a", "0"),  # zero is not in the alphabet
        ("zx5-D2Z-3Dc-6lP-Rna", "l"),
        ("", "15 characters"),
    ],
)
def test_it_refuses_a_mistyped_identifier(typed, message):
    with pytest.raises(InvalidCredential, match=message):
        check_private_credential(typed)


def test_deriving_checks_the_identifier_first():
    with pytest.raises(InvalidCredential):
        derive_secret(GROUP, "zx5-D2Z-3Dc-61P-Rnb", "iXEX1YBacEUwsS")


@FEW
@given(private_credentials(), uuids())
def test_every_well_formed_identifier_is_accepted_and_derives_a_group_element(identifier, uuid):
    assert check_private_credential(identifier) == identifier
    assert GROUP.is_element(derive_public_credential(GROUP, identifier, uuid))


@pytest.mark.belenios
def test_derivation_agrees_with_belenios_tool():
    identifier = make_private_credential()
    done = run_tool(
        "setup",
        "generate-credentials",
        "--uuid",
        "Ab3dEf6hJk9mNpQ",
        "--group",
        "BELENIOS-2048",
        "--derive",
        identifier,
    )
    expected = derive_public_credential(GROUP, identifier, "Ab3dEf6hJk9mNpQ")
    assert done.stdout.strip() == str(expected)


def test_a_credential_list_reads_weights_and_logins():
    one, two, three = (GROUP.pow_g(k) for k in (11, 22, 33))
    credentials = PublicCredentials.from_json(
        GROUP, [str(one), f"{two},3", f"{three},,alice@example.fr"]
    )
    assert dict(credentials) == {one: 1, two: 3, three: 1}
    assert credentials.total_weight == 5
    assert credentials.entries[2].login == "alice@example.fr"
    # Published form: no login ever; the weight only when it is not 1.
    assert credentials.to_json() == [str(one), f"{two},3", str(three)]
    assert PublicCredential(two, 3, "bob").to_json(with_login=True) == f"{two},3,bob"


def test_the_vectors_credential_lists_have_unit_weights(single: Reference):
    assert len(single.credentials) == 12
    assert single.credentials.total_weight == 12
    assert {entry.login for entry in single.credentials.entries} == set(single.private_credentials)


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        (["12"], NotInGroup),
        (["not a number"], NonCanonicalNumber),
        ([f"{GROUP.pow_g(5)},0"], NonCanonicalNumber),
        ([f"{GROUP.pow_g(5)},-2"], NonCanonicalNumber),
        ([str(GROUP.pow_g(5)), f"{GROUP.pow_g(5)},2"], MalformedData),
    ],
    ids=["not-in-group", "not-a-number", "zero-weight", "negative-weight", "duplicate"],
)
def test_it_refuses_a_bad_credential_list(entries, error):
    with pytest.raises(error):
        PublicCredentials.from_json(GROUP, entries)


def test_a_credential_list_serializes_as_belenios_publishes_it(single: Reference):
    """The tool's .pubcreds file has logins; the archive has the bare list: ours is the same."""
    data = archive_data(single.folder / "tallied.bel")
    published = next(text for text in data.values() if text.startswith('["'))
    assert dumps(single.credentials.to_json()) == published

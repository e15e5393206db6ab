"""The threshold key ceremony, step by step: against the vectors' ceremony, among urne's own
trustees, and mixed with trustees (and a server) using the real belenios-tool."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pytest

from urne.crypto.archive import ArchiveWriter, EncryptedTallyRecord, read_records
from urne.crypto.ballot import make_ballot
from urne.crypto.credentials import (
    PublicCredential,
    PublicCredentials,
    derive_public_credential,
    make_private_credential,
)
from urne.crypto.election import Question, make_election, make_uuid
from urne.crypto.elgamal import encrypt
from urne.crypto.group import BELENIOS_2048, Exponent
from urne.crypto.jsonio import dumps, loads
from urne.crypto.pedersen import (
    CeremonyError,
    EncryptedMessage,
    Polynomial,
    TrusteeKeys,
    Vinput,
    Voutput,
    cert_name,
    check_seed,
    decrypt_message,
    derive_keys,
    encrypt_message,
    make_cert,
    make_polynomial,
    make_seed,
    make_threshold_parameters,
    make_vinputs,
    make_voutput,
    read_cert,
    read_decryption_key,
    receive,
    send,
    sign_message,
    single_key_id,
    verify_certs,
)
from urne.crypto.tally import (
    EncryptedTally,
    compute_encrypted_tally,
    decrypt_tally,
    lagrange_coefficient,
    make_partial_decryption,
)
from urne.crypto.trustees import (
    PedersenTrustees,
    SignedMessage,
    SingleTrustee,
    TrusteePublicKey,
    election_public_key,
    make_trustee_key,
    private_key_to_json,
    read_private_key,
    read_trustees,
    verify_trustees,
)

from .belenios_tool import run_tool, run_tool_unchecked
from .conftest import Reference, read_text

GROUP = BELENIOS_2048


@dataclass(frozen=True)
class Ceremony:
    """The messages of one ceremony, in the order of the certificates."""

    keys: list[TrusteeKeys]
    certs: list[SignedMessage]
    polynomials: list[Polynomial]
    vinputs: list[Vinput]
    voutputs: list[Voutput]
    parameters: PedersenTrustees


def _vector_ceremony(threshold: Reference) -> Ceremony:
    folder = threshold.folder / "keys"
    certs = [
        read_cert(GROUP, loads(line)) for line in read_text(folder / "certs.jsons").split("\n")
    ]
    names = [cert_name(cert) for cert in certs]
    polynomials = [
        Polynomial.from_json(GROUP, loads(line))
        for line in read_text(folder / "polynomials.jsons").split("\n")
    ]
    pedersen = threshold.trustees[1]
    assert isinstance(pedersen, PedersenTrustees)
    return Ceremony(
        keys=[derive_keys(GROUP, read_text(folder / f"{name}.key")) for name in names],
        certs=certs,
        polynomials=polynomials,
        vinputs=[
            Vinput.from_json(GROUP, loads(read_text(folder / f"{name}.vinput"))) for name in names
        ],
        voutputs=[
            Voutput.from_json(GROUP, loads(read_text(folder / f"{name}.voutput"))) for name in names
        ],
        parameters=pedersen,
    )


def _urne_ceremony(count: int, threshold: int) -> Ceremony:
    keys = [derive_keys(GROUP, make_seed()) for _ in range(count)]
    certs = [make_cert(GROUP, key) for key in keys]
    polynomials = [make_polynomial(GROUP, certs, key, threshold) for key in keys]
    vinputs = list(make_vinputs(GROUP, certs, polynomials))
    voutputs = [
        make_voutput(GROUP, certs, key, vinput) for key, vinput in zip(keys, vinputs, strict=True)
    ]
    parameters = make_threshold_parameters(GROUP, certs, polynomials, voutputs)
    return Ceremony(keys, certs, polynomials, vinputs, voutputs, parameters)


@pytest.fixture(scope="module")
def urne_ceremony() -> Ceremony:
    """Three urne trustees, two of whom are needed."""
    return _urne_ceremony(3, 2)


# --- the vectors' ceremony, made by belenios-tool ------------------------------------------------


def test_the_vectors_certificates_verify_and_are_named_as_the_tool_names_them(
    threshold: Reference,
):
    ceremony = _vector_ceremony(threshold)
    cert_keys = verify_certs(GROUP, ceremony.certs)
    files = sorted(path.stem for path in (threshold.folder / "keys").glob("*.cert"))
    assert [cert_name(cert) for cert in ceremony.certs] == files
    for keys, cert, found in zip(ceremony.keys, ceremony.certs, cert_keys, strict=True):
        assert (found.verification, found.encryption) == (
            keys.verification_key,
            keys.encryption_key,
        )
        # Signatures are random, the signed message is not: the seed gives back the cert.
        assert make_cert(GROUP, keys).message == cert.message


def test_the_vectors_ceremony_messages_read_and_write_byte_for_byte(threshold: Reference):
    folder = threshold.folder / "keys"
    ceremony = _vector_ceremony(threshold)
    lines = read_text(folder / "polynomials.jsons").split("\n")
    assert [dumps(polynomial.to_json()) for polynomial in ceremony.polynomials] == lines
    for cert, vinput, voutput in zip(
        ceremony.certs, ceremony.vinputs, ceremony.voutputs, strict=True
    ):
        name = cert_name(cert)
        assert dumps(vinput.to_json()) == read_text(folder / f"{name}.vinput")
        assert dumps(voutput.to_json()) == read_text(folder / f"{name}.voutput")
        assert dumps(cert.to_json()) == read_text(folder / f"{name}.cert")


def test_the_server_routes_the_vinputs_as_belenios_tool_did(threshold: Reference):
    ceremony = _vector_ceremony(threshold)
    vinputs = make_vinputs(GROUP, ceremony.certs, ceremony.polynomials)
    assert list(vinputs) == ceremony.vinputs


def test_the_threshold_parameters_are_the_vectors_trustees(threshold: Reference):
    ceremony = _vector_ceremony(threshold)
    parameters = make_threshold_parameters(
        GROUP, ceremony.certs, ceremony.polynomials, ceremony.voutputs
    )
    assert parameters == ceremony.parameters
    assert dumps(parameters.to_json()) == dumps(threshold.trustees[1].to_json())


def test_each_vector_trustee_recomputes_its_share_from_its_vinput(threshold: Reference):
    ceremony = _vector_ceremony(threshold)
    for keys, vinput, voutput in zip(
        ceremony.keys, ceremony.vinputs, ceremony.voutputs, strict=True
    ):
        again = make_voutput(GROUP, ceremony.certs, keys, vinput)
        assert again.public_key.public_key == voutput.public_key.public_key
        again.public_key.verify(GROUP)
        _, share = read_decryption_key(GROUP, keys, ceremony.parameters, again.private_key)
        _, sealed = read_decryption_key(GROUP, keys, ceremony.parameters, voutput.private_key)
        assert share == sealed


def _archived_tally(reference: Reference) -> EncryptedTally:
    (record,) = [
        record
        for record in read_records(reference.folder / "tallied.bel")
        if isinstance(record, EncryptedTallyRecord)
    ]
    return EncryptedTally.from_json(
        reference.election,
        loads(record.encrypted_tally),
        record.num_tallied,
        record.total_weight,
    )


def test_the_vectors_sealed_shares_open_and_decrypt_the_result(threshold: Reference):
    """keys/*.dkey opened with keys/*.key; with the "Single" key, any two of the three threshold
    trustees decrypt the archived tally to result.json."""
    election = threshold.election
    ceremony = _vector_ceremony(threshold)
    tally = _archived_tally(threshold)
    (privkey,) = (threshold.folder / "keys").glob("*.privkey")
    single_key = read_private_key(GROUP, privkey.read_text())
    partials = {1: make_partial_decryption(election, tally, single_key)}
    for keys, cert in zip(ceremony.keys, ceremony.certs, strict=True):
        sealed = read_text(threshold.folder / "keys" / f"{cert_name(cert)}.dkey")
        position, share = read_decryption_key(GROUP, keys, ceremony.parameters, sealed)
        partials[1 + position] = make_partial_decryption(election, tally, share)
    for pair in ((2, 3), (2, 4), (3, 4)):
        chosen = {owner: partials[owner] for owner in (1, *pair)}
        result = decrypt_tally(election, threshold.trustees, tally, chosen)
        assert result.to_json() == {"result": threshold.result}


def test_single_key_files_are_named_as_the_tool_names_them(threshold: Reference):
    (pubkey,) = (threshold.folder / "keys").glob("*.pubkey")
    key = TrusteePublicKey.from_json(GROUP, loads(pubkey.read_text()))
    assert single_key_id(key.public_key) == pubkey.stem == "7037078A"


# --- a ceremony among urne's trustees ------------------------------------------------------------


def test_any_two_of_three_urne_trustees_decrypt(urne_ceremony: Ceremony):
    parameters = urne_ceremony.parameters
    verify_trustees(GROUP, [parameters])
    y = election_public_key(GROUP, [parameters])
    ciphertext = encrypt(GROUP, y, 5, GROUP.random_exponent())
    shares = {}
    for keys, voutput in zip(urne_ceremony.keys, urne_ceremony.voutputs, strict=True):
        position, share = read_decryption_key(GROUP, keys, parameters, voutput.private_key)
        shares[position] = share
    assert sorted(shares) == [1, 2, 3]
    for chosen in ([1, 2], [1, 3], [2, 3], [1, 2, 3]):
        factor = GROUP.prod(
            GROUP.pow(
                GROUP.pow(ciphertext.alpha, shares[d]),
                lagrange_coefficient(chosen, d, GROUP.q),
            )
            for d in chosen
        )
        assert GROUP.log_g(GROUP.div(ciphertext.beta, factor), 10) == 5
    # One share alone is no key.
    alone = GROUP.div(ciphertext.beta, GROUP.pow(ciphertext.alpha, shares[1]))
    assert alone != GROUP.pow_g(5)


def test_a_three_of_five_ceremony_needs_three():
    ceremony = _urne_ceremony(5, 3)
    assert ceremony.parameters.threshold == 3
    assert all(len(row) == 3 for row in ceremony.parameters.coefficient_commitments(GROUP))
    shares = {
        position: share
        for position, share in (
            read_decryption_key(GROUP, keys, ceremony.parameters, voutput.private_key)
            for keys, voutput in zip(ceremony.keys, ceremony.voutputs, strict=True)
        )
    }
    secret = (
        sum(shares[d] * lagrange_coefficient([1, 3, 5], d, GROUP.q) for d in (1, 3, 5)) % GROUP.q
    )
    assert GROUP.pow_g(secret) == election_public_key(GROUP, [ceremony.parameters])
    two = sum(shares[d] * lagrange_coefficient([2, 4], d, GROUP.q) for d in (2, 4)) % GROUP.q
    assert GROUP.pow_g(two) != election_public_key(GROUP, [ceremony.parameters])


def test_the_ceremony_messages_survive_their_json(urne_ceremony: Ceremony):
    for polynomial in urne_ceremony.polynomials:
        assert Polynomial.from_json(GROUP, loads(dumps(polynomial.to_json()))) == polynomial
    for vinput, voutput in zip(urne_ceremony.vinputs, urne_ceremony.voutputs, strict=True):
        assert Vinput.from_json(GROUP, loads(dumps(vinput.to_json()))) == vinput
        assert Voutput.from_json(GROUP, loads(dumps(voutput.to_json()))) == voutput
    for cert in urne_ceremony.certs:
        assert read_cert(GROUP, loads(dumps(cert.to_json()))) == cert


# --- channels ------------------------------------------------------------------------------------


def test_a_message_goes_through_a_channel(urne_ceremony: Ceremony):
    alice, bob, _ = urne_ceremony.keys
    text = send(GROUP, alice.signing_key, bob.encryption_key, "bonjour, l'urne")
    assert receive(GROUP, bob, alice.verification_key, text, "message") == "bonjour, l'urne"


def test_a_message_for_another_trustee_cannot_be_opened(urne_ceremony: Ceremony):
    alice, bob, charlie = urne_ceremony.keys
    text = send(GROUP, alice.signing_key, bob.encryption_key, "secret")
    with pytest.raises(CeremonyError, match="cannot be opened"):
        receive(GROUP, charlie, alice.verification_key, text, "message")


def test_an_altered_message_is_refused(urne_ceremony: Ceremony):
    _, bob, _ = urne_ceremony.keys
    encrypted = encrypt_message(GROUP, bob.encryption_key, "secret")
    assert decrypt_message(GROUP, bob.decryption_key, encrypted) == "secret"
    flipped = ("0" if encrypted.data[0] != "0" else "1") + encrypted.data[1:]
    with pytest.raises(CeremonyError, match="altered"):
        decrypt_message(GROUP, bob.decryption_key, dataclasses.replace(encrypted, data=flipped))


def test_a_message_signed_by_someone_else_is_refused(urne_ceremony: Ceremony):
    alice, bob, charlie = urne_ceremony.keys
    text = send(GROUP, charlie.signing_key, bob.encryption_key, "secret")
    with pytest.raises(CeremonyError, match="signature does not verify"):
        receive(GROUP, bob, alice.verification_key, text, "message")


def test_a_forwarded_message_names_its_first_recipient(urne_ceremony: Ceremony):
    """Bob re-encrypts for Charlie what Alice sent him: Charlie sees it was not meant for him."""
    alice, bob, charlie = urne_ceremony.keys
    channel = dumps({"recipient": str(bob.encryption_key), "message": "secret"})
    signed = dumps(sign_message(GROUP, alice.signing_key, channel).to_json())
    forwarded = dumps(encrypt_message(GROUP, charlie.encryption_key, signed).to_json())
    with pytest.raises(CeremonyError, match="meant for another trustee"):
        receive(GROUP, charlie, alice.verification_key, forwarded, "message")


def test_an_encrypted_message_with_bad_hex_is_malformed():
    from urne.crypto.errors import MalformedData

    value = {"alpha": str(GROUP.g), "beta": str(GROUP.g), "data": "zz"}
    with pytest.raises(MalformedData, match="not hexadecimal"):
        EncryptedMessage.from_json(GROUP, value)


# --- refusing what does not check ----------------------------------------------------------------


def test_a_seed_with_a_typo_is_refused():
    seed = make_seed()
    assert check_seed(f"  {seed}\n") == seed
    for wrong in (seed[:-1], seed + "x", seed[:-1] + "0", seed[:-1] + "l"):
        with pytest.raises(CeremonyError, match="22 Base58 characters"):
            derive_keys(GROUP, wrong)


def test_certificates_with_a_bad_signature_or_a_repeated_key_are_refused(
    urne_ceremony: Ceremony,
):
    certs = urne_ceremony.certs
    forged = SignedMessage(certs[1].message, certs[0].signature)
    with pytest.raises(CeremonyError, match="trustee 2: the certificate's signature"):
        verify_certs(GROUP, [certs[0], forged, certs[2]])
    with pytest.raises(CeremonyError, match="trustee 3: the certificate repeats"):
        verify_certs(GROUP, [certs[0], certs[1], certs[0]])
    with pytest.raises(CeremonyError, match="at least two trustees"):
        verify_certs(GROUP, certs[:1])


def test_a_key_not_among_the_certificates_cannot_take_part(urne_ceremony: Ceremony):
    outsider = derive_keys(GROUP, make_seed())
    with pytest.raises(CeremonyError, match="matches none of the certificates"):
        make_polynomial(GROUP, urne_ceremony.certs, outsider, 2)
    with pytest.raises(CeremonyError, match="between 1 and 3"):
        make_polynomial(GROUP, urne_ceremony.certs, urne_ceremony.keys[0], 4)


def test_a_forged_coefexps_signature_is_named(urne_ceremony: Ceremony):
    polynomials = list(urne_ceremony.polynomials)
    other = polynomials[0].coefexps
    polynomials[2] = dataclasses.replace(
        polynomials[2], coefexps=SignedMessage(polynomials[2].coefexps.message, other.signature)
    )
    with pytest.raises(CeremonyError, match="trustee 3: the signature of its coefexps") as caught:
        make_vinputs(GROUP, urne_ceremony.certs, polynomials)
    assert caught.value.trustee == 3


def test_polynomials_of_different_thresholds_are_refused(urne_ceremony: Ceremony):
    keys, certs = urne_ceremony.keys, urne_ceremony.certs
    polynomials = list(urne_ceremony.polynomials)
    polynomials[1] = make_polynomial(GROUP, certs, keys[1], 3)
    with pytest.raises(CeremonyError, match="not have the same threshold"):
        make_vinputs(GROUP, certs, polynomials)
    with pytest.raises(CeremonyError, match="2 polynomials for 3 trustees"):
        make_vinputs(GROUP, certs, polynomials[:2])


def test_a_trustee_who_sends_a_wrong_value_is_named(urne_ceremony: Ceremony):
    """Trustee 2 sends trustee 3 a value off its committed polynomial: trustee 3 refuses to go
    on and names trustee 2."""
    keys, certs = urne_ceremony.keys, urne_ceremony.certs
    polynomials = list(urne_ceremony.polynomials)
    wrong = send(GROUP, keys[1].signing_key, keys[2].encryption_key, dumps({"secret": "12345"}))
    secrets = list(polynomials[1].secrets)
    secrets[2] = wrong
    polynomials[1] = dataclasses.replace(polynomials[1], secrets=tuple(secrets))
    vinputs = make_vinputs(GROUP, certs, polynomials)
    make_voutput(GROUP, certs, keys[0], vinputs[0])  # trustee 1 got right values
    with pytest.raises(CeremonyError, match="trustee 2: the value it sent to trustee 3") as caught:
        make_voutput(GROUP, certs, keys[2], vinputs[2])
    assert caught.value.trustee == 2


def test_a_value_sent_by_an_impostor_is_named(urne_ceremony: Ceremony):
    keys, certs = urne_ceremony.keys, urne_ceremony.certs
    vinput = urne_ceremony.vinputs[2]
    # Trustee 1's slot carries a message that trustee 2 signed.
    secrets = (urne_ceremony.polynomials[1].secrets[2], *vinput.secrets[1:])
    with pytest.raises(CeremonyError, match="trustee 1: secret: the sender's signature"):
        make_voutput(GROUP, certs, keys[2], dataclasses.replace(vinput, secrets=secrets))


def test_a_voutput_with_another_public_key_is_refused(urne_ceremony: Ceremony):
    voutputs = list(urne_ceremony.voutputs)
    voutputs[0], voutputs[1] = voutputs[1], voutputs[0]
    with pytest.raises(CeremonyError, match="trustee 1: its public key does not match"):
        make_threshold_parameters(GROUP, urne_ceremony.certs, urne_ceremony.polynomials, voutputs)
    bad_proof = dataclasses.replace(
        urne_ceremony.voutputs[2].public_key, pok=urne_ceremony.voutputs[0].public_key.pok
    )
    voutputs = list(urne_ceremony.voutputs)
    voutputs[2] = dataclasses.replace(voutputs[2], public_key=bad_proof)
    with pytest.raises(CeremonyError, match="trustee 3: the proof of knowledge"):
        make_threshold_parameters(GROUP, urne_ceremony.certs, urne_ceremony.polynomials, voutputs)


def test_a_sealed_share_opens_only_for_its_trustee(urne_ceremony: Ceremony):
    keys, voutputs = urne_ceremony.keys, urne_ceremony.voutputs
    with pytest.raises(CeremonyError, match="cannot be opened"):
        read_decryption_key(GROUP, keys[0], urne_ceremony.parameters, voutputs[1].private_key)


# --- with the real belenios-tool -----------------------------------------------------------------


@pytest.mark.belenios
def test_single_keys_made_by_belenios_tool_are_accepted(tmp_path: Path):
    run_tool("setup", "generate-trustee-key", "--group", "BELENIOS-2048", cwd=tmp_path)
    (pubkey,) = tmp_path.glob("*.pubkey")
    key = TrusteePublicKey.from_json(GROUP, loads(pubkey.read_text()))
    verify_trustees(GROUP, [SingleTrustee(key)])
    x = read_private_key(GROUP, (tmp_path / f"{pubkey.stem}.privkey").read_text())
    assert GROUP.pow_g(x) == key.public_key
    assert single_key_id(key.public_key) == pubkey.stem


def _tool_step(directory: Path, *args: str, stdin: str | None = None) -> str:
    done = run_tool(
        "setup",
        "generate-trustee-key-threshold",
        "--group",
        "BELENIOS-2048",
        *args,
        cwd=directory,
        stdin=stdin,
    )
    return done.stdout


@pytest.mark.belenios
def test_a_ceremony_mixing_urne_and_belenios_tool_trustees(tmp_path: Path):
    """Two trustees use belenios-tool offline, one uses urne; the server's steps are run by both
    and give the same bytes; the tool accepts urne's messages at each step, urne the tool's.
    Then an election with these keys and a "Single" urne key is voted, tallied (each trustee
    decrypts with its own program) and passes `belenios-tool election verify`."""
    # Step 1: two certificates made by the tool, one by urne (its seed is its .key file).
    _tool_step(tmp_path, "--step", "1")
    _tool_step(tmp_path, "--step", "1")
    ours = derive_keys(GROUP, make_seed())
    our_cert = make_cert(GROUP, ours)
    our_name = cert_name(our_cert)
    (tmp_path / f"{our_name}.cert").write_text(dumps(our_cert.to_json()) + "\n")
    (tmp_path / f"{our_name}.key").write_text(ours.seed + "\n")
    names = sorted(path.stem for path in tmp_path.glob("*.cert"))
    certs = [read_cert(GROUP, loads(read_text(tmp_path / f"{name}.cert"))) for name in names]
    assert [cert_name(cert) for cert in certs] == names
    (tmp_path / "certs.jsons").write_text("".join(dumps(c.to_json()) + "\n" for c in certs))

    # Step 2: both check every certificate.
    _tool_step(tmp_path, "--certs", "certs.jsons", "--step", "2")
    verify_certs(GROUP, certs)

    # Step 3: each trustee makes its polynomial (threshold: 2 of 3).
    lines = []
    for name in names:
        if name == our_name:
            polynomial = make_polynomial(GROUP, certs, ours, 2)
            lines.append(dumps(polynomial.to_json()))
        else:
            out = _tool_step(
                tmp_path,
                "--certs",
                "certs.jsons",
                "--key",
                f"{name}.key",
                "--step",
                "3",
                "--threshold",
                "2",
            )
            lines.append(out.strip())
    (tmp_path / "polynomials.jsons").write_text("".join(line + "\n" for line in lines))
    polynomials = [Polynomial.from_json(GROUP, loads(line)) for line in lines]

    # Step 4: the server routes; urne's vinputs are the tool's, byte for byte.
    _tool_step(
        tmp_path, "--certs", "certs.jsons", "--step", "4", "--polynomials", "polynomials.jsons"
    )
    vinputs = make_vinputs(GROUP, certs, polynomials)
    for name, vinput in zip(names, vinputs, strict=True):
        assert dumps(vinput.to_json()) == read_text(tmp_path / f"{name}.vinput")

    # Step 5: each trustee checks what it received and seals its share.
    voutput_lines = []
    for name, vinput in zip(names, vinputs, strict=True):
        if name == our_name:
            voutput_lines.append(dumps(make_voutput(GROUP, certs, ours, vinput).to_json()))
        else:
            out = _tool_step(
                tmp_path,
                "--certs",
                "certs.jsons",
                "--key",
                f"{name}.key",
                "--step",
                "5",
                stdin=read_text(tmp_path / f"{name}.vinput") + "\n",
            )
            voutput_lines.append(out.strip())
    voutputs = [Voutput.from_json(GROUP, loads(line)) for line in voutput_lines]

    # Step 6: the server checks the voutputs; the threshold parameters are the tool's.
    threshold_json = _tool_step(
        tmp_path,
        "--certs",
        "certs.jsons",
        "--step",
        "6",
        "--polynomials",
        "polynomials.jsons",
        stdin="".join(line + "\n" for line in voutput_lines),
    )
    parameters = make_threshold_parameters(GROUP, certs, polynomials, voutputs)
    assert dumps(parameters.to_json()[1]) == threshold_json.strip()
    assert read_text(tmp_path / f"{our_name}.dkey") == voutputs[names.index(our_name)].private_key
    (tmp_path / "threshold.json").write_text(threshold_json)

    # The server's own "Single" key, made by urne; belenios-tool assembles trustees.json.
    single_x, single_key = make_trustee_key(GROUP)
    (tmp_path / "public_keys.jsons").write_text(dumps(single_key.to_json()) + "\n")
    run_tool("setup", "make-trustees", "--dir", str(tmp_path))
    trustees_text = read_text(tmp_path / "trustees.json")
    trustees = read_trustees(GROUP, loads(trustees_text))
    assert trustees == (SingleTrustee(single_key), parameters)
    verify_trustees(GROUP, trustees)

    # An election under these keys: three voters, urne's ballots, urne's archive.
    election = make_election(
        uuid=make_uuid(),
        name="CAPA",
        description="Cérémonie mixte",
        group=GROUP,
        public_key=election_public_key(GROUP, trustees),
        questions=[Question("Liste ?", ("A", "B", "C"), 1, 1, blank=True)],
    )
    identifiers = [make_private_credential() for _ in range(3)]
    credentials = PublicCredentials(
        [
            PublicCredential(derive_public_credential(GROUP, identifier, election.uuid))
            for identifier in identifiers
        ]
    )
    votes = [[[0, 0, 1, 0]], [[0, 0, 0, 1]], [[1, 0, 0, 0]]]
    ballots = [
        make_ballot(election, identifier, vote)
        for identifier, vote in zip(identifiers, votes, strict=True)
    ]
    tally = compute_encrypted_tally(election, ((ballot, 1) for ballot in ballots))
    archive = tmp_path / "election" / f"{election.uuid}.bel"
    archive.parent.mkdir()
    with archive.open("wb") as stream:
        writer = ArchiveWriter.create(stream, 1796000000)
        writer.write_setup(election.text, trustees_text, dumps(credentials.to_json()))
        for ballot in ballots:
            writer.write_ballot(ballot.text)
        writer.write_end_ballots()
        writer.write_encrypted_tally(dumps(tally.to_json()), tally.num_tallied, tally.total_weight)

    # Each trustee decrypts with its own program; the tool's trustee 2 and urne's share.
    partials = {1: make_partial_decryption(election, tally, single_x)}
    tool_name = next(name for name in names if name != our_name)
    owner = 2 + names.index(tool_name)
    done = run_tool(
        "election",
        "decrypt-threshold",
        "--dir",
        str(archive.parent),
        "--key",
        str(tmp_path / f"{tool_name}.key"),
        "--decryption-key",
        str(tmp_path / f"{tool_name}.dkey"),
        "--trustee-id",
        str(owner),
    )
    from urne.crypto.tally import PartialDecryption

    partials[owner] = PartialDecryption.from_json(GROUP, loads(done.stdout.splitlines()[0]))
    position, share = read_decryption_key(
        GROUP, ours, parameters, read_text(tmp_path / f"{our_name}.dkey")
    )
    partials[1 + position] = make_partial_decryption(election, tally, share)
    result = decrypt_tally(election, trustees, tally, partials)
    assert result.counts == ((1, 0, 1, 1),)
    with archive.open("r+b") as stream:
        writer = ArchiveWriter.append(stream)
        for number, partial in sorted(partials.items()):
            writer.write_partial_decryption(number, dumps(partial.to_json()))
        writer.write_result(dumps(result.to_json()))
    run_tool("election", "verify", "--dir", str(archive.parent))

    # The tool also opens urne's sealed share with urne's seed.
    done = run_tool_unchecked(
        "election",
        "decrypt-threshold",
        "--dir",
        str(archive.parent),
        "--key",
        str(tmp_path / f"{our_name}.key"),
        "--decryption-key",
        str(tmp_path / f"{our_name}.dkey"),
        "--trustee-id",
        str(1 + position),
    )
    assert done.returncode == 0, done.stderr
    theirs = PartialDecryption.from_json(GROUP, loads(done.stdout.splitlines()[0]))
    assert theirs.decryption_factors == partials[1 + position].decryption_factors


@pytest.mark.belenios
def test_belenios_tool_refuses_a_forged_urne_certificate(tmp_path: Path):
    keys = [derive_keys(GROUP, make_seed()) for _ in range(2)]
    certs = [make_cert(GROUP, key) for key in keys]
    forged = SignedMessage(certs[1].message, certs[0].signature)
    (tmp_path / "certs.jsons").write_text(
        "".join(dumps(cert.to_json()) + "\n" for cert in (certs[0], forged))
    )
    done = run_tool_unchecked(
        "setup",
        "generate-trustee-key-threshold",
        "--group",
        "BELENIOS-2048",
        "--certs",
        "certs.jsons",
        "--step",
        "2",
        cwd=tmp_path,
    )
    assert done.returncode != 0
    with pytest.raises(CeremonyError):
        verify_certs(GROUP, [certs[0], forged])


def test_private_keys_of_single_trustees_round_trip():
    x, key = make_trustee_key(GROUP)
    assert read_private_key(GROUP, private_key_to_json(Exponent(x))) == x
    assert GROUP.pow_g(x) == key.public_key

"""The threshold key ceremony of Belenios 2.0 ("Pedersen" trustees, t + 1 of n), step by step.

Spec §3.1.1 (the "Pedersen" protocol) and §4.6. The members of the bureau de vote (trustees) and
the server (the administrator) exchange messages through the server; each trustee's secrets
travel signed and encrypted to their recipient, so the server learns none of them. Every message
here is byte-compatible with ``belenios-tool setup generate-trustee-key-threshold``: a trustee
may run any step with the real tool, offline, and urne takes the result, and the other way round.

The steps, with the tool's ``--step`` numbers and file names:

1. trustee: `make_seed` (kept secret: the tool's ``ID.key`` file) then `make_cert` (the public
   ``ID.cert``, ID = `cert_name`). `derive_keys` turns the seed into the four keys.
2. everyone: `verify_certs` checks every certificate (the tool's step 2).
3. trustee: `make_polynomial` draws a random polynomial of degree t and sends each trustee its
   value there, signed and encrypted (``polynomials.jsons``, one line per trustee, in the order
   of the certificates).
4. server: `make_vinputs` routes the encrypted values to their recipients (``ID.vinput``).
5. trustee: `make_voutput` checks every value received against the committed coefficients, adds
   them into its decryption key share S_j, and returns that share encrypted to itself with the
   public key g^S_j and a proof (``ID.voutput``).
6. server: `make_threshold_parameters` checks every voutput and builds the ``["Pedersen",
   threshold_parameters]`` item of trustees.json (`urne.crypto.trustees.PedersenTrustees`);
   each voutput's ``private_key`` is the trustee's ``ID.dkey``.

At the tally, `read_decryption_key` opens a ``.dkey`` with the seed and checks the share against
the published verification key: the trustee's private key for
`urne.crypto.tally.make_partial_decryption`.

The public key infrastructure under it (§4.6.1): keys derived from the seed (``sk|seed``,
``dk|seed``), Schnorr signatures of messages (`sign_message`), an ElGamal-like encryption of
messages with AES-256-CCM (`encrypt_message` / `decrypt_message`; 13-byte nonce, 8-byte tag, as
belenios-tool), and channels (`send` / `receive`: sign, then encrypt to the recipient, who
checks the sender's signature and that the message was meant for them).

Every check raises `InvalidTrustees` (a `CeremonyError` naming the trustee at fault).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from urne.crypto.credentials import BASE58
from urne.crypto.errors import InvalidProof, InvalidTrustees, MalformedData
from urne.crypto.group import Element, Exponent, Group
from urne.crypto.hashing import sha256_hex
from urne.crypto.jsonio import (
    dumps,
    join_path,
    loads,
    read_array,
    read_natural,
    read_object,
    read_string,
)
from urne.crypto.proofs import make_key_proof, make_message_signature
from urne.crypto.trustees import PedersenTrustees, SignedMessage, TrusteePublicKey

SEED_LENGTH = 22
"""A trustee's secret seed: 22 Base58 characters (about 129 bits)."""

_NONCE_BYTES = 13
_TAG_BYTES = 8


class CeremonyError(InvalidTrustees):
    """A message of the key ceremony does not check. `trustee` is the position (from 1, in the
    order of the certificates) of the trustee whose message is at fault, when known."""

    def __init__(self, message: str, trustee: int | None = None) -> None:
        self.trustee = trustee
        self.message = message
        super().__init__(f"trustee {trustee}: {message}" if trustee is not None else message)


# --- keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrusteeKeys:
    """The four keys a trustee derives from its seed (§4.6.1)."""

    seed: str
    signing_key: Exponent
    """sk = SHA256("sk|" + seed) mod q"""
    verification_key: Element
    """g^sk"""
    decryption_key: Exponent
    """dk = SHA256("dk|" + seed) mod q"""
    encryption_key: Element
    """g^dk"""


def make_seed() -> str:
    """A fresh secret seed (the content of the tool's ``ID.key`` file, without the newline)."""
    return "".join(secrets.choice(BASE58) for _ in range(SEED_LENGTH))


def check_seed(text: str) -> str:
    """The seed in `text` (surrounding blanks ignored); raises `CeremonyError` if it cannot be
    one."""
    seed = text.strip()
    if len(seed) != SEED_LENGTH or any(character not in BASE58 for character in seed):
        raise CeremonyError(f"a trustee's key is {SEED_LENGTH} Base58 characters")
    return seed


def derive_keys(group: Group, seed: str) -> TrusteeKeys:
    """The signing, verification, decryption and encryption keys of a seed."""
    seed = check_seed(seed)
    signing_key = group.exponent(int(sha256_hex("sk|" + seed), 16))
    decryption_key = group.exponent(int(sha256_hex("dk|" + seed), 16))
    return TrusteeKeys(
        seed=seed,
        signing_key=signing_key,
        verification_key=group.pow_g_secret(signing_key),
        decryption_key=decryption_key,
        encryption_key=group.pow_g_secret(decryption_key),
    )


# --- signed and encrypted messages ---------------------------------------------------------------


def sign_message(group: Group, signing_key: Exponent, message: str) -> SignedMessage:
    """A ``signed_msg``: `message` with its Schnorr signature (``sigmsg|M|A``)."""
    return SignedMessage(message, make_message_signature(group, signing_key, message))


@dataclass(frozen=True, slots=True)
class EncryptedMessage:
    """The spec's ``encrypted_msg``: an ElGamal-like key encapsulation and AES-CCM data."""

    alpha: Element
    """g^r"""
    beta: Element
    """ek^r · g^s"""
    data: str
    """The AES-CCM ciphertext and tag, in lower-case hexadecimal."""

    def to_json(self) -> dict[str, Any]:
        return {"alpha": str(self.alpha), "beta": str(self.beta), "data": self.data}

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> EncryptedMessage:
        fields = read_object(value, where, required=("alpha", "beta", "data"))
        data = read_string(fields["data"], join_path(where, "data"))
        try:
            bytes.fromhex(data)
        except ValueError:
            raise MalformedData(join_path(where, "data"), "not hexadecimal") from None
        return cls(
            alpha=group.read_element(fields["alpha"], join_path(where, "alpha")),
            beta=group.read_element(fields["beta"], join_path(where, "beta")),
            data=data,
        )


def _aes(group_element_key: int, group_element_iv: int) -> tuple[AESCCM, bytes]:
    key = hashlib.sha256(f"key|{group_element_key}".encode()).digest()
    nonce = hashlib.sha256(f"iv|{group_element_iv}".encode()).digest()[:_NONCE_BYTES]
    return AESCCM(key, tag_length=_TAG_BYTES), nonce


def encrypt_message(group: Group, encryption_key: Element, message: str) -> EncryptedMessage:
    """Encrypt `message` for the holder of `encryption_key` (§4.6.1 "Encrypting")."""
    r = group.random_exponent()
    s = group.random_exponent()
    alpha = group.pow_g_secret(r)
    g_s = group.pow_g_secret(s)
    beta = group.mul(group.pow_secret(encryption_key, r), g_s)
    cipher, nonce = _aes(g_s, alpha)
    data = cipher.encrypt(nonce, message.encode("utf-8"), None)
    return EncryptedMessage(alpha=alpha, beta=beta, data=data.hex())


def decrypt_message(group: Group, decryption_key: Exponent, message: EncryptedMessage) -> str:
    """The text of an encrypted message; raises `CeremonyError` if it was not encrypted for this
    key or was altered (the CCM tag fails)."""
    g_s = group.div(message.beta, group.pow_secret(message.alpha, decryption_key))
    cipher, nonce = _aes(g_s, message.alpha)
    try:
        plain = cipher.decrypt(nonce, bytes.fromhex(message.data), None)
        return plain.decode("utf-8")
    except (InvalidTag, ValueError, UnicodeDecodeError):
        raise CeremonyError(
            "an encrypted message cannot be opened with this key (another recipient, or altered)"
        ) from None


def send(group: Group, signing_key: Exponent, recipient: Element, message: str) -> str:
    """send(sk, recipient, message) of §4.6.3: a ``channel_msg`` signed with `signing_key`,
    encrypted for the encryption key `recipient`, serialized."""
    channel = dumps({"recipient": str(recipient), "message": message})
    signed = dumps(sign_message(group, signing_key, channel).to_json())
    return dumps(encrypt_message(group, recipient, signed).to_json())


def receive(group: Group, keys: TrusteeKeys, sender: Element, text: str, what: str) -> str:
    """The message of `send`'s output `text`, which `keys`' holder receives from the trustee of
    verification key `sender`. Checks the encryption, the sender's signature and that the
    message names this recipient; raises `CeremonyError` mentioning `what`."""
    try:
        encrypted = EncryptedMessage.from_json(group, loads(text), what)
        opened = decrypt_message(group, keys.decryption_key, encrypted)
        signed = SignedMessage.from_json(group, loads(opened), what)
        signed.verify(group, sender)
        channel = read_object(loads(signed.message), what, required=("recipient", "message"))
        recipient = read_string(channel["recipient"], join_path(what, "recipient"))
        message = read_string(channel["message"], join_path(what, "message"))
    except CeremonyError as error:
        raise CeremonyError(f"{what}: {error.message}") from None
    except InvalidProof:
        raise CeremonyError(f"{what}: the sender's signature does not verify") from None
    except MalformedData as error:
        raise CeremonyError(f"{what}: {error}") from None
    if recipient != str(keys.encryption_key):
        raise CeremonyError(f"{what}: the message was meant for another trustee")
    return message


# --- step 1 and 2: certificates ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertKeys:
    """The spec's ``cert_keys``: a trustee's public keys, as its certificate states them."""

    verification: Element
    encryption: Element

    def to_json(self) -> dict[str, Any]:
        return {"verification": str(self.verification), "encryption": str(self.encryption)}


def make_cert(group: Group, keys: TrusteeKeys) -> SignedMessage:
    """Step 1: the trustee's certificate (its public keys, signed with its signing key)."""
    cert_keys = CertKeys(keys.verification_key, keys.encryption_key)
    return sign_message(group, keys.signing_key, dumps(cert_keys.to_json()))


def cert_name(cert: SignedMessage) -> str:
    """The name belenios-tool gives a certificate's files: SHA256 of its message, in hex."""
    return sha256_hex(cert.message)


def read_cert(group: Group, value: object, where: str = "cert") -> SignedMessage:
    """A certificate from parsed JSON (one line of ``certs.jsons``, an ``ID.cert`` file)."""
    cert = SignedMessage.from_json(group, value, where)
    _cert_keys(group, cert, where)
    return cert


def _cert_keys(group: Group, cert: SignedMessage, where: str) -> CertKeys:
    path = join_path(where, "message")
    fields = read_object(loads(cert.message), path, required=("verification", "encryption"))
    return CertKeys(
        verification=group.read_element(fields["verification"], join_path(path, "verification")),
        encryption=group.read_element(fields["encryption"], join_path(path, "encryption")),
    )


def verify_certs(group: Group, certs: Sequence[SignedMessage]) -> tuple[CertKeys, ...]:
    """Step 2: every certificate is well formed and signed by its own verification key, and no
    two trustees share a key. Returns the trustees' keys, in order."""
    if len(certs) < 2:
        raise CeremonyError("a threshold ceremony needs at least two trustees")
    keys = []
    for position, cert in enumerate(certs, start=1):
        try:
            cert_keys = _cert_keys(group, cert, "cert")
            cert.verify(group, cert_keys.verification)
        except MalformedData as error:
            raise CeremonyError(f"certificate: {error}", position) from None
        except InvalidProof:
            raise CeremonyError("the certificate's signature does not verify", position) from None
        keys.append(cert_keys)
    seen: set[int] = set()
    for position, cert_keys in enumerate(keys, start=1):
        for key in (cert_keys.verification, cert_keys.encryption):
            if key in seen:
                raise CeremonyError("the certificate repeats another trustee's key", position)
            seen.add(key)
    return tuple(keys)


def _own_position(keys: TrusteeKeys, cert_keys: Sequence[CertKeys]) -> int:
    mine = CertKeys(keys.verification_key, keys.encryption_key)
    for position, candidate in enumerate(cert_keys, start=1):
        if candidate == mine:
            return position
    raise CeremonyError("this trustee's key matches none of the certificates")


# --- step 3: polynomials -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Polynomial:
    """The spec's ``polynomial`` structure: what trustee i sends in step 3."""

    polynomial: str
    """Its coefficients a_i0..a_it, sent to itself (send(sk_i, ek_i, raw_polynomial))."""
    secrets: tuple[str, ...]
    """f_i(j) for each trustee j, sent to j (send(sk_i, ek_j, secret))."""
    coefexps: SignedMessage
    """g^a_i0..g^a_it, signed (raw_coefexps)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "polynomial": self.polynomial,
            "secrets": list(self.secrets),
            "coefexps": self.coefexps.to_json(),
        }

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "polynomial") -> Polynomial:
        polynomial, secrets, coefexps = _read_routed(value, where)
        return cls(
            polynomial=polynomial,
            secrets=secrets,
            coefexps=SignedMessage.from_json(group, coefexps, join_path(where, "coefexps")),
        )


def _read_routed(value: object, where: str) -> tuple[str, tuple[str, ...], object]:
    """What a polynomial and a vinput share: the ``polynomial`` and ``secrets`` texts, read,
    and the ``coefexps`` value, left to each (one signed message, or one per trustee)."""
    fields = read_object(value, where, required=("polynomial", "secrets", "coefexps"))
    path = join_path(where, "secrets")
    return (
        read_string(fields["polynomial"], join_path(where, "polynomial")),
        tuple(
            read_string(item, join_path(path, j))
            for j, item in enumerate(read_array(fields["secrets"], path))
        ),
        fields["coefexps"],
    )


def make_polynomial(
    group: Group, certs: Sequence[SignedMessage], keys: TrusteeKeys, threshold: int
) -> Polynomial:
    """Step 3 for the trustee holding `keys`: a random polynomial of degree `threshold` - 1.

    `threshold` is how many trustees will be needed to decrypt (t + 1, the tool's
    ``--threshold``), between 1 and the number of trustees.
    """
    cert_keys = verify_certs(group, certs)
    _own_position(keys, cert_keys)
    if not 1 <= threshold <= len(cert_keys):
        raise CeremonyError(f"the threshold must be between 1 and {len(cert_keys)}")
    coefficients = [group.random_exponent() for _ in range(threshold)]
    q = group.q
    sk = keys.signing_key

    def value_at(x: int) -> int:
        result = 0
        for coefficient in reversed(coefficients):
            result = (result * x + coefficient) % q
        return result

    raw_polynomial = dumps({"polynomial": [str(a) for a in coefficients]})
    raw_coefexps = dumps({"coefexps": [str(group.pow_g_secret(a)) for a in coefficients]})
    return Polynomial(
        polynomial=send(group, sk, keys.encryption_key, raw_polynomial),
        secrets=tuple(
            send(group, sk, recipient.encryption, dumps({"secret": str(value_at(j))}))
            for j, recipient in enumerate(cert_keys, start=1)
        ),
        coefexps=sign_message(group, sk, raw_coefexps),
    )


def _coefexps(group: Group, coefexps: SignedMessage, where: str) -> list[Element]:
    path = join_path(where, "message")
    fields = read_object(loads(coefexps.message), path, required=("coefexps",))
    items = read_array(fields["coefexps"], join_path(path, "coefexps"))
    if not items:
        raise MalformedData(join_path(path, "coefexps"), "no coefficient")
    return [
        group.read_element(item, join_path(join_path(path, "coefexps"), k))
        for k, item in enumerate(items)
    ]


def _checked_coefexps(
    group: Group, cert_keys: Sequence[CertKeys], coefexps: Sequence[SignedMessage]
) -> list[list[Element]]:
    """Each trustee's committed coefficients, signature checked, all of the same degree."""
    rows = []
    for position, (signed, keys) in enumerate(zip(coefexps, cert_keys, strict=True), start=1):
        try:
            rows.append(_coefexps(group, signed, "coefexps"))
            signed.verify(group, keys.verification)
        except MalformedData as error:
            raise CeremonyError(str(error), position) from None
        except InvalidProof:
            raise CeremonyError("the signature of its coefexps does not verify", position) from None
    degrees = {len(row) for row in rows}
    if len(degrees) != 1:
        raise CeremonyError("the trustees' polynomials do not have the same threshold")
    return rows


def _read_number(group: Group, value: object, where: str) -> Exponent:
    # belenios-tool does not always reduce the numbers it sends modulo q (f_i(j), the sum of
    # the shares): any canonical natural number is accepted and reduced, the same exponent.
    return group.exponent(read_natural(value, where))


def _commitment_at(group: Group, row: Sequence[Element], j: int) -> Element:
    """Π_k A_k^(j^k) = g^f(j) for the committed coefficients A_k of f."""
    return group.multi_exp((coefficient, j**k) for k, coefficient in enumerate(row))


# --- step 4: vinputs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vinput:
    """The spec's ``vinput``: what trustee j receives in step 5."""

    polynomial: str
    """Trustee j's own polynomial (as it sent it to itself)."""
    secrets: tuple[str, ...]
    """f_i(j) from each trustee i, encrypted for j."""
    coefexps: tuple[SignedMessage, ...]
    """Every trustee's committed coefficients (the same in every vinput)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "polynomial": self.polynomial,
            "secrets": list(self.secrets),
            "coefexps": [signed.to_json() for signed in self.coefexps],
        }

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "vinput") -> Vinput:
        polynomial, secrets, coefexps = _read_routed(value, where)
        path = join_path(where, "coefexps")
        return cls(
            polynomial=polynomial,
            secrets=secrets,
            coefexps=tuple(
                SignedMessage.from_json(group, item, join_path(path, i))
                for i, item in enumerate(read_array(coefexps, path))
            ),
        )


def make_vinputs(
    group: Group, certs: Sequence[SignedMessage], polynomials: Sequence[Polynomial]
) -> tuple[Vinput, ...]:
    """Step 4 (server): route the polynomials' messages, one vinput per trustee.

    `polynomials` are in the order of `certs`. Checks the certificates, that each trustee sent
    one value per trustee and signed its coefficients, and that all have the same threshold.
    """
    cert_keys = verify_certs(group, certs)
    count = len(cert_keys)
    if len(polynomials) != count:
        raise CeremonyError(f"{len(polynomials)} polynomials for {count} trustees")
    for position, polynomial in enumerate(polynomials, start=1):
        if len(polynomial.secrets) != count:
            raise CeremonyError(
                f"its polynomial has {len(polynomial.secrets)} values for {count} trustees",
                position,
            )
    coefexps = tuple(polynomial.coefexps for polynomial in polynomials)
    _checked_coefexps(group, cert_keys, coefexps)
    return tuple(
        Vinput(
            polynomial=polynomials[j].polynomial,
            secrets=tuple(polynomial.secrets[j] for polynomial in polynomials),
            coefexps=coefexps,
        )
        for j in range(count)
    )


# --- step 5: voutputs ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Voutput:
    """The spec's ``voutput``: trustee j's key share, sealed for itself, and its public key."""

    private_key: str
    """send(sk_j, ek_j, {"decryption_key": S_j}): the tool's ``ID.dkey``."""
    public_key: TrusteePublicKey
    """g^S_j with a proof of knowledge of S_j: j's verification key in the trustees."""

    def to_json(self) -> dict[str, Any]:
        return {"private_key": self.private_key, "public_key": self.public_key.to_json()}

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "voutput") -> Voutput:
        fields = read_object(value, where, required=("private_key", "public_key"))
        return cls(
            private_key=read_string(fields["private_key"], join_path(where, "private_key")),
            public_key=TrusteePublicKey.from_json(
                group, fields["public_key"], join_path(where, "public_key")
            ),
        )


def make_voutput(
    group: Group, certs: Sequence[SignedMessage], keys: TrusteeKeys, vinput: Vinput
) -> Voutput:
    """Step 5 for the trustee holding `keys`: check what every trustee sent it, compute its
    decryption key share S_j = Σ_i f_i(j) and seal it for itself.

    Raises `CeremonyError` naming the trustee whose value does not match its committed
    coefficients (g^f_i(j) must equal Π_k A_ik^(j^k)), or whose messages do not check.
    """
    cert_keys = verify_certs(group, certs)
    j = _own_position(keys, cert_keys)
    count = len(cert_keys)
    if len(vinput.secrets) != count or len(vinput.coefexps) != count:
        raise CeremonyError(f"the vinput does not have one message from each of {count} trustees")
    rows = _checked_coefexps(group, cert_keys, vinput.coefexps)
    own = receive(group, keys, keys.verification_key, vinput.polynomial, "own polynomial")
    try:
        fields = read_object(loads(own), "polynomial", required=("polynomial",))
        coefficients = [
            _read_number(group, item, f"polynomial[{k}]")
            for k, item in enumerate(read_array(fields["polynomial"], "polynomial"))
        ]
    except MalformedData as error:
        raise CeremonyError(f"own polynomial: {error}", j) from None
    if [group.pow_g_secret(a) for a in coefficients] != rows[j - 1]:
        raise CeremonyError("its own polynomial does not match its coefexps", j)
    share = 0
    for i, (sender, text, row) in enumerate(
        zip(cert_keys, vinput.secrets, rows, strict=True), start=1
    ):
        try:
            message = receive(group, keys, sender.verification, text, "secret")
            fields = read_object(loads(message), "secret", required=("secret",))
            value = _read_number(group, fields["secret"], "secret")
        except CeremonyError as error:
            raise CeremonyError(error.message, i) from None
        except MalformedData as error:
            raise CeremonyError(str(error), i) from None
        if group.pow_g_secret(value) != _commitment_at(group, row, j):
            raise CeremonyError(f"the value it sent to trustee {j} does not match its coefexps", i)
        share = (share + value) % group.q
    decryption_key = group.exponent(share)
    sealed = send(
        group,
        keys.signing_key,
        keys.encryption_key,
        dumps({"decryption_key": str(decryption_key)}),
    )
    public_key = TrusteePublicKey(
        public_key=group.pow_g_secret(decryption_key),
        pok=make_key_proof(group, decryption_key),
    )
    return Voutput(private_key=sealed, public_key=public_key)


# --- step 6: threshold parameters ----------------------------------------------------------------


def make_threshold_parameters(
    group: Group,
    certs: Sequence[SignedMessage],
    polynomials: Sequence[Polynomial],
    voutputs: Sequence[Voutput],
) -> PedersenTrustees:
    """Step 6 (server): check each trustee's voutput and build the threshold parameters.

    `polynomials` and `voutputs` are in the order of `certs`. Each voutput's public key must be
    g^(Σ_i f_i(j)) as the committed coefficients say, with a valid proof of knowledge.
    """
    cert_keys = verify_certs(group, certs)
    count = len(cert_keys)
    if len(polynomials) != count or len(voutputs) != count:
        raise CeremonyError(
            f"{len(polynomials)} polynomials and {len(voutputs)} voutputs for {count} trustees"
        )
    coefexps = tuple(polynomial.coefexps for polynomial in polynomials)
    rows = _checked_coefexps(group, cert_keys, coefexps)
    for j, voutput in enumerate(voutputs, start=1):
        expected = group.prod(_commitment_at(group, row, j) for row in rows)
        if voutput.public_key.public_key != expected:
            raise CeremonyError("its public key does not match the polynomials", j)
        try:
            voutput.public_key.verify(group)
        except InvalidTrustees:
            raise CeremonyError("the proof of knowledge of its key share fails", j) from None
        try:
            EncryptedMessage.from_json(group, loads(voutput.private_key), "private_key")
        except MalformedData as error:
            raise CeremonyError(f"its sealed key share is malformed: {error}", j) from None
    parameters = PedersenTrustees(
        threshold=len(rows[0]),
        certs=tuple(certs),
        coefexps=coefexps,
        verification_keys=tuple(voutput.public_key for voutput in voutputs),
    )
    parameters.verify(group)
    return parameters


# --- at the tally --------------------------------------------------------------------------------


def read_decryption_key(
    group: Group, keys: TrusteeKeys, parameters: PedersenTrustees, sealed: str
) -> tuple[int, Exponent]:
    """Open a trustee's sealed key share (its ``ID.dkey``, a voutput's ``private_key``).

    Returns the trustee's position (from 1, among the threshold trustees) and its decryption key
    share S_j, checked against the published verification key g^S_j.
    """
    j = _own_position(keys, [_cert_keys(group, cert, "cert") for cert in parameters.certs])
    message = receive(group, keys, keys.verification_key, sealed.strip(), "decryption key")
    try:
        fields = read_object(loads(message), "decryption key", required=("decryption_key",))
        share = _read_number(group, fields["decryption_key"], "decryption_key")
    except MalformedData as error:
        raise CeremonyError(str(error), j) from None
    if group.pow_g_secret(share) != parameters.verification_keys[j - 1].public_key:
        raise CeremonyError("the decryption key does not match its verification key", j)
    return j, share


def single_key_id(public_key: Element) -> str:
    """The short fingerprint belenios-tool names a "Single" trustee's key files with
    (``ID.pubkey``, ``ID.privkey``): the first 8 hex digits of SHA256 of the key, in capitals."""
    return sha256_hex(str(public_key))[:8].upper()

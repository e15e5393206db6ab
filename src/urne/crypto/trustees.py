"""Trustees: their public keys, trustees.json, and the election public key (spec §3.1.1, §4.5–4.7).

- `TrusteePublicKey` (``trustee_public_key``: ``pok``, ``public_key``) with `verify(group)`, and
  `make_trustee_key(group)`, which draws a private key and proves knowledge of it (a "Single"
  trustee, or the server's own mandatory key). `read_private_key` / `private_key_to_json` handle
  belenios-tool's private key files (a JSON string).
- `SignedMessage` (``signed_msg``: ``message``, ``signature``) with `verify(group, key)`.
- `SingleTrustee` — ``["Single", trustee_public_key]``; `PedersenTrustees` — ``["Pedersen",
  threshold_parameters]``: the public result of a threshold key ceremony (the ceremony itself is
  `urne.crypto.pedersen`). `threshold` is the number of shares needed (t + 1).
- `read_trustees(group, value)` / `trustees_to_json(trustees)` for the ``trustees`` structure;
  `verify_trustees(group, trustees)` checks every proof, signature and the consistency of the
  threshold verification keys with the committed polynomials; `election_public_key(group,
  trustees)` is y = the product of the sub-keys.
- `decryption_slots(trustees)`: who decrypts. Trustees are numbered from 1 across the whole
  structure in order (a "Single" entry takes one number, a "Pedersen" entry one per trustee): the
  ``owner`` of a partial decryption in the archive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from urne.crypto.errors import InvalidProof, InvalidTrustees, MalformedData, WrongLength
from urne.crypto.group import Element, Exponent, Group
from urne.crypto.jsonio import (
    JSON,
    dumps,
    join_path,
    loads,
    read_array,
    read_int,
    read_object,
    read_string,
)
from urne.crypto.proofs import Proof, make_key_proof, verify_key_proof, verify_message_signature


@dataclass(frozen=True, slots=True)
class TrusteePublicKey:
    """A public key X = g^x with a proof of knowledge of x (spec §4.5)."""

    public_key: Element
    pok: Proof

    def to_json(self) -> dict[str, Any]:
        return {"pok": self.pok.to_json(), "public_key": str(self.public_key)}

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> TrusteePublicKey:
        fields = read_object(value, where, required=("pok", "public_key"))
        return cls(
            public_key=group.read_element(fields["public_key"], join_path(where, "public_key")),
            pok=Proof.from_json(group, fields["pok"], join_path(where, "pok")),
        )

    def verify(self, group: Group) -> None:
        """Raises `InvalidTrustees` if the proof of knowledge does not verify."""
        try:
            verify_key_proof(group, self.public_key, self.pok)
        except InvalidProof as error:
            raise InvalidTrustees(str(error)) from None


def make_trustee_key(group: Group) -> tuple[Exponent, TrusteePublicKey]:
    """A fresh private key x and its public part (g^x with a proof of knowledge of x)."""
    x = group.random_exponent()
    return x, TrusteePublicKey(public_key=group.pow_g_secret(x), pok=make_key_proof(group, x))


def read_private_key(group: Group, text: str) -> Exponent:
    """A private key from belenios-tool's file form (a JSON string holding the number)."""
    return group.read_exponent(loads(text), "private_key")


def private_key_to_json(x: Exponent) -> str:
    """The file form of a private key (what belenios-tool writes in ``*.privkey``)."""
    return dumps(str(x))


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """The spec's ``signed_msg``: a message and its Schnorr signature (§4.6.1)."""

    message: str
    signature: Proof

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "signature": self.signature.to_json()}

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> SignedMessage:
        fields = read_object(value, where, required=("message", "signature"))
        return cls(
            message=read_string(fields["message"], join_path(where, "message")),
            signature=Proof.from_json(group, fields["signature"], join_path(where, "signature")),
        )

    def verify(self, group: Group, verification_key: Element) -> None:
        """Raises `InvalidProof` unless signed with the signing key of `verification_key`."""
        verify_message_signature(group, verification_key, self.message, self.signature)


@dataclass(frozen=True, slots=True)
class SingleTrustee:
    """``["Single", trustee_public_key]``: a trustee whose share is always needed."""

    key: TrusteePublicKey

    def to_json(self) -> list[Any]:
        return ["Single", self.key.to_json()]


@dataclass(frozen=True, slots=True)
class PedersenTrustees:
    """``["Pedersen", threshold_parameters]``: `threshold` of these trustees suffice (§4.6.7)."""

    threshold: int
    """t + 1: how many partial decryptions are needed."""
    certs: tuple[SignedMessage, ...]
    coefexps: tuple[SignedMessage, ...]
    verification_keys: tuple[TrusteePublicKey, ...]

    def to_json(self) -> list[Any]:
        return [
            "Pedersen",
            {
                "threshold": self.threshold,
                "certs": [cert.to_json() for cert in self.certs],
                "coefexps": [coefexps.to_json() for coefexps in self.coefexps],
                "verification_keys": [key.to_json() for key in self.verification_keys],
            },
        ]

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> PedersenTrustees:
        fields = read_object(
            value, where, required=("threshold", "certs", "coefexps", "verification_keys")
        )
        lists: dict[str, list[Any]] = {}
        for key in ("certs", "coefexps", "verification_keys"):
            lists[key] = read_array(fields[key], join_path(where, key))
        count = len(lists["certs"])
        for key in ("coefexps", "verification_keys"):
            if len(lists[key]) != count:
                raise WrongLength(join_path(where, key), f"expected {count} items (one a cert)")
        threshold = read_int(fields["threshold"], join_path(where, "threshold"), minimum=1)
        if threshold > count:
            raise MalformedData(join_path(where, "threshold"), "more than the trustees")

        def signed(key: str) -> tuple[SignedMessage, ...]:
            path = join_path(where, key)
            return tuple(
                SignedMessage.from_json(group, item, join_path(path, i))
                for i, item in enumerate(lists[key])
            )

        return cls(
            threshold=threshold,
            certs=signed("certs"),
            coefexps=signed("coefexps"),
            verification_keys=tuple(
                TrusteePublicKey.from_json(
                    group, item, join_path(join_path(where, "verification_keys"), i)
                )
                for i, item in enumerate(lists["verification_keys"])
            ),
        )

    def cert_keys(self, group: Group) -> list[tuple[Element, Element]]:
        """(verification key, encryption key) of each trustee, read from its cert."""
        keys = []
        for index, cert in enumerate(self.certs):
            where = f"certs[{index}].message"
            fields = read_object(loads(cert.message), where, ("verification", "encryption"))
            keys.append(
                (
                    group.read_element(fields["verification"], join_path(where, "verification")),
                    group.read_element(fields["encryption"], join_path(where, "encryption")),
                )
            )
        return keys

    def coefficient_commitments(self, group: Group) -> list[list[Element]]:
        """A_i0..A_it (g to each polynomial coefficient) of each trustee i, read from coefexps."""
        commitments = []
        for index, coefexps in enumerate(self.coefexps):
            where = f"coefexps[{index}].message"
            fields = read_object(loads(coefexps.message), where, ("coefexps",))
            items = read_array(fields["coefexps"], join_path(where, "coefexps"), self.threshold)
            commitments.append(
                [
                    group.read_element(item, join_path(join_path(where, "coefexps"), k))
                    for k, item in enumerate(items)
                ]
            )
        return commitments

    def sub_key(self, group: Group) -> Element:
        """y_τ = Π_i A_i0: the public key of the polynomials' sum at 0 (§4.6.4)."""
        return group.prod(row[0] for row in self.coefficient_commitments(group))

    def verify(self, group: Group) -> None:
        """Check the certs' and coefexps' signatures, each verification key's proof, and that
        verification key j is g^(Σ_i f_i(j)) as the committed coefficients say (§4.6.6)."""
        try:
            cert_keys = self.cert_keys(group)
            commitments = self.coefficient_commitments(group)
            for index, ((verification, _), cert, coefexps) in enumerate(
                zip(cert_keys, self.certs, self.coefexps, strict=True)
            ):
                try:
                    cert.verify(group, verification)
                    coefexps.verify(group, verification)
                except InvalidProof as error:
                    raise InvalidTrustees(f"threshold trustee {index + 1}: {error}") from None
        except MalformedData as error:
            raise InvalidTrustees(f"threshold parameters: {error}") from None
        for j, key in enumerate(self.verification_keys, start=1):
            key.verify(group)
            expected = group.prod(
                group.pow(coefficient, j**k)
                for row in commitments
                for k, coefficient in enumerate(row)
            )
            if expected != key.public_key:
                raise InvalidTrustees(
                    f"threshold trustee {j}: verification key does not match the polynomials"
                )


Trustee: TypeAlias = SingleTrustee | PedersenTrustees
"""One item of the ``trustees`` structure."""


def read_trustees(group: Group, value: object, where: str = "") -> tuple[Trustee, ...]:
    """The ``trustees`` structure (from parsed JSON: use `urne.crypto.jsonio.loads` first)."""
    items = read_array(value, where)
    if not items:
        raise MalformedData(where, "an election needs at least one trustee")
    trustees: list[Trustee] = []
    for index, item in enumerate(items):
        path = join_path(where, index)
        kind, body = read_array(item, path, 2)
        kind = read_string(kind, join_path(path, 0))
        if kind == "Single":
            trustees.append(
                SingleTrustee(TrusteePublicKey.from_json(group, body, join_path(path, 1)))
            )
        elif kind == "Pedersen":
            trustees.append(PedersenTrustees.from_json(group, body, join_path(path, 1)))
        else:
            raise MalformedData(join_path(path, 0), f"unknown kind of trustee {kind!r}")
    return tuple(trustees)


def trustees_to_json(trustees: Sequence[Trustee]) -> JSON:
    """The ``trustees`` structure as JSON (``dumps`` it for the file)."""
    return [trustee.to_json() for trustee in trustees]


def verify_trustees(group: Group, trustees: Sequence[Trustee]) -> None:
    """Check every proof of the trustees structure; raises `InvalidTrustees`."""
    for index, trustee in enumerate(trustees, start=1):
        try:
            if isinstance(trustee, SingleTrustee):
                trustee.key.verify(group)
            else:
                trustee.verify(group)
        except InvalidTrustees as error:
            raise InvalidTrustees(f"trustees item {index}: {error}") from None


def election_public_key(group: Group, trustees: Sequence[Trustee]) -> Element:
    """y = Π y_τ: the product of the "Single" keys and of the "Pedersen" sub-keys (§3.1.1)."""
    return group.prod(
        trustee.key.public_key if isinstance(trustee, SingleTrustee) else trustee.sub_key(group)
        for trustee in trustees
    )


@dataclass(frozen=True, slots=True)
class DecryptionSlot:
    """One trustee who may send a partial decryption."""

    owner: int
    """The trustee's number (from 1, across the whole trustees structure)."""
    item: int
    """The index (from 0) of the trustees item the trustee belongs to."""
    public_key: Element
    """The key the decryption proofs are checked against (the verification key for Pedersen)."""
    position: int | None
    """For a Pedersen trustee, its x-coordinate (1..n) in the sharing; None for Single."""


def decryption_slots(trustees: Sequence[Trustee]) -> list[DecryptionSlot]:
    """Every trustee who may decrypt, numbered as the archive's ``owner`` field."""
    slots: list[DecryptionSlot] = []
    for item, trustee in enumerate(trustees):
        if isinstance(trustee, SingleTrustee):
            slots.append(DecryptionSlot(len(slots) + 1, item, trustee.key.public_key, None))
        else:
            for position, key in enumerate(trustee.verification_keys, start=1):
                slots.append(DecryptionSlot(len(slots) + 1, item, key.public_key, position))
    return slots

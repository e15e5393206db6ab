"""Every zero-knowledge proof and signature of Belenios 2.0, made and verified.

A `Proof` is the spec's ``proof`` structure (challenge, response). Each kind comes as a
``make_*`` function (needs the secret) and a ``verify_*`` function that returns nothing and
raises `InvalidProof` when the proof does not hold. The challenge strings follow the spec to the
character (numbers in base 10):

===========================  ==============================================  ===========
proof                        challenge = SHA256(...) mod q                    spec
===========================  ==============================================  ===========
trustee key (`pok`)          ``pok|G|X|A``   (G the group's name)            §4.5
signed message               ``sigmsg|M|A``                                  §4.6.1
ballot signature             ``sig|H|A``     (H the ballot's hash)           §4.14
decryption factor            ``decrypt|φ|X|A,B``                             §4.18
interval (0/1 and overall)   ``prove|S|α,β|A0,B0,...,Ak,Bk``                 §4.12
blank: m0 = 0 or mΣ = 0      ``bproof0|S|A0,B0,AΣ,BΣ``                        §4.13
blank: m0 = 1 or mΣ in range ``bproof1|S|A0,B0,...,Ak,Bk``                    §4.13
===========================  ==============================================  ===========

The interval and blank proofs are all one construction, a disjunctive Chaum-Pedersen proof that
for one j, (α_j, β'_j) = (g^r, y^r): the real branch uses the secret r, the others are simulated,
and the challenges add up to the hash. `make_disjunctive_proof` / `verify_disjunctive_proof`
implement it once; the named functions only choose the statements and the hash prefix.

Secrets that live long (trustee keys, credential secrets) and the nonces of Schnorr-like proofs
are raised through `Group.pow_secret`. The ballot's own encryption and disjunctive proofs use the
fast paths: voters make their ballots on their own devices; `urne.crypto.ballot.make_ballot`
serves simulations and tests, where speed matters more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from urne.crypto.elgamal import Ciphertext
from urne.crypto.errors import InvalidProof
from urne.crypto.group import Element, Exponent, Group
from urne.crypto.hashing import hash_mod, join_numbers
from urne.crypto.jsonio import join_path, read_array, read_object


@dataclass(frozen=True, slots=True)
class Proof:
    """The spec's ``proof``: a challenge and a response, both in Zq."""

    challenge: Exponent
    response: Exponent

    def to_json(self) -> dict[str, Any]:
        return {"challenge": str(self.challenge), "response": str(self.response)}

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> Proof:
        fields = read_object(value, where, required=("challenge", "response"))
        return cls(
            challenge=group.read_exponent(fields["challenge"], join_path(where, "challenge")),
            response=group.read_exponent(fields["response"], join_path(where, "response")),
        )


def proofs_to_json(proofs: Sequence[Proof]) -> list[Any]:
    """An ``iproof`` (a list of proofs) as JSON."""
    return [proof.to_json() for proof in proofs]


def proofs_from_json(
    group: Group, value: object, where: str, length: int | None = None
) -> tuple[Proof, ...]:
    """An ``iproof`` (a list of proofs), of exactly `length` proofs when given."""
    items = read_array(value, where, length)
    return tuple(Proof.from_json(group, item, join_path(where, i)) for i, item in enumerate(items))


# --- proofs of knowledge of a discrete logarithm (Schnorr) and of equality (Chaum-Pedersen) ---


def make_dlog_proof(
    group: Group, prefix: str, secret: Exponent, bases: Sequence[Element] = ()
) -> Proof:
    """Prove knowledge of x with X = g^x (and F_i = bases_i^x for each extra base).

    The challenge is SHA256(prefix + "A" or prefix + "A,B,...") mod q, where A = g^w and B_i =
    bases_i^w: every Schnorr-like proof of the spec has this shape.
    """
    w = group.random_exponent()
    commitments = [group.pow_g_secret(w), *(group.pow_secret(base, w) for base in bases)]
    challenge = group.exponent(hash_mod(prefix + join_numbers(commitments), group.q))
    response = group.exponent(w - secret * challenge)
    return Proof(challenge=challenge, response=response)


def verify_dlog_proof(
    group: Group,
    prefix: str,
    public: Element,
    proof: Proof,
    pairs: Sequence[tuple[Element, Element]] = (),
    what: str = "proof",
) -> None:
    """Check a proof made by `make_dlog_proof` for X = `public` (and F_i = base_i^x for each
    (base_i, F_i) in `pairs`); raises `InvalidProof` naming `what` if it fails."""
    c, r = proof.challenge, proof.response
    commitments = [group.mul(group.pow_g(r), group.pow(public, c))]
    for base, image in pairs:
        commitments.append(group.mul(group.pow(base, r), group.pow(image, c)))
    if hash_mod(prefix + join_numbers(commitments), group.q) != c:
        raise InvalidProof(f"{what} does not verify")


def make_key_proof(group: Group, x: Exponent) -> Proof:
    """The proof of knowledge of a trustee's private key x (spec §4.5, ``pok``)."""
    return make_dlog_proof(group, f"pok|{group.name}|{group.pow_g_secret(x)}|", x)


def verify_key_proof(group: Group, public_key: Element, proof: Proof) -> None:
    """Check a trustee's proof of knowledge of the private key of `public_key`."""
    prefix = f"pok|{group.name}|{public_key}|"
    verify_dlog_proof(group, prefix, public_key, proof, what="proof of knowledge of the key")


def make_message_signature(group: Group, signing_key: Exponent, message: str) -> Proof:
    """The signature of a message with a trustee's signing key (spec §4.6.1, ``sigmsg``)."""
    return make_dlog_proof(group, f"sigmsg|{message}|", signing_key)


def verify_message_signature(
    group: Group, verification_key: Element, message: str, signature: Proof
) -> None:
    """Check the signature of a message (certs, coefexps...) by `verification_key`."""
    verify_dlog_proof(
        group, f"sigmsg|{message}|", verification_key, signature, what="message signature"
    )


def make_ballot_signature(group: Group, secret: Exponent, ballot_hash: str) -> Proof:
    """The Schnorr signature of a ballot's hash with the credential's secret (spec §4.14)."""
    return make_dlog_proof(group, f"sig|{ballot_hash}|", secret)


def verify_ballot_signature(
    group: Group, credential: Element, ballot_hash: str, signature: Proof
) -> None:
    """Check a ballot's signature against its public credential."""
    verify_dlog_proof(group, f"sig|{ballot_hash}|", credential, signature, what="signature")


def make_decryption_proof(
    group: Group, fingerprint: str, x: Exponent, alpha: Element
) -> tuple[Element, Proof]:
    """A decryption factor alpha^x and its proof (spec §4.18, ``decrypt|φ|X|A,B``)."""
    public_key = group.pow_g_secret(x)
    factor = group.pow_secret(alpha, x)
    proof = make_dlog_proof(group, f"decrypt|{fingerprint}|{public_key}|", x, [alpha])
    return factor, proof


def verify_decryption_proof(
    group: Group,
    fingerprint: str,
    public_key: Element,
    alpha: Element,
    factor: Element,
    proof: Proof,
) -> None:
    """Check that `factor` = alpha^x where `public_key` = g^x."""
    verify_dlog_proof(
        group,
        f"decrypt|{fingerprint}|{public_key}|",
        public_key,
        proof,
        [(alpha, factor)],
        what="decryption proof",
    )


# --- disjunctive proofs: interval membership and blank votes ---------------------------------

Statement = tuple[Element, Element]
"""(α_j, β'_j): the branch j claims α_j = g^r and β'_j = y^r for the same r."""

Powers = Mapping[tuple[int, int], int]
"""base^exponent mod p computed ahead, keyed by (base, exponent): a ballot's verifier computes
all those of an answer at once (`urne.crypto.ballot`), sharing squarings between challenges."""


def _branch_commitments(
    group: Group, y: Element, statement: Statement, proof: Proof, powers: Powers | None = None
) -> tuple[Element, Element]:
    alpha, beta = statement
    c, r = proof.challenge, proof.response
    alpha_c = None if powers is None else powers.get((alpha, c))
    beta_c = None if powers is None else powers.get((beta, c))
    a = group.mul(group.pow_g(r), group.pow(alpha, c) if alpha_c is None else alpha_c)
    b = group.mul(group.fixed_base(y).pow(r), group.pow(beta, c) if beta_c is None else beta_c)
    return a, b


def make_disjunctive_proof(
    group: Group,
    y: Element,
    prefix: str,
    statements: Sequence[Statement],
    real: int,
    r: Exponent,
) -> tuple[Proof, ...]:
    """Prove that statement `real` holds with secret r, hiding which one among `statements`.

    The challenge is SHA256(prefix + "A0,B0,...,Ak,Bk") mod q minus the other challenges.
    """
    proofs: list[Proof | None] = []
    commitments: list[int] = []
    w = group.random_exponent()
    for j, statement in enumerate(statements):
        if j == real:
            proofs.append(None)
            commitments += [group.pow_g(w), group.fixed_base(y).pow(w)]
        else:
            simulated = Proof(group.random_exponent(), group.random_exponent())
            proofs.append(simulated)
            commitments += _branch_commitments(group, y, statement, simulated)
    total = hash_mod(prefix + join_numbers(commitments), group.q)
    others = sum(proof.challenge for proof in proofs if proof is not None)
    challenge = group.exponent(total - others)
    proofs[real] = Proof(challenge=challenge, response=group.exponent(w - r * challenge))
    return tuple(proof for proof in proofs if proof is not None)


def verify_disjunctive_proof(
    group: Group,
    y: Element,
    prefix: str,
    statements: Sequence[Statement],
    proofs: Sequence[Proof],
    what: str,
    powers: Powers | None = None,
) -> None:
    """Check a proof made by `make_disjunctive_proof`; raises `InvalidProof` naming `what`.

    `powers` may hold some of the α_j^c_j and β'_j^c_j computed ahead; the
    others are computed here.
    """
    if len(proofs) != len(statements):
        raise InvalidProof(f"{what}: {len(proofs)} proofs for {len(statements)} cases")
    commitments: list[int] = []
    for statement, proof in zip(statements, proofs, strict=True):
        commitments += _branch_commitments(group, y, statement, proof, powers)
    total = hash_mod(prefix + join_numbers(commitments), group.q)
    if total != sum(proof.challenge for proof in proofs) % group.q:
        raise InvalidProof(f"{what} does not verify")


def _shifted(group: Group, ciphertext: Ciphertext, values: Sequence[int]) -> list[Statement]:
    # (α, β / g^M) for each allowed message M: the branch M claims β / g^M = y^r.
    return [(ciphertext.alpha, group.mul(ciphertext.beta, group.pow_g(-value))) for value in values]


def make_interval_proof(
    group: Group,
    y: Element,
    s: str,
    ciphertext: Ciphertext,
    r: Exponent,
    message: int,
    values: Sequence[int],
) -> tuple[Proof, ...]:
    """iprove(S, r, i, M0..Mk) of spec §4.12: `ciphertext` encrypts `message`, one of `values`."""
    prefix = f"prove|{s}|{ciphertext.alpha},{ciphertext.beta}|"
    statements = _shifted(group, ciphertext, values)
    return make_disjunctive_proof(group, y, prefix, statements, values.index(message), r)


def verify_interval_proof(
    group: Group,
    y: Element,
    s: str,
    ciphertext: Ciphertext,
    values: Sequence[int],
    proofs: Sequence[Proof],
    what: str = "interval proof",
    powers: Powers | None = None,
) -> None:
    """Check that `ciphertext` encrypts one of `values` (spec §4.12)."""
    prefix = f"prove|{s}|{ciphertext.alpha},{ciphertext.beta}|"
    statements = _shifted(group, ciphertext, values)
    verify_disjunctive_proof(group, y, prefix, statements, proofs, what, powers)


def make_blank_proof(
    group: Group,
    y: Element,
    s: str,
    blank: tuple[Ciphertext, Exponent],
    total: tuple[Ciphertext, Exponent],
    is_blank: bool,
) -> tuple[Proof, Proof]:
    """blank_proof of spec §4.13: m0 = 0 or mΣ = 0.

    `blank` is the encryption of m0 and its randomness, `total` the product of the choices' and
    the sum of their randomness. A blank vote proves mΣ = 0, any other m0 = 0.
    """
    statements = [(blank[0].alpha, blank[0].beta), (total[0].alpha, total[0].beta)]
    real, r = (1, total[1]) if is_blank else (0, blank[1])
    first, second = make_disjunctive_proof(group, y, f"bproof0|{s}|", statements, real, r)
    return first, second


def verify_blank_proof(
    group: Group,
    y: Element,
    s: str,
    blank: Ciphertext,
    total: Ciphertext,
    proofs: Sequence[Proof],
    powers: Powers | None = None,
) -> None:
    """Check blank_proof (m0 = 0 or mΣ = 0) of spec §4.13.3."""
    statements = [(blank.alpha, blank.beta), (total.alpha, total.beta)]
    verify_disjunctive_proof(group, y, f"bproof0|{s}|", statements, proofs, "blank proof", powers)


def _blank_overall_statements(
    group: Group, blank: Ciphertext, total: Ciphertext, values: Sequence[int]
) -> list[Statement]:
    return _shifted(group, blank, [1]) + _shifted(group, total, values)


def make_blank_overall_proof(
    group: Group,
    y: Element,
    s: str,
    blank: tuple[Ciphertext, Exponent],
    total: tuple[Ciphertext, Exponent],
    values: Sequence[int],
    total_message: int | None,
) -> tuple[Proof, ...]:
    """overall_proof when blank is allowed (spec §4.13): m0 = 1 or mΣ in `values`.

    `total_message` is mΣ for a non-blank vote, None for a blank vote.
    """
    statements = _blank_overall_statements(group, blank[0], total[0], values)
    if total_message is None:
        real, r = 0, blank[1]
    else:
        real, r = 1 + values.index(total_message), total[1]
    return make_disjunctive_proof(group, y, f"bproof1|{s}|", statements, real, r)


def verify_blank_overall_proof(
    group: Group,
    y: Element,
    s: str,
    blank: Ciphertext,
    total: Ciphertext,
    values: Sequence[int],
    proofs: Sequence[Proof],
    powers: Powers | None = None,
) -> None:
    """Check overall_proof when blank is allowed: m0 = 1 or mΣ in `values` (spec §4.13.3)."""
    statements = _blank_overall_statements(group, blank, total, values)
    verify_disjunctive_proof(group, y, f"bproof1|{s}|", statements, proofs, "overall proof", powers)

"""Counting: encrypted tally, partial decryptions, result (spec §4.16, §4.18, §4.19).

- `EncryptedTally`: for each question, the product of the ballots' ciphertexts, each ballot raised
  to its weight, with `num_tallied` and `total_weight`. `TallyAccumulator` builds it one ballot at
  a time (a million ballots need not sit in memory); `compute_encrypted_tally` is the one-call
  form. The ballots are those kept by the ballot box (urne allows one per credential; Belenios'
  "last ballot per credential" rule is the caller's business).
- `PartialDecryption`: a trustee's decryption factors alpha^x with their proofs.
  `make_partial_decryption(election, tally, x)` for a "Single" key or a threshold share (x is
  then the trustee's share S_j); `verify_partial_decryption(election, tally, public_key, pd)`
  against the trustee's key (the verification key for a threshold trustee).
- `decrypt_tally(election, trustees, tally, partials)`: verifies every partial decryption
  (`partials` maps the trustee's number, the archive's ``owner``, see
  `urne.crypto.trustees.decryption_slots`), combines them — product for "Single" items, Lagrange
  interpolation at 0 for "Pedersen" items, from the first `threshold` trustees who sent one — and
  takes the bounded discrete logarithms: the `Result`.
- `lagrange_coefficient(indices, delta, q)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gmpy2

from urne.crypto.ballot import Ballot
from urne.crypto.election import Election
from urne.crypto.elgamal import Ciphertext, power
from urne.crypto.errors import DecryptionFailed, InvalidPartialDecryption, InvalidProof
from urne.crypto.group import Element, Exponent, Group
from urne.crypto.jsonio import join_path, read_array, read_int, read_object
from urne.crypto.proofs import (
    Proof,
    make_decryption_proof,
    proofs_from_json,
    verify_decryption_proof,
)
from urne.crypto.trustees import SingleTrustee, Trustee, decryption_slots


@dataclass(frozen=True, slots=True)
class EncryptedTally:
    """The spec's ``encrypted_tally`` with the figures of ``sized_encrypted_tally``."""

    ciphertexts: tuple[tuple[Ciphertext, ...], ...]
    """For each question, one ciphertext per choice (blank flag first when allowed)."""
    num_tallied: int
    total_weight: int

    def to_json(self) -> list[Any]:
        """The ``encrypted_tally`` structure."""
        return [[ciphertext.to_json() for ciphertext in row] for row in self.ciphertexts]

    def sized_to_json(self, encrypted_tally_hash: str) -> dict[str, Any]:
        """The ``sized_encrypted_tally`` structure, pointing at the tally's hash in the archive."""
        return {
            "num_tallied": self.num_tallied,
            "total_weight": self.total_weight,
            "encrypted_tally": encrypted_tally_hash,
        }

    @classmethod
    def from_json(
        cls, election: Election, value: object, num_tallied: int, total_weight: int
    ) -> EncryptedTally:
        """Read an ``encrypted_tally`` whose shape must match the election's questions."""
        rows = read_array(value, "encrypted_tally", len(election.questions))
        ciphertexts = []
        for i, (question, row) in enumerate(zip(election.questions, rows, strict=True)):
            where = f"encrypted_tally[{i}]"
            items = read_array(row, where, question.choice_count)
            ciphertexts.append(
                tuple(
                    Ciphertext.from_json(election.group, item, join_path(where, j))
                    for j, item in enumerate(items)
                )
            )
        return cls(tuple(ciphertexts), num_tallied, total_weight)


class TallyAccumulator:
    """Builds an `EncryptedTally` one ballot at a time."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self._alphas = [[1] * q.choice_count for q in election.questions]
        self._betas = [[1] * q.choice_count for q in election.questions]
        self.num_tallied = 0
        self.total_weight = 0

    def add(self, ballot: Ballot, weight: int = 1) -> None:
        """Count a ballot (already checked against this election) with its weight."""
        if weight < 1:
            raise ValueError("a weight is at least 1")
        group = self.election.group
        p = group.p
        for question_alphas, question_betas, answer in zip(
            self._alphas, self._betas, ballot.answers, strict=True
        ):
            for j, choice in enumerate(answer.choices):
                weighted = power(group, choice, weight)
                question_alphas[j] = gmpy2.f_mod(question_alphas[j] * weighted.alpha, p)
                question_betas[j] = gmpy2.f_mod(question_betas[j] * weighted.beta, p)
        self.num_tallied += 1
        self.total_weight += weight

    def result(self) -> EncryptedTally:
        """The encrypted tally of the ballots added so far."""
        return EncryptedTally(
            ciphertexts=tuple(
                tuple(
                    Ciphertext(Element(gmpy2.mpz(alpha)), Element(gmpy2.mpz(beta)))
                    for alpha, beta in zip(alphas, betas, strict=True)
                )
                for alphas, betas in zip(self._alphas, self._betas, strict=True)
            ),
            num_tallied=self.num_tallied,
            total_weight=self.total_weight,
        )


def compute_encrypted_tally(
    election: Election, ballots: Iterable[tuple[Ballot, int]]
) -> EncryptedTally:
    """The encrypted tally of (ballot, weight) pairs."""
    accumulator = TallyAccumulator(election)
    for ballot, weight in ballots:
        accumulator.add(ballot, weight)
    return accumulator.result()


@dataclass(frozen=True, slots=True)
class PartialDecryption:
    """The spec's ``partial_decryption``: alpha^x for each ciphertext, with proofs."""

    decryption_factors: tuple[tuple[Element, ...], ...]
    decryption_proofs: tuple[tuple[Proof, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "decryption_factors": [[str(f) for f in row] for row in self.decryption_factors],
            "decryption_proofs": [[p.to_json() for p in row] for row in self.decryption_proofs],
        }

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> PartialDecryption:
        fields = read_object(value, where, required=("decryption_factors", "decryption_proofs"))
        factors_path = join_path(where, "decryption_factors")
        proofs_path = join_path(where, "decryption_proofs")
        return cls(
            decryption_factors=tuple(
                tuple(
                    group.read_element(item, join_path(join_path(factors_path, i), j))
                    for j, item in enumerate(read_array(row, join_path(factors_path, i)))
                )
                for i, row in enumerate(read_array(fields["decryption_factors"], factors_path))
            ),
            decryption_proofs=tuple(
                proofs_from_json(group, row, join_path(proofs_path, i))
                for i, row in enumerate(read_array(fields["decryption_proofs"], proofs_path))
            ),
        )


def make_partial_decryption(
    election: Election, tally: EncryptedTally, x: Exponent
) -> PartialDecryption:
    """A trustee's partial decryption of `tally` with its private key (or share) x."""
    factors = []
    proofs = []
    for row in tally.ciphertexts:
        pairs = [
            make_decryption_proof(election.group, election.fingerprint, x, c.alpha) for c in row
        ]
        factors.append(tuple(factor for factor, _ in pairs))
        proofs.append(tuple(proof for _, proof in pairs))
    return PartialDecryption(tuple(factors), tuple(proofs))


def verify_partial_decryption(
    election: Election, tally: EncryptedTally, public_key: Element, partial: PartialDecryption
) -> None:
    """Check a partial decryption against the trustee's public key; raises
    `InvalidPartialDecryption`."""
    shape = [len(row) for row in tally.ciphertexts]
    if [len(row) for row in partial.decryption_factors] != shape or [
        len(row) for row in partial.decryption_proofs
    ] != shape:
        raise InvalidPartialDecryption("its shape does not match the encrypted tally")
    for i, (row, factors, proofs) in enumerate(
        zip(tally.ciphertexts, partial.decryption_factors, partial.decryption_proofs, strict=True)
    ):
        for j, (ciphertext, factor, proof) in enumerate(zip(row, factors, proofs, strict=True)):
            try:
                verify_decryption_proof(
                    election.group,
                    election.fingerprint,
                    public_key,
                    ciphertext.alpha,
                    factor,
                    proof,
                )
            except InvalidProof:
                raise InvalidPartialDecryption(
                    f"question {i + 1}, choice {j}: the decryption proof fails"
                ) from None


def lagrange_coefficient(indices: Sequence[int], delta: int, q: int) -> Exponent:
    """λ_δ = Π_{k in indices, k ≠ δ} k / (k − δ) mod q: the weight of share δ at 0."""
    numerator = gmpy2.mpz(1)
    denominator = gmpy2.mpz(1)
    for k in indices:
        if k != delta:
            numerator = numerator * k % q
            denominator = denominator * (k - delta) % q
    return Exponent(numerator * gmpy2.invert(denominator, q) % q)


@dataclass(frozen=True, slots=True)
class Result:
    """The spec's ``result``: for each question, the (weighted) count of each choice."""

    counts: tuple[tuple[int, ...], ...]

    def to_json(self) -> dict[str, Any]:
        return {"result": [list(row) for row in self.counts]}

    @classmethod
    def from_json(cls, value: object, where: str = "") -> Result:
        fields = read_object(value, where, required=("result",))
        path = join_path(where, "result")
        return cls(
            tuple(
                tuple(
                    read_int(item, join_path(join_path(path, i), j), minimum=0)
                    for j, item in enumerate(read_array(row, join_path(path, i)))
                )
                for i, row in enumerate(read_array(fields["result"], path))
            )
        )


def _power_rows(
    group: Group, factors: tuple[tuple[Element, ...], ...], exponent: int
) -> list[list[int]]:
    return [[group.pow(factor, exponent) for factor in row] for row in factors]


def decrypt_tally(
    election: Election,
    trustees: Sequence[Trustee],
    tally: EncryptedTally,
    partials: Mapping[int, PartialDecryption],
) -> Result:
    """The result, from the trustees' partial decryptions (keyed by trustee number).

    Every partial decryption given is verified first (`InvalidPartialDecryption` names the
    trustee). Raises `DecryptionFailed` if a "Single" trustee's share is missing, if fewer than
    `threshold` trustees of a "Pedersen" item sent theirs, or if a count exceeds the total weight.
    """
    group = election.group
    slots = decryption_slots(trustees)
    by_owner = {slot.owner: slot for slot in slots}
    for owner, partial in partials.items():
        slot = by_owner.get(owner)
        if slot is None:
            raise InvalidPartialDecryption(f"there is no trustee number {owner}")
        try:
            verify_partial_decryption(election, tally, slot.public_key, partial)
        except InvalidPartialDecryption as error:
            raise InvalidPartialDecryption(f"trustee {owner}: {error}") from None
    shape = [len(row) for row in tally.ciphertexts]
    combined: list[list[int]] = [[1] * n for n in shape]

    def absorb(rows: list[list[int]]) -> None:
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                combined[i][j] = group.mul(combined[i][j], value)

    for item, trustee in enumerate(trustees):
        members = [slot for slot in slots if slot.item == item]
        if isinstance(trustee, SingleTrustee):
            owner = members[0].owner
            if owner not in partials:
                raise DecryptionFailed(f"the partial decryption of trustee {owner} is missing")
            absorb([list(row) for row in partials[owner].decryption_factors])
            continue
        present = [slot for slot in members if slot.owner in partials][: trustee.threshold]
        if len(present) < trustee.threshold:
            raise DecryptionFailed(
                f"trustees item {item + 1}: {trustee.threshold} partial decryptions are needed, "
                f"{len(present)} received"
            )
        positions = [slot.position or 0 for slot in present]
        for slot in present:
            coefficient = lagrange_coefficient(positions, slot.position or 0, group.q)
            absorb(_power_rows(group, partials[slot.owner].decryption_factors, coefficient))
    counts = []
    for row, factors in zip(tally.ciphertexts, combined, strict=True):
        question_counts = []
        for ciphertext, factor in zip(row, factors, strict=True):
            try:
                question_counts.append(
                    group.log_g(group.div(ciphertext.beta, factor), tally.total_weight)
                )
            except DecryptionFailed:
                raise DecryptionFailed(
                    "a count is beyond the total weight: the partial decryptions do not decrypt "
                    "this tally"
                ) from None
        counts.append(tuple(question_counts))
    return Result(tuple(counts))

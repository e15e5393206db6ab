"""Exponential ElGamal over the group (spec §4.3, §4.11.1).

A message m (a small number: 0 or 1 in a ballot, a count in a tally) is encrypted under the
election public key y with a random r as ``alpha = g^r, beta = y^r·g^m``. The product of two
ciphertexts encrypts the sum of their messages, which is what the homomorphic tally relies on.

- `Ciphertext` (frozen): `alpha`, `beta`; `to_json()` / `Ciphertext.from_json(group, value, where)`.
- `encrypt(group, y, m, r)`; `make_encryption(group, y, m)` draws r and returns it too.
- `multiply(group, ciphertexts)`, `power(group, c, k)` (for weights), `NEUTRAL` (encrypts 0 with
  r = 0).
- `decrypt(group, x, c, bound)`: with the whole private key x (tests, or a single-trustee check);
  the real tally combines partial decryptions (`urne.crypto.tally`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from urne.crypto.group import Element, Exponent, Group
from urne.crypto.jsonio import join_path, read_object


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """An ElGamal ciphertext: the spec's ``ciphertext`` structure."""

    alpha: Element
    """g^r"""
    beta: Element
    """y^r · g^m"""

    def to_json(self) -> dict[str, Any]:
        return {"alpha": str(self.alpha), "beta": str(self.beta)}

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> Ciphertext:
        """Read a ciphertext; both numbers are checked to be group elements."""
        fields = read_object(value, where, required=("alpha", "beta"))
        return cls(
            alpha=group.read_element(fields["alpha"], join_path(where, "alpha")),
            beta=group.read_element(fields["beta"], join_path(where, "beta")),
        )


NEUTRAL = Ciphertext(alpha=Element(1), beta=Element(1))
"""The neutral element of the ciphertext product (an encryption of 0 with r = 0)."""


def encrypt(group: Group, y: Element, m: int, r: Exponent) -> Ciphertext:
    """The encryption of m under y with the randomness r."""
    return Ciphertext(
        alpha=group.pow_g(r),
        beta=group.mul(group.fixed_base(y).pow(r), group.pow_g(m)),
    )


def make_encryption(group: Group, y: Element, m: int) -> tuple[Ciphertext, Exponent]:
    """A fresh encryption of m under y, and the randomness r it used (needed by the proofs)."""
    r = group.random_exponent()
    return encrypt(group, y, m, r), r


def multiply(group: Group, ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """The pointwise product: it encrypts the sum of the messages."""
    alphas: list[int] = []
    betas: list[int] = []
    for ciphertext in ciphertexts:
        alphas.append(ciphertext.alpha)
        betas.append(ciphertext.beta)
    return Ciphertext(alpha=group.prod(alphas), beta=group.prod(betas))


def power(group: Group, ciphertext: Ciphertext, k: int) -> Ciphertext:
    """The ciphertext raised to k: it encrypts k times the message (a weighted ballot)."""
    if k == 1:
        return ciphertext
    return Ciphertext(alpha=group.pow(ciphertext.alpha, k), beta=group.pow(ciphertext.beta, k))


def decrypt(group: Group, x: Exponent, ciphertext: Ciphertext, bound: int) -> int:
    """The message m in [0, bound] of `ciphertext`, with the private key x.

    Raises `DecryptionFailed` if the message is not in [0, bound].
    """
    g_m = group.div(ciphertext.beta, group.pow(ciphertext.alpha, x))
    return group.log_g(g_m, bound)

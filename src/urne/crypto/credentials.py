"""Voting identifiers (private credentials) and public credentials (spec §4.8).

A private credential — urne calls it the *voting identifier* — is 15 Base58 characters written
``XXX-XXX-XXX-XXX-XXX``: 14 random ones and a checksum (53 − n mod 53, n being the first 14 read as
a big-endian Base58 number) that catches typing errors. urne gives each elector one identifier for
the whole campaign. Each scrutin is one Belenios election with its own uuid, and the secret
exponent is derived with that uuid as salt (PBKDF2-HMAC-SHA256, 1000 iterations), so one identifier
gives unlinkable public credentials g^s in different scrutins.

- `make_private_credential()`: a fresh identifier (`secrets`).
- `check_private_credential(text)`: the identifier in canonical dashed form, from what a voter
  typed (dashes optional, spaces around ignored); raises `InvalidCredential`.
- `derive_secret(group, credential, uuid)` → `Exponent`;
  `derive_public_credential(group, credential, uuid)` → `Element`.
- `PublicCredential` (credential, weight, optional login) and `PublicCredentials`, the list L of
  the election (``public_credentials``: ``"cred"`` or ``"cred,weight"`` strings; belenios-tool's
  ``.pubcreds`` files add a login, ``"cred,weight,login"``, an empty weight meaning 1). It is a
  read-only mapping credential → weight, checks that credentials are distinct, and gives the
  total weight.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from urne.crypto.errors import InvalidCredential, MalformedData, NonCanonicalNumber
from urne.crypto.group import Element, Exponent, Group
from urne.crypto.jsonio import join_path, read_array, read_natural, read_string

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
"""The Base58 alphabet of the spec (no 0, O, I, l): credentials, uuids, trustee seeds."""

_DIGIT = {character: value for value, character in enumerate(BASE58)}
_RANDOM_LENGTH = 14
_PBKDF2_ITERATIONS = 1000


def _checksum(body: str) -> str:
    number = 0
    for character in body:
        number = number * 58 + _DIGIT[character]
    return BASE58[(53 - number) % 53]


def _dashed(raw: str) -> str:
    return "-".join(raw[i : i + 3] for i in range(0, 15, 3))


def make_private_credential() -> str:
    """A fresh voting identifier ``XXX-XXX-XXX-XXX-XXX`` (14 random characters + checksum)."""
    body = "".join(secrets.choice(BASE58) for _ in range(_RANDOM_LENGTH))
    return _dashed(body + _checksum(body))


def check_private_credential(text: str) -> str:
    """The identifier `text` in canonical form ``XXX-XXX-XXX-XXX-XXX``.

    Accepts the 15 characters with or without the dashes (surrounding blanks ignored). Raises
    `InvalidCredential` for a wrong length, a character outside the alphabet or a wrong checksum.
    """
    stripped = text.strip()
    raw = stripped.replace("-", "")
    dashed_ok = stripped == raw or stripped == _dashed(raw)
    if len(raw) != 15 or not dashed_ok:
        raise InvalidCredential("a voting identifier has 15 characters: XXX-XXX-XXX-XXX-XXX")
    wrong = sorted({character for character in raw if character not in _DIGIT})
    if wrong:
        raise InvalidCredential(f"characters not used in voting identifiers: {''.join(wrong)}")
    if _checksum(raw[:14]) != raw[14]:
        raise InvalidCredential("the voting identifier has a typing error (wrong checksum)")
    return _dashed(raw)


def derive_secret(group: Group, credential: str, uuid: str) -> Exponent:
    """secret(c): PBKDF2-HMAC-SHA256(c, salt = uuid, 1000 iterations, 32 bytes) mod q.

    `credential` is checked first (`InvalidCredential`) and used in its dashed form.
    """
    password = check_private_credential(credential)
    key = hashlib.pbkdf2_hmac(
        "sha256", password.encode("utf-8"), uuid.encode("utf-8"), _PBKDF2_ITERATIONS, 32
    )
    return group.exponent(int.from_bytes(key, "big"))


def derive_public_credential(group: Group, credential: str, uuid: str) -> Element:
    """public(c) = g^secret(c): what the election's credential list holds for this voter."""
    return group.pow_g_secret(derive_secret(group, credential, uuid))


@dataclass(frozen=True, slots=True)
class PublicCredential:
    """One entry of the public credential list."""

    credential: Element
    """g^secret(c)"""
    weight: int = 1
    login: str | None = None
    """Only in belenios-tool's ``.pubcreds`` files; never published in an election."""

    def to_json(self, with_login: bool = False) -> str:
        """``cred``, or ``cred,weight`` when the weight is not 1 (``cred,weight,login`` with
        `with_login`, belenios-tool's ``.pubcreds`` form)."""
        if with_login and self.login is not None:
            return f"{self.credential},{self.weight},{self.login}"
        if self.weight != 1:
            return f"{self.credential},{self.weight}"
        return str(self.credential)

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> PublicCredential:
        text = read_string(value, where)
        parts = text.split(",", 2)
        credential = group.element(read_natural(parts[0], where), where)
        weight = 1
        if len(parts) > 1 and parts[1] != "":
            weight = read_natural(parts[1], where)
            if weight == 0:
                raise NonCanonicalNumber(where, "a weight must be at least 1")
        login = parts[2] if len(parts) > 2 else None
        return cls(credential=credential, weight=weight, login=login)


class PublicCredentials(Mapping[Element, int]):
    """The list L of an election: a read-only mapping public credential → weight, in order."""

    def __init__(self, entries: Sequence[PublicCredential]) -> None:
        weights: dict[Element, int] = {}
        for entry in entries:
            if entry.credential in weights:
                raise MalformedData("", "the same public credential appears twice")
            weights[entry.credential] = entry.weight
        self.entries = tuple(entries)
        self._weights = weights

    def __getitem__(self, credential: Element) -> int:
        return self._weights[credential]

    def __iter__(self) -> Iterator[Element]:
        return iter(self._weights)

    def __len__(self) -> int:
        return len(self._weights)

    @property
    def total_weight(self) -> int:
        """The sum of all weights: the bound of every count in the result."""
        return sum(self._weights.values())

    def to_json(self) -> list[str]:
        """The ``public_credentials`` structure as an election publishes it (no logins)."""
        return [entry.to_json() for entry in self.entries]

    @classmethod
    def from_json(cls, group: Group, value: object, where: str = "") -> PublicCredentials:
        items = read_array(value, where)
        return cls(
            [
                PublicCredential.from_json(group, item, join_path(where, i))
                for i, item in enumerate(items)
            ]
        )

"""The typed failures of the protocol core.

Every check in `urne.crypto` either returns normally or raises one of these; none returns `None` or
`False` to mean "invalid". Callers that face the public (the ballot box, `urne verify`) catch
`CryptoError` and show `str(error)`; callers that need to branch read the attributes (`where`,
`reason`), never the message.

    CryptoError
    ├── MalformedData          the bytes are not the structure the specification describes
    │   ├── NotJSON            not JSON at all (e.g. truncated)
    │   ├── WrongType          a value of the wrong JSON type (a number where a string must be)
    │   ├── MissingField       an object lacks a mandatory field
    │   ├── UnknownField       an object has a field the specification does not define
    │   ├── WrongLength        an array has the wrong number of items
    │   ├── NonCanonicalNumber a number not written as canonical decimal (sign, leading zero, range)
    │   └── NotInGroup         a number that is not an element of the group
    │       └── NotInSubgroup  ... in range but outside the subgroup of order q
    ├── UnsupportedElection    a well-formed Belenios 2.0 feature urne refuses (mixnet questions...)
    ├── InvalidCredential      a private credential with a typo (length, alphabet, checksum)
    ├── InvalidProof           a zero-knowledge proof or signature that does not verify
    ├── InvalidVote            a plaintext vote that breaks its question's rules (making a ballot)
    ├── InvalidBallot          a ballot the ballot box must refuse; `reason` says why (BallotDefect)
    ├── InvalidTrustees        a trustee key or threshold parameters that do not verify
    ├── InvalidPartialDecryption  a trustee's decryption share that does not verify
    └── DecryptionFailed       no result: missing shares, or a count beyond its bound
"""

from __future__ import annotations

import enum


class CryptoError(Exception):
    """Base of every failure raised by `urne.crypto`."""


class MalformedData(CryptoError):
    """The data do not have the shape the specification gives them.

    `where` is a path in the JSON value, such as ``answers[0].choices[2].alpha`` (empty for the
    whole value).
    """

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


class NotJSON(MalformedData):
    """The text is not JSON (truncated, or not JSON at all)."""


class WrongType(MalformedData):
    """A JSON value of the wrong type: a number written as a JSON number instead of a string..."""


class MissingField(MalformedData):
    """An object lacks a mandatory field."""


class UnknownField(MalformedData):
    """An object has a field the specification does not define (or twice the same field)."""


class WrongLength(MalformedData):
    """An array with the wrong number of items (answers, choices, proofs...)."""


class NonCanonicalNumber(MalformedData):
    """A big number not written as canonical base-10 (sign, leading zero, blank) or out of range."""


class NotInGroup(MalformedData):
    """A number that is not a group element (0, p or more...)."""


class NotInSubgroup(NotInGroup):
    """A number in [1, p-1] but outside the subgroup of order q (e.g. p-1, of order 2)."""


class UnsupportedElection(CryptoError):
    """A feature of Belenios 2.0 that urne deliberately refuses (non-homomorphic questions...)."""


class InvalidCredential(CryptoError):
    """A private credential that cannot be right: wrong length, a character outside the alphabet,
    or a checksum that does not match (a typing error)."""


class InvalidProof(CryptoError):
    """A zero-knowledge proof or a signature does not verify."""


class InvalidVote(CryptoError):
    """A plaintext vote that its question does not allow (too many choices, not 0/1...)."""


class BallotDefect(enum.Enum):
    """Why a ballot is refused. One member per distinct reason; values are stable identifiers
    (usable in logs, metrics and translations)."""

    TOO_LARGE = "too-large"
    NOT_JSON = "not-json"
    WRONG_TYPE = "wrong-type"
    MISSING_FIELD = "missing-field"
    UNKNOWN_FIELD = "unknown-field"
    NON_CANONICAL_NUMBER = "non-canonical-number"
    NOT_A_GROUP_ELEMENT = "not-a-group-element"
    NOT_IN_SUBGROUP = "not-in-subgroup"
    NOT_CANONICAL_JSON = "not-canonical-json"
    WRONG_ELECTION_UUID = "wrong-election-uuid"
    WRONG_ELECTION_HASH = "wrong-election-hash"
    WRONG_ANSWER_COUNT = "wrong-answer-count"
    WRONG_CHOICE_COUNT = "wrong-choice-count"
    WRONG_PROOF_COUNT = "wrong-proof-count"
    UNKNOWN_CREDENTIAL = "unknown-credential"
    BAD_INDIVIDUAL_PROOF = "bad-individual-proof"
    BAD_OVERALL_PROOF = "bad-overall-proof"
    BAD_BLANK_PROOF = "bad-blank-proof"
    SIGNATURE_HASH_MISMATCH = "signature-hash-mismatch"
    BAD_SIGNATURE = "bad-signature"


class InvalidBallot(CryptoError):
    """A ballot the ballot box must refuse. `reason` is a `BallotDefect`; the message gives the
    place (e.g. ``question 1, choice 3``) for humans."""

    def __init__(self, reason: BallotDefect, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(message)


class InvalidTrustees(CryptoError):
    """A trustee's public key or the threshold parameters do not verify."""


class InvalidPartialDecryption(CryptoError):
    """A partial decryption has the wrong shape or a proof that does not verify."""


class DecryptionFailed(CryptoError):
    """The result cannot be computed: not enough valid shares, or a count beyond its bound."""

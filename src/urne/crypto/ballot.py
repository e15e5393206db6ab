"""Ballots for homomorphic questions: making, reading, verifying (spec §4.11–4.15).

A plaintext vote is one list per question, as belenios-tool writes it: one 0/1 per answer, led by
the blank flag when the question allows blank (``[[0, 1, 0, 0]]`` = not blank, second answer).

Making: `make_ballot(election, credential, vote)` encrypts each choice, proves each is 0 or 1,
proves the question's constraints (overall proof; blank proof when blank is allowed) and signs
the ballot with the secret derived from the private credential. Its `text` is the compact JSON
belenios-tool would write.

Receiving: `check_ballot(election, text, credentials)` does all a ballot box checks and returns a
`CheckedBallot` (the ballot and its weight), or raises `InvalidBallot`, whose `reason` is a
`BallotDefect`. It runs two steps, also usable apart:

1. `read_ballot(election, text, credentials=None)`: size, JSON, exact shape (fields, counts of
   answers, choices and proofs), election uuid and fingerprint, the credential in the list (when
   given), numbers in canonical base 10, every group element in the subgroup, and the text in
   canonical form (one trailing newline tolerated). Cheap checks come first.
2. `verify_ballot(election, ballot, credentials)`: the credential is in the election's list (a
   mapping credential → weight, e.g. `PublicCredentials`), then `verify_ballot_proofs`: every
   individual, overall and blank proof, then the signature. Returns the ballot's weight.

A long-lived process (the ballot box's web worker) calls `prepare_election(election)` once per
election, e.g. when it starts or at the election's first ballot: from then on `check_ballot`
runs through that election's `BallotChecker` (fixed-base tables of g and of the election public
key built once, each number's x^q computed with its proofs' powers) — same checks, same
`InvalidBallot` and `BallotDefect`, nothing else to change for the caller. The process keeps a
few elections prepared (`PREPARED_ELECTIONS`), keyed by fingerprint.

Checking one ballot costs about 37 exponentiations with a base that changes from ballot to
ballot (the α^c and β^c of every branch of every proof, and the credential's in the signature).
The numbers an answer's proofs need are computed together (`_answer_powers`): the blank flag's α
and β are each raised to four challenges, which then share their squarings.

`verify_ballot_proofs` needs no credential list, and `check_ballot_text(election_text,
ballot_text)` takes and returns plain strings: a ballot box or a verifier can spread ballots over
a process pool and keep the credential lookup for itself.

`Ballot.tracker` is the smart ballot tracker, H_JSON of the ballot's text.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

from urne.crypto import fastexp
from urne.crypto.credentials import derive_secret
from urne.crypto.election import Election, Question, read_election_once
from urne.crypto.elgamal import Ciphertext, make_encryption, multiply
from urne.crypto.errors import (
    BallotDefect,
    InvalidBallot,
    InvalidProof,
    InvalidVote,
    MalformedData,
    MissingField,
    NonCanonicalNumber,
    NotInGroup,
    NotInSubgroup,
    NotJSON,
    UnknownField,
    WrongLength,
    WrongType,
)
from urne.crypto.group import Element, Group
from urne.crypto.hashing import hash_json
from urne.crypto.jsonio import (
    dumps,
    join_path,
    loads,
    read_array,
    read_natural,
    read_object,
    read_string,
)
from urne.crypto.proofs import (
    Powers,
    Proof,
    make_ballot_signature,
    make_blank_overall_proof,
    make_blank_proof,
    make_interval_proof,
    proofs_from_json,
    proofs_to_json,
    verify_ballot_signature,
    verify_blank_overall_proof,
    verify_blank_proof,
    verify_interval_proof,
)

_BALLOT_FIELDS = ("election_uuid", "election_hash", "credential", "answers", "signature")
_ANSWER_FIELDS = ("choices", "individual_proofs", "overall_proof")
_UNKNOWN_CREDENTIAL = "the credential is not in the list of this election's voters"


@dataclass(frozen=True, slots=True)
class Answer:
    """The spec's ``answer_h``: the encrypted choices of one question and their proofs."""

    choices: tuple[Ciphertext, ...]
    """One per answer, led by the blank flag when the question allows blank."""
    individual_proofs: tuple[tuple[Proof, ...], ...]
    """For each choice, the proof that it encrypts 0 or 1 (two proofs)."""
    overall_proof: tuple[Proof, ...]
    """min <= number of selected answers <= max (or blank, when allowed)."""
    blank_proof: tuple[Proof, ...] | None = None
    """Blank allowed only: the vote is blank or nothing is selected, never both (two proofs)."""

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "choices": [choice.to_json() for choice in self.choices],
            "individual_proofs": [proofs_to_json(proofs) for proofs in self.individual_proofs],
            "overall_proof": proofs_to_json(self.overall_proof),
        }
        if self.blank_proof is not None:
            value["blank_proof"] = proofs_to_json(self.blank_proof)
        return value


@dataclass(frozen=True, slots=True)
class Signature:
    """The spec's ``signature``: the hash of the ballot without it, and a Schnorr proof."""

    hash: str
    proof: Proof

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "proof": self.proof.to_json()}


@dataclass(frozen=True)
class Ballot:
    """The spec's ``ballot`` structure with its exact text."""

    election_uuid: str
    election_hash: str
    credential: Element
    """The voter's public credential g^secret(c)."""
    answers: tuple[Answer, ...]
    signature: Signature
    text: str = field(default="", compare=False, repr=False)
    """The compact JSON text (filled in when left empty)."""

    def __post_init__(self) -> None:
        if not self.text:
            # One serialization gives both texts: the compact JSON of an object is its fields
            # written one after the other, and the signature is the last field.
            unsigned = dumps(self.to_json(with_signature=False))
            signature = dumps(self.signature.to_json())
            object.__setattr__(self, "_unsigned_text", unsigned)
            object.__setattr__(self, "text", f'{unsigned[:-1]},"signature":{signature}}}')

    def to_json(self, with_signature: bool = True) -> dict[str, Any]:
        value: dict[str, Any] = {
            "election_uuid": self.election_uuid,
            "election_hash": self.election_hash,
            "credential": str(self.credential),
            "answers": [answer.to_json() for answer in self.answers],
        }
        if with_signature:
            value["signature"] = self.signature.to_json()
        return value

    @functools.cached_property
    def signed_hash(self) -> str:
        """H_JSON of the ballot without its signature: what the signature must cover."""
        unsigned = self.__dict__.get("_unsigned_text")
        if unsigned is None:  # a ballot built with its text given
            unsigned = dumps(self.to_json(with_signature=False))
        return hash_json(unsigned)

    @functools.cached_property
    def tracker(self) -> str:
        """The smart ballot tracker: H_JSON of the ballot's text."""
        return hash_json(self.text)


# --- making ------------------------------------------------------------------------------------


def _prefix_s0(election: Election, credential: Element) -> str:
    # S0 = φ | g^s (spec §4.11): binds every proof to this election and this voter.
    return f"{election.fingerprint}|{credential}"


def _prefix_s(s0: str, choices: Sequence[Ciphertext]) -> str:
    # S = S0 | α1,β1,α2,β2,... : binds the overall and blank proofs to all the choices.
    return s0 + "|" + ",".join(f"{choice.alpha},{choice.beta}" for choice in choices)


def check_vote(question: Question, vote: Sequence[int], where: str = "") -> None:
    """Raise `InvalidVote` unless `vote` is a plaintext this question allows."""
    if len(vote) != question.choice_count:
        raise InvalidVote(f"{where}expected {question.choice_count} numbers, got {len(vote)}")
    if any(isinstance(m, bool) or m not in (0, 1) for m in vote):
        raise InvalidVote(f"{where}each choice is 0 or 1")
    if question.allows_blank and vote[0] == 1:
        if any(vote[1:]):
            raise InvalidVote(f"{where}a blank vote selects no answer")
        return
    selected = sum(vote[1:] if question.allows_blank else vote)
    if not question.min <= selected <= question.max:
        raise InvalidVote(
            f"{where}select between {question.min} and {question.max} answers, not {selected}"
        )


def _make_answer(
    group: Group, y: Element, s0: str, question: Question, vote: Sequence[int]
) -> Answer:
    encryptions = [make_encryption(group, y, m) for m in vote]
    choices = tuple(ciphertext for ciphertext, _ in encryptions)
    individual = tuple(
        make_interval_proof(group, y, s0, ciphertext, r, m, (0, 1))
        for (ciphertext, r), m in zip(encryptions, vote, strict=True)
    )
    s = _prefix_s(s0, choices)
    values = list(range(question.min, question.max + 1))
    if not question.allows_blank:
        total = multiply(group, choices)
        r_total = group.exponent(sum(r for _, r in encryptions))
        overall = make_interval_proof(group, y, s, total, r_total, sum(vote), values)
        return Answer(choices, individual, overall)
    blank = encryptions[0]
    total_pair = (
        multiply(group, choices[1:]),
        group.exponent(sum(r for _, r in encryptions[1:])),
    )
    is_blank = vote[0] == 1
    blank_proof = make_blank_proof(group, y, s, blank, total_pair, is_blank)
    overall = make_blank_overall_proof(
        group, y, s, blank, total_pair, values, None if is_blank else sum(vote[1:])
    )
    return Answer(choices, individual, overall, blank_proof)


def make_ballot(election: Election, credential: str, vote: Sequence[Sequence[int]]) -> Ballot:
    """A ballot for `vote` (one list per question), signed with the private `credential`.

    Raises `InvalidVote` for a vote the questions do not allow and `InvalidCredential` for a
    mistyped credential.
    """
    group = election.group
    if len(vote) != len(election.questions):
        raise InvalidVote(f"expected {len(election.questions)} answers, got {len(vote)}")
    for index, (question, answer) in enumerate(zip(election.questions, vote, strict=True)):
        check_vote(question, answer, f"question {index + 1}: ")
    secret = derive_secret(group, credential, election.uuid)
    public_credential = group.pow_g(secret)
    s0 = _prefix_s0(election, public_credential)
    answers = tuple(
        _make_answer(group, election.public_key, s0, question, answer)
        for question, answer in zip(election.questions, vote, strict=True)
    )
    unsigned: dict[str, Any] = {
        "election_uuid": election.uuid,
        "election_hash": election.fingerprint,
        "credential": str(public_credential),
        "answers": [answer.to_json() for answer in answers],
    }
    signed_hash = hash_json(dumps(unsigned))
    return Ballot(
        election_uuid=election.uuid,
        election_hash=election.fingerprint,
        credential=public_credential,
        answers=answers,
        signature=Signature(signed_hash, make_ballot_signature(group, secret, signed_hash)),
    )


# --- reading -----------------------------------------------------------------------------------


def _defect(error: MalformedData) -> BallotDefect:
    # The most specific class first: NotInSubgroup is a NotInGroup.
    for kind, defect in (
        (NotJSON, BallotDefect.NOT_JSON),
        (WrongType, BallotDefect.WRONG_TYPE),
        (MissingField, BallotDefect.MISSING_FIELD),
        (UnknownField, BallotDefect.UNKNOWN_FIELD),
        (WrongLength, BallotDefect.WRONG_PROOF_COUNT),
        (NonCanonicalNumber, BallotDefect.NON_CANONICAL_NUMBER),
        (NotInSubgroup, BallotDefect.NOT_IN_SUBGROUP),
        (NotInGroup, BallotDefect.NOT_A_GROUP_ELEMENT),
    ):
        if isinstance(error, kind):
            return defect
    return BallotDefect.WRONG_TYPE


def _read_answer(group: Group, question: Question, value: object, where: str) -> Answer:
    optional = ("blank_proof",) if question.allows_blank else ()
    required = _ANSWER_FIELDS + optional
    fields = read_object(value, where, required=required)
    count = question.choice_count
    raw_choices = read_array(fields["choices"], join_path(where, "choices"))
    if len(raw_choices) != count:
        raise InvalidBallot(
            BallotDefect.WRONG_CHOICE_COUNT,
            f"{where}.choices: expected {count} encrypted choices, found {len(raw_choices)}",
        )
    raw_individual = read_array(fields["individual_proofs"], join_path(where, "individual_proofs"))
    if len(raw_individual) != count:
        raise InvalidBallot(
            BallotDefect.WRONG_PROOF_COUNT,
            f"{where}.individual_proofs: expected {count} proofs, found {len(raw_individual)}",
        )
    overall_length = question.max - question.min + 1 + (1 if question.allows_blank else 0)
    individual_path = join_path(where, "individual_proofs")
    choices_path = join_path(where, "choices")
    return Answer(
        choices=tuple(
            Ciphertext.from_json(group, item, join_path(choices_path, i))
            for i, item in enumerate(raw_choices)
        ),
        individual_proofs=tuple(
            proofs_from_json(group, item, join_path(individual_path, i), 2)
            for i, item in enumerate(raw_individual)
        ),
        overall_proof=proofs_from_json(
            group, fields["overall_proof"], join_path(where, "overall_proof"), overall_length
        ),
        blank_proof=(
            proofs_from_json(group, fields["blank_proof"], join_path(where, "blank_proof"), 2)
            if question.allows_blank
            else None
        ),
    )


def max_ballot_length(election: Election) -> int:
    """A generous bound on the length of a ballot's text for `election` (about twice the real
    size: a 2048-bit ciphertext with its two proofs takes under 2,000 characters)."""
    choices = sum(question.choice_count for question in election.questions)
    proofs = sum(question.max - question.min + 4 for question in election.questions)
    return 4096 + 4096 * choices + 400 * proofs


def read_ballot(
    election: Election,
    text: str | bytes,
    credentials: Mapping[Element, int] | None = None,
    *,
    deferred: list[int] | None = None,
    symbol: bool = True,
) -> Ballot:
    """Read and check the form of a ballot for `election` (see the module docstring, step 1).

    With `credentials` (public credential → weight), an unknown credential is refused before any
    costly check. Raises `InvalidBallot`; proofs and signature are checked by `verify_ballot`.

    `deferred` is for the batch verifier only: the numbers read are appended to it with only the
    cheap part of their group membership checked (`urne.crypto.group.Group.
    with_deferred_membership`); the ballot may be trusted once that list passed a
    `urne.crypto.fastexp.SubgroupBatch`. With `symbol` false, not even their Jacobi symbol is
    computed: for a caller that tests x^q = 1 for each (`BallotChecker`).
    """
    group = election.group
    if deferred is not None:
        group = group.with_deferred_membership(deferred, symbol)
    limit = max_ballot_length(election)
    if len(text) > limit:
        raise InvalidBallot(
            BallotDefect.TOO_LARGE, f"a ballot for this election has at most {limit} characters"
        )
    try:
        value = loads(text)
        fields = read_object(value, "", required=_BALLOT_FIELDS)
        uuid = read_string(fields["election_uuid"], "election_uuid")
        if uuid != election.uuid:
            raise InvalidBallot(
                BallotDefect.WRONG_ELECTION_UUID, f"the ballot is for another election ({uuid})"
            )
        if read_string(fields["election_hash"], "election_hash") != election.fingerprint:
            raise InvalidBallot(
                BallotDefect.WRONG_ELECTION_HASH,
                "the ballot was made for other election parameters (election_hash differs)",
            )
        credential = read_natural(fields["credential"], "credential")
        if credentials is not None and credential not in credentials:
            raise InvalidBallot(BallotDefect.UNKNOWN_CREDENTIAL, _UNKNOWN_CREDENTIAL)
        answers = read_array(fields["answers"], "answers")
        if len(answers) != len(election.questions):
            raise InvalidBallot(
                BallotDefect.WRONG_ANSWER_COUNT,
                f"expected {len(election.questions)} answers, found {len(answers)}",
            )
        signature = read_object(fields["signature"], "signature", required=("hash", "proof"))
        ballot = Ballot(
            election_uuid=uuid,
            election_hash=election.fingerprint,
            credential=group.element(credential, "credential"),
            answers=tuple(
                _read_answer(group, question, answer, join_path("answers", i))
                for i, (question, answer) in enumerate(
                    zip(election.questions, answers, strict=True)
                )
            ),
            signature=Signature(
                hash=read_string(signature["hash"], "signature.hash"),
                proof=Proof.from_json(group, signature["proof"], "signature.proof"),
            ),
        )
    except MalformedData as error:
        raise InvalidBallot(_defect(error), str(error)) from None
    received = text.decode("utf-8") if isinstance(text, bytes) else text
    if received.removesuffix("\n") != ballot.text:
        raise InvalidBallot(
            BallotDefect.NOT_CANONICAL_JSON,
            "the ballot is not written in canonical compact JSON (spacing or field order)",
        )
    return ballot


# --- verifying ---------------------------------------------------------------------------------


def _answer_powers(
    group: Group,
    question: Question,
    answer: Answer,
    total: Ciphertext,
    members: AbstractSet[int] = frozenset(),
) -> dict[tuple[int, int], int]:
    """Every α^c and β'^c the proofs of `answer` raise, computed at once (exactly the numbers
    `Group.pow` gives), so that a number raised to several challenges shares its squarings
    (`urne.crypto.fastexp.pow_many`).

    The blank flag's α is raised to four challenges (its 0/1 proof, the blank proof, the overall
    proof). So is its β, once (β / g^M)^c is written β^c · g^(−M·c), the second factor from g's
    table: that rewriting is used for a β that then reaches three exponents or more.

    `members`: the numbers of the ballot whose group membership is still to be tested (read
    with `Group.with_deferred_membership`, by `BallotChecker`). Each α and β of `answer` among
    them is also raised to q, its result keyed (x, q) like the others: x^q = 1 is then the
    plain membership test, exactly, but its squarings are shared with the challenges' (an α
    with two challenges and q costs about 2.8 exponentiations instead of 3).
    """
    # (ciphertext, M, challenge) for each branch: the branch's statement is (α, β / g^M).
    branches: list[tuple[Ciphertext, int, int]] = []
    for choice, proofs in zip(answer.choices, answer.individual_proofs, strict=True):
        branches += [(choice, m, proof.challenge) for m, proof in zip((0, 1), proofs, strict=False)]
    values = range(question.min, question.max + 1)
    if question.allows_blank:
        blank = answer.choices[0]
        cases = [(blank, 1), *((total, value) for value in values)]
        branches += [
            (ciphertext, m, proof.challenge)
            for (ciphertext, m), proof in zip(cases, answer.overall_proof, strict=False)
        ]
        if answer.blank_proof is not None:
            branches += [
                (ciphertext, 0, proof.challenge)
                for ciphertext, proof in zip((blank, total), answer.blank_proof, strict=False)
            ]
    else:
        branches += [
            (total, value, proof.challenge)
            for value, proof in zip(values, answer.overall_proof, strict=False)
        ]
    exponents: dict[int, list[int]] = {}

    def want(base: int, exponent: int) -> None:
        wanted = exponents.setdefault(base, [])
        if exponent not in wanted:
            wanted.append(exponent)

    q = group.q
    beta_uses: dict[int, set[int]] = {}
    for ciphertext, _, challenge in branches:
        beta_uses.setdefault(ciphertext.beta, set()).add(challenge)
    for choice in answer.choices:
        for number in (choice.alpha, choice.beta):
            if number in members:
                want(number, q)
                beta_uses.setdefault(number, set()).add(q)
    shifted: list[tuple[int, int, int, int]] = []  # (β / g^M, c, β, M)
    for ciphertext, m, challenge in branches:
        want(ciphertext.alpha, challenge)
        if m == 0:
            want(ciphertext.beta, challenge)
            continue
        moved = group.mul(ciphertext.beta, group.pow_g(-m))  # as `_shifted` computes it
        if len(beta_uses[ciphertext.beta]) >= 3:
            want(ciphertext.beta, challenge)
            shifted.append((moved, challenge, ciphertext.beta, m))
        else:
            want(moved, challenge)
    powers: dict[tuple[int, int], int] = {}
    for base, wanted in exponents.items():
        for exponent, value in zip(wanted, fastexp.pow_many(base, wanted, group.p), strict=True):
            powers[(base, exponent)] = value
    for key, challenge, beta, m in shifted:
        powers[(key, challenge)] = group.mul(powers[(beta, challenge)], group.pow_g(-m * challenge))
    return powers


def _total(group: Group, question: Question, answer: Answer) -> Ciphertext:
    # The product of the answers' choices (the blank flag left out): what the overall proof and
    # the blank proof are about.
    return multiply(group, answer.choices[1:] if question.allows_blank else answer.choices)


def _verify_answer(
    election: Election,
    s0: str,
    index: int,
    question: Question,
    answer: Answer,
    powers: Powers | None = None,
) -> None:
    group, y = election.group, election.public_key
    place = f"question {index + 1}"
    total = _total(group, question, answer)
    if powers is None:
        powers = _answer_powers(group, question, answer, total)
    failing = []
    for number, (choice, proofs) in enumerate(
        zip(answer.choices, answer.individual_proofs, strict=True)
    ):
        try:
            verify_interval_proof(group, y, s0, choice, (0, 1), proofs, powers=powers)
        except InvalidProof:
            # Go on: naming every failing choice tells a swap (two fail) from a forgery (one).
            if question.allows_blank:
                failing.append("the blank flag" if number == 0 else f"answer {number}")
            else:
                failing.append(f"answer {number + 1}")
    if failing:
        raise InvalidBallot(
            BallotDefect.BAD_INDIVIDUAL_PROOF,
            f"{place}: the proof that a choice is 0 or 1 fails for {', '.join(failing)}",
        )
    s = _prefix_s(s0, answer.choices)
    values = list(range(question.min, question.max + 1))
    try:
        if question.allows_blank:
            verify_blank_overall_proof(
                group, y, s, answer.choices[0], total, values, answer.overall_proof, powers
            )
        else:
            verify_interval_proof(group, y, s, total, values, answer.overall_proof, powers=powers)
    except InvalidProof:
        raise InvalidBallot(
            BallotDefect.BAD_OVERALL_PROOF,
            f"{place}: the proof that between {question.min} and {question.max} answers are "
            "selected fails",
        ) from None
    if question.allows_blank:
        if answer.blank_proof is None:  # read_ballot never builds this
            raise InvalidBallot(BallotDefect.WRONG_PROOF_COUNT, f"{place}: no blank proof")
        try:
            verify_blank_proof(group, y, s, answer.choices[0], total, answer.blank_proof, powers)
        except InvalidProof:
            raise InvalidBallot(
                BallotDefect.BAD_BLANK_PROOF,
                f"{place}: the proof that a blank vote selects nothing fails",
            ) from None


def _ballot_powers(
    election: Election, ballot: Ballot, members: AbstractSet[int]
) -> dict[tuple[int, int], int]:
    """The powers every answer's proofs need (`_answer_powers`), and x^q for each number of
    `members` (the credential's alone: it takes only one challenge besides)."""
    group = election.group
    powers: dict[tuple[int, int], int] = {}
    for question, answer in zip(election.questions, ballot.answers, strict=True):
        total = _total(group, question, answer)
        powers.update(_answer_powers(group, question, answer, total, members))
    if ballot.credential in members:
        powers[(ballot.credential, group.q)] = group.pow(ballot.credential, group.q)
    return powers


def verify_ballot_proofs(election: Election, ballot: Ballot, powers: Powers | None = None) -> None:
    """Check every proof and the signature of a ballot read by `read_ballot`.

    Raises `InvalidBallot`. Does not look at the credential list (see `verify_ballot`).
    `powers`: the α^c and β'^c of every answer's proofs, computed ahead by `_ballot_powers`
    (`BallotChecker`); else each answer computes its own.
    """
    if ballot.election_uuid != election.uuid:
        raise InvalidBallot(BallotDefect.WRONG_ELECTION_UUID, "the ballot is for another election")
    if ballot.election_hash != election.fingerprint:
        raise InvalidBallot(BallotDefect.WRONG_ELECTION_HASH, "election_hash differs")
    if len(ballot.answers) != len(election.questions):
        raise InvalidBallot(BallotDefect.WRONG_ANSWER_COUNT, "wrong number of answers")
    s0 = _prefix_s0(election, ballot.credential)
    for index, (question, answer) in enumerate(
        zip(election.questions, ballot.answers, strict=True)
    ):
        _verify_answer(election, s0, index, question, answer, powers)
    if ballot.signature.hash != ballot.signed_hash:
        raise InvalidBallot(
            BallotDefect.SIGNATURE_HASH_MISMATCH,
            "the signature covers another ballot (its hash differs)",
        )
    try:
        verify_ballot_signature(
            election.group, ballot.credential, ballot.signed_hash, ballot.signature.proof
        )
    except InvalidProof:
        raise InvalidBallot(
            BallotDefect.BAD_SIGNATURE, "the signature does not match the credential"
        ) from None


def verify_ballot(
    election: Election,
    ballot: Ballot,
    credentials: Mapping[Element, int],
    powers: Powers | None = None,
) -> int:
    """Check that the ballot's credential is in `credentials`, then every proof and the
    signature. Returns the ballot's weight; raises `InvalidBallot`. (`powers`: see
    `verify_ballot_proofs`.)"""
    weight = credentials.get(ballot.credential)
    if weight is None:
        raise InvalidBallot(BallotDefect.UNKNOWN_CREDENTIAL, _UNKNOWN_CREDENTIAL)
    verify_ballot_proofs(election, ballot, powers)
    return weight


@dataclass(frozen=True)
class CheckedBallot:
    """A ballot that passed every check, with the weight of its credential."""

    ballot: Ballot
    weight: int


def check_ballot(
    election: Election, text: str | bytes, credentials: Mapping[Element, int]
) -> CheckedBallot:
    """Everything a ballot box checks before accepting `text` (both steps of the module
    docstring). Raises `InvalidBallot`.

    When this process prepared the election (`prepare_election`), its `BallotChecker` does the
    work: the same checks, the same errors, faster.
    """
    checker = _CHECKERS.get(election.fingerprint)
    if checker is not None and checker.election.text == election.text:
        return checker.check(text, credentials)
    ballot = read_ballot(election, text, credentials)
    return CheckedBallot(ballot, verify_ballot(election, ballot, credentials))


_CHECKER_USES = 20_000
"""`BallotChecker`'s default: tables sized for about 20,000 exponentiations (11-bit windows)."""

_BATCH_FROM = 200
"""From this many numbers in a ballot (100 choices), `BallotChecker` tests their membership with
one `SubgroupBatch` (81 exponentiations, then about a fifth of one a number) rather than as one
more exponent shared with each number's challenges (about 0.6 of one a number). An estimate from
those two costs (docs/benchmarks.md), not a measured crossing: elections have far fewer choices."""

PREPARED_ELECTIONS = 4
"""How many elections `prepare_election` keeps prepared in a process (the least recent goes)."""


class BallotChecker:
    """`check_ballot` for one election in a long-lived process (a ballot box's web worker).

    Built once per election (`prepare_election` keeps them): it prepares fixed-base tables for
    g and the election public key y sized for `uses` exponentiations
    (`urne.crypto.fastexp.prepare_fixed_base`: 11 to 12-bit windows, about 14 to 25 MB each,
    instead of the 8-bit tables every process has).

    The group membership of a ballot's numbers is tested exactly as without preparation
    (x^q = 1 for each, after the range; the Jacobi symbol, which adds nothing to x^q = 1, is
    not computed), but the costly x^q is computed with the proofs' powers of the same number
    (`_answer_powers`: an α or β raised to its two challenges and to q shares the squarings),
    and every x^q is compared with 1 before any proof is checked. A ballot of many choices
    (from `_BATCH_FROM` numbers on) has its numbers tested together instead
    (`urne.crypto.fastexp.SubgroupBatch`, with their Jacobi symbols, whose 81 rounds then cost
    less than q as one more exponent of each number). A ballot with a number outside the
    subgroup, or refused while numbers were waiting for that test, is read again the plain way,
    so that its error is exactly the one `check_ballot` gives without preparation.
    """

    def __init__(self, election: Election, uses: int = _CHECKER_USES) -> None:
        group = election.group
        self.election = election
        self.tables = [
            fastexp.prepare_fixed_base(base, group.p, group.q, uses)
            for base in (group.g, election.public_key)
        ]
        self.batch = fastexp.SubgroupBatch(group.p, group.q)

    def check(self, text: str | bytes, credentials: Mapping[Element, int]) -> CheckedBallot:
        """`check_ballot(election, text, credentials)`: same checks, same errors."""
        election = self.election
        numbers: list[int] = []
        try:
            # Range only: x^q = 1 decides alone, the Jacobi symbol would add nothing.
            ballot = read_ballot(election, text, credentials, deferred=numbers, symbol=False)
        except InvalidBallot:
            # A number read before the fault may be outside the subgroup, which the plain
            # reading reports first: read it that way to give exactly its error.
            if numbers:
                read_ballot(election, text, credentials)
            raise
        powers: Powers | None = None
        if len(numbers) >= _BATCH_FROM:
            members = self.batch.all_members(numbers)  # with the symbols the rounds count on
        else:
            powers = _ballot_powers(election, ballot, frozenset(numbers))
            q = election.group.q
            members = all(powers[(number, q)] == 1 for number in numbers)
        if not members:
            read_ballot(election, text, credentials)  # raises NOT_IN_SUBGROUP, naming the number
            raise AssertionError("a number failed the subgroup test but not the plain one")
        return CheckedBallot(ballot, verify_ballot(election, ballot, credentials, powers))


_CHECKERS: OrderedDict[str, BallotChecker] = OrderedDict()


def prepare_election(
    election: Election, uses: int = _CHECKER_USES, keep: int | None = None
) -> BallotChecker:
    """The `BallotChecker` of `election` for this process, built on the first call (the
    tables' cost: a few tenths of a second) and kept, keyed by the election's fingerprint; from
    then on `check_ballot` uses it. At most `keep` (default `PREPARED_ELECTIONS`) are kept: the
    least recently used goes, its tables with it (g's stays while another election uses it)."""
    keep = PREPARED_ELECTIONS if keep is None else max(1, keep)
    key = election.fingerprint
    checker = _CHECKERS.get(key)
    if checker is not None and checker.election.text == election.text:
        _CHECKERS.move_to_end(key)
        return checker
    checker = BallotChecker(election, uses)
    _CHECKERS[key] = checker
    while len(_CHECKERS) > keep:
        _, old = _CHECKERS.popitem(last=False)
        kept = {table.base for other in _CHECKERS.values() for table in other.tables}
        fastexp.forget_tables(table for table in old.tables if table.base not in kept)
    return checker


def forget_prepared_elections() -> None:
    """Drop every `BallotChecker` of this process and their tables (tests; to free memory)."""
    for checker in _CHECKERS.values():
        fastexp.forget_tables(checker.tables)
    _CHECKERS.clear()


def check_ballot_text(election_text: str, ballot_text: str) -> str:
    """Read and verify the proofs of a ballot from plain texts; returns its tracker.

    Takes and returns only strings, so that a process pool can run it (the credential check
    stays with the caller, who holds the list).
    """
    election = read_election_once(election_text)
    ballot = read_ballot(election, ballot_text)
    verify_ballot_proofs(election, ballot)
    return ballot.tracker

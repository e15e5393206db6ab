"""Hypothesis strategies shared by the protocol's property tests.

2048-bit arithmetic is slow-ish: tests use `FEW` (the profile's examples, no deadline) and small
elections (up to 4 answers, 2 questions). The profile is loaded here, before any test's settings
are made: "urne-local" (6 examples a property) by default, "urne-ci" (100) when CI=true.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from urne.crypto.credentials import BASE58
from urne.crypto.election import Election, Question, make_election
from urne.crypto.group import BELENIOS_2048, Element, Exponent, Group
from urne.crypto.jsonio import dumps
from urne.crypto.proofs import make_key_proof, make_message_signature
from urne.crypto.trustees import PedersenTrustees, SignedMessage, TrusteePublicKey

_PATIENT = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("urne-local", _PATIENT, max_examples=6)
settings.register_profile("urne-ci", _PATIENT, max_examples=100)
PROFILE = "urne-ci" if os.environ.get("CI", "").lower() == "true" else "urne-local"
"""A handful of examples a property where people wait for the tests; many more on CI (which
sets CI=true): its runs have the time to look for what a handful would miss."""
settings.load_profile(PROFILE)

FEW = settings()
"""Settings for tests that do a few dozen 2048-bit exponentiations per example: the profile's."""

MANY = settings(max_examples=4 * FEW.max_examples)
"""For properties whose examples are cheap (a few multiplications): four times the profile's."""

GROUP = BELENIOS_2048


def exponents(group: Group = GROUP) -> st.SearchStrategy[Exponent]:
    """Numbers of Zq (some at the edges)."""
    return st.one_of(
        st.sampled_from([0, 1, int(group.q) - 1]),
        st.integers(min_value=0, max_value=int(group.q) - 1),
    ).map(lambda x: group.exponent(x))


def messages(maximum: int = 50) -> st.SearchStrategy[int]:
    """Small plaintexts, as counts are."""
    return st.integers(min_value=0, max_value=maximum)


def uuids() -> st.SearchStrategy[str]:
    return st.text(alphabet=BASE58, min_size=14, max_size=16)


def private_credentials() -> st.SearchStrategy[str]:
    """Voting identifiers with a right checksum, computed here from the spec's formula."""

    def with_checksum(body: str) -> str:
        number = 0
        for character in body:
            number = number * 58 + BASE58.index(character)
        raw = body + BASE58[(53 - number) % 53]
        return "-".join(raw[i : i + 3] for i in range(0, 15, 3))

    return st.text(alphabet=BASE58, min_size=14, max_size=14).map(with_checksum)


@st.composite
def questions(draw: st.DrawFn) -> Question:
    """A homomorphic question: 1 to 4 answers, any valid min/max, blank allowed or not."""
    count = draw(st.integers(min_value=1, max_value=4))
    maximum = draw(st.integers(min_value=1, max_value=count))
    minimum = draw(st.integers(min_value=0, max_value=maximum))
    blank = draw(st.sampled_from([None, False, True]))
    return Question(
        question=draw(st.text(max_size=20)),
        answers=tuple(f"Liste {chr(65 + i)}" for i in range(count)),
        min=minimum,
        max=maximum,
        blank=blank,
    )


@st.composite
def votes(draw: st.DrawFn, question: Question) -> list[int]:
    """A plaintext this question allows (blank flag first when blank is allowed)."""
    if question.allows_blank and draw(st.booleans()):
        return [1] + [0] * len(question.answers)
    selected = draw(st.integers(min_value=question.min, max_value=question.max))
    chosen = draw(st.permutations(range(len(question.answers))))[:selected]
    vote = [1 if i in chosen else 0 for i in range(len(question.answers))]
    return [0, *vote] if question.allows_blank else vote


@dataclass(frozen=True)
class KeyedElection:
    """An election and its whole private key (as if there were one "Single" trustee)."""

    election: Election
    private_key: Exponent


@st.composite
def keyed_elections(draw: st.DrawFn, max_questions: int = 2) -> KeyedElection:
    x = draw(exponents().filter(lambda e: e != 0))
    election = make_election(
        uuid=draw(uuids()),
        name=draw(st.text(max_size=30)),
        description=draw(st.text(max_size=30)),
        group=GROUP,
        public_key=GROUP.pow_g(x),
        questions=draw(st.lists(questions(), min_size=1, max_size=max_questions)),
    )
    return KeyedElection(election, x)


@st.composite
def election_votes(draw: st.DrawFn, election: Election) -> list[list[int]]:
    """A whole vote (one plaintext per question) for `election`."""
    return [draw(votes(question)) for question in election.questions]


@dataclass(frozen=True)
class ThresholdSetup:
    """A "Pedersen" trustees item made as the ceremony would make it, with every share."""

    trustees: PedersenTrustees
    shares: dict[int, Exponent]
    """position (1..n) → S_j, the trustee's decryption key"""
    public_key: Element


def deal_threshold_trustees(group: Group, threshold: int, count: int) -> ThresholdSetup:
    """`count` trustees each pick a polynomial of degree threshold-1; trustee j's share is the
    sum of the polynomials at j. Certs and coefexps are signed as the spec says."""
    certs, coefexps, polynomials = [], [], []
    for _ in range(count):
        signing, decryption = group.random_exponent(), group.random_exponent()
        cert = dumps(
            {"verification": str(group.pow_g(signing)), "encryption": str(group.pow_g(decryption))}
        )
        certs.append(SignedMessage(cert, make_message_signature(group, signing, cert)))
        coefficients = [group.random_exponent() for _ in range(threshold)]
        polynomials.append(coefficients)
        message = dumps({"coefexps": [str(group.pow_g(a)) for a in coefficients]})
        coefexps.append(SignedMessage(message, make_message_signature(group, signing, message)))
    shares = {
        j: group.exponent(sum(sum(a * j**k for k, a in enumerate(poly)) for poly in polynomials))
        for j in range(1, count + 1)
    }
    keys = tuple(
        TrusteePublicKey(group.pow_g(share), make_key_proof(group, share))
        for share in shares.values()
    )
    trustees = PedersenTrustees(threshold, tuple(certs), tuple(coefexps), keys)
    public_key = group.pow_g(sum(poly[0] for poly in polynomials))
    return ThresholdSetup(trustees, shares, public_key)

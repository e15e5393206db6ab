"""Numbers outside the group that only the subgroup test can catch, and a ballot built around one.

BELENIOS-2048 is not a safe-prime group: p − 1 = q·h with h = 2·3·(a large number). A number
times an element of order 3 is in range and a square (its Jacobi symbol is 1), yet outside the
subgroup of order q. `forge_outsider_ballot` builds a ballot whose encrypted choice carries such a
factor and whose every proof and signature still verify: an attacker's ballot that only the test
x^q = 1 (or the batch test of `urne.crypto.fastexp`) refuses.
"""

from __future__ import annotations

import secrets

import gmpy2

from urne.crypto.ballot import Answer, Ballot, Signature
from urne.crypto.credentials import derive_secret
from urne.crypto.election import Election, Question, make_election
from urne.crypto.elgamal import Ciphertext, make_encryption
from urne.crypto.errors import InvalidProof
from urne.crypto.group import BELENIOS_2048, Element, Group
from urne.crypto.hashing import hash_json
from urne.crypto.jsonio import dumps
from urne.crypto.proofs import make_ballot_signature, make_interval_proof, verify_interval_proof
from urne.crypto.trustees import TrusteePublicKey, make_trustee_key


def outsider(group: Group, member: int) -> int:
    """`member` times a number of order 3: in range, a square, but outside the subgroup."""
    p = group.p
    while True:
        t = gmpy2.powmod(secrets.randbelow(int(p) - 3) + 2, (p - 1) // 3, p)
        if t != 1:
            value: int = gmpy2.mpz(member * t % p)
            return value


def yes_no_election(uuid: str = "UrneForgeTest11") -> tuple[Election, TrusteePublicKey]:
    """An election with one question, one answer ("Oui"), 0 or 1 choice; one trustee key."""
    group = BELENIOS_2048
    _, key = make_trustee_key(group)
    question = Question(question="Oui ?", answers=("Oui",), min=0, max=1)
    election = make_election(
        uuid=uuid,
        name="Forge",
        description="",
        group=group,
        public_key=key.public_key,
        questions=[question],
    )
    return election, key


def forge_outsider_ballot(election: Election, identifier: str) -> Ballot:
    """A "yes" ballot for `yes_no_election` whose encrypted choice carries a factor of order 3.

    The proofs are made again until each real branch's challenge is a multiple of 3 (then the
    factor vanishes from the commitments the verifier recomputes), so every proof and the
    signature verify.
    """
    group, y = election.group, election.public_key
    secret = derive_secret(group, identifier, election.uuid)
    credential = group.pow_g(secret)
    s0 = f"{election.fingerprint}|{credential}"  # the spec's S0, as ballots hash it
    twist = outsider(group, 1)
    while True:
        honest, r = make_encryption(group, y, 1)
        choice = Ciphertext(Element(honest.alpha * twist % group.p), honest.beta)
        s = f"{s0}|{choice.alpha},{choice.beta}"
        try:
            individual = make_interval_proof(group, y, s0, choice, r, 1, (0, 1))
            verify_interval_proof(group, y, s0, choice, (0, 1), individual)
            overall = make_interval_proof(group, y, s, choice, r, 1, (0, 1))
            verify_interval_proof(group, y, s, choice, (0, 1), overall)
        except InvalidProof:
            continue
        answer = Answer((choice,), (individual,), overall)
        unsigned = {
            "election_uuid": election.uuid,
            "election_hash": election.fingerprint,
            "credential": str(credential),
            "answers": [answer.to_json()],
        }
        signed = hash_json(dumps(unsigned))
        signature = Signature(signed, make_ballot_signature(group, secret, signed))
        return Ballot(election.uuid, election.fingerprint, credential, (answer,), signature)

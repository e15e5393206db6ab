"""Every invalid ballot of the Belenios vectors, re-made for the scrutin's election, is refused by
the API with its code (and the crypto core's defect), and nothing is stored.

The vectors' ballots are for another election: each is re-made here from a valid ballot of Bob
for csa_national by the same alteration (a field dropped, a number moved out of the group, a
proof or signature response changed...), then sent through the endpoint like any client would.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.crypto.conftest import vectors_root
from tests.crypto.forgery import outsider
from tests.crypto.test_ballot import INVALID
from tests.voting.casting import BoxState, ballot_text, election_of
from tests.voting.conftest import SealScrutins
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.crypto.credentials import make_private_credential
from urne.crypto.group import BELENIOS_2048
from urne.crypto.hashing import hash_json
from urne.crypto.jsonio import dumps

pytestmark = pytest.mark.django_db

VECTORS = vectors_root() / "single" / "invalid-ballots"
Q = int(BELENIOS_2048.q)

Edit = Callable[[dict[str, Any]], None]


def _answer(ballot: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = ballot["answers"][0]
    return answer


def _bump(proof: dict[str, Any]) -> None:
    proof["response"] = str((int(proof["response"]) + 1) % Q)


def _swap(ballot: dict[str, Any]) -> None:
    choices = _answer(ballot)["choices"]
    choices[0], choices[1] = choices[1], choices[0]


def _choice(ballot: dict[str, Any]) -> dict[str, Any]:
    choice: dict[str, Any] = _answer(ballot)["choices"][0]
    return choice


EDITS: dict[str, Edit] = {
    "number-not-string": lambda b: _choice(b).update(alpha=int(_choice(b)["alpha"])),
    "no-signature": lambda b: b.pop("signature"),
    "beta-negative": lambda b: _choice(b).update(beta="-" + _choice(b)["beta"]),
    "alpha-zero": lambda b: _choice(b).update(alpha="0"),
    "alpha-outside-group": lambda b: _choice(b).update(
        alpha=str(outsider(BELENIOS_2048, int(_choice(b)["alpha"])))
    ),
    "wrong-election-uuid": lambda b: b.update(election_uuid="UrneAutreElection1"),
    "wrong-election-hash": lambda b: b.update(election_hash=hash_json('"autre"')),
    "extra-answer": lambda b: b["answers"].append(copy.deepcopy(_answer(b))),
    "missing-choice": lambda b: _answer(b)["choices"].pop(),
    "bad-individual-proof": lambda b: _bump(_answer(b)["individual_proofs"][0][0]),
    "swapped-ciphertexts": _swap,
    "bad-overall-proof": lambda b: _bump(_answer(b)["overall_proof"][0]),
    "bad-signature": lambda b: _bump(b["signature"]["proof"]),
}
"""How each vector's defect is made again on a valid ballot (text edits below)."""


def remake(name: str, scrutin: Scrutin, identifier: str) -> str:
    if name == "truncated":
        text = ballot_text(scrutin, identifier)
        return text[: len(text) // 2]
    if name == "unknown-credential":
        return ballot_text(scrutin, make_private_credential())
    ballot = json.loads(ballot_text(scrutin, identifier))
    EDITS[name](ballot)
    return dumps(ballot)


def expected(name: str) -> tuple[str, str | None]:
    if name == "unknown-credential":
        return "wrong_credential", None
    return "invalid_ballot", INVALID[name].value


NAMES = sorted(path.stem for path in VECTORS.glob("*.json"))


def test_every_vector_is_re_made_here() -> None:
    assert len(NAMES) >= 15
    assert set(NAMES) == set(EDITS) | {"truncated", "unknown-credential"}


@pytest.mark.parametrize("name", NAMES)
def test_each_invalid_ballot_re_made_for_the_scrutin_is_refused_and_nothing_stored(
    client: Client,
    voter_bob: User,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
    name: str,
) -> None:
    identifiers = seal_scrutins(csa_national)
    assert voter_bob.elector is not None
    text = remake(name, csa_national, identifiers.of(voter_bob.elector))
    before = BoxState.of(csa_national)
    client.force_login(voter_bob)
    uuid = election_of(csa_national).uuid
    response = client.post(
        reverse("voting:api_cast", args=[uuid]),
        {"ballot": text, "submission": "vector-" + name[:40] + "-0001"},
        content_type="application/json",
    )
    code, defect = expected(name)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == code
    assert body.get("defect") == defect
    assert body["message"]
    assert BoxState.of(csa_national) == before

"""Ballots: every valid ballot of the vectors is accepted, every invalid one refused for its own
reason; ballots made by urne are accepted by urne and by the real belenios-tool."""

from __future__ import annotations

import dataclasses
import pickle
import secrets
import shutil
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import gmpy2
import pytest

from urne.crypto.ballot import (
    PREPARED_ELECTIONS,
    Ballot,
    BallotChecker,
    check_ballot,
    check_ballot_text,
    forget_prepared_elections,
    make_ballot,
    max_ballot_length,
    prepare_election,
    read_ballot,
    verify_ballot,
    verify_ballot_proofs,
)
from urne.crypto.credentials import make_private_credential
from urne.crypto.election import Question, make_election
from urne.crypto.errors import BallotDefect, InvalidBallot, InvalidCredential, InvalidVote
from urne.crypto.fastexp import prepared_table
from urne.crypto.group import BELENIOS_2048, Element, Group
from urne.crypto.hashing import hash_json
from urne.crypto.jsonio import dumps, join_path, loads
from urne.crypto.proofs import Proof
from urne.crypto.trustees import make_trustee_key

from .belenios_tool import run_tool, run_tool_unchecked
from .conftest import Reference, read_text
from .forgery import forge_outsider_ballot, yes_no_election

INVALID = {
    "truncated": BallotDefect.NOT_JSON,
    "number-not-string": BallotDefect.WRONG_TYPE,
    "no-signature": BallotDefect.MISSING_FIELD,
    "beta-negative": BallotDefect.NON_CANONICAL_NUMBER,
    "alpha-zero": BallotDefect.NOT_A_GROUP_ELEMENT,
    "alpha-outside-group": BallotDefect.NOT_IN_SUBGROUP,
    "wrong-election-uuid": BallotDefect.WRONG_ELECTION_UUID,
    "wrong-election-hash": BallotDefect.WRONG_ELECTION_HASH,
    "extra-answer": BallotDefect.WRONG_ANSWER_COUNT,
    "missing-choice": BallotDefect.WRONG_CHOICE_COUNT,
    "unknown-credential": BallotDefect.UNKNOWN_CREDENTIAL,
    "bad-individual-proof": BallotDefect.BAD_INDIVIDUAL_PROOF,
    "swapped-ciphertexts": BallotDefect.BAD_INDIVIDUAL_PROOF,
    "bad-overall-proof": BallotDefect.BAD_OVERALL_PROOF,
    "bad-signature": BallotDefect.BAD_SIGNATURE,
}


def _refusal(reference: Reference, name: str) -> InvalidBallot:
    text = (reference.folder / "invalid-ballots" / f"{name}.json").read_text()
    with pytest.raises(InvalidBallot) as error:
        check_ballot(reference.election, text, reference.credentials)
    return error.value


def test_every_ballot_of_the_vectors_is_accepted(single: Reference, threshold: Reference):
    for reference in (single, threshold):
        for voter, text in reference.ballot_texts.items():
            checked = check_ballot(reference.election, text, reference.credentials)
            assert checked.weight == 1
            assert checked.ballot.text == text, voter


def test_the_vectors_ballots_are_read_from_their_files_with_the_final_newline(single: Reference):
    text = (single.folder / "ballots" / "10.json").read_bytes()
    assert text.endswith(b"\n")
    assert read_ballot(single.election, text).text == text.decode().removesuffix("\n")


@pytest.mark.parametrize("name", sorted(INVALID))
def test_each_invalid_ballot_of_the_vectors_is_refused_for_its_reason(single: Reference, name):
    assert _refusal(single, name).reason is INVALID[name]


def test_the_invalid_ballots_are_refused_with_distinct_messages(single: Reference):
    messages = {name: str(_refusal(single, name)) for name in INVALID}
    assert len(set(messages.values())) == len(INVALID), messages
    assert "blank flag" in messages["bad-individual-proof"]
    assert "the blank flag, answer 1" in messages["swapped-ciphertexts"]
    assert messages["number-not-string"].startswith("answers[0].choices[0].alpha")


def test_all_invalid_ballots_of_the_vectors_are_covered(single: Reference):
    files = {path.stem for path in (single.folder / "invalid-ballots").glob("*.json")}
    assert files == set(INVALID)


@pytest.fixture
def prepared(single: Reference, threshold: Reference):
    """The ballot box's worker: both elections prepared once for this process."""
    checkers = [prepare_election(single.election), prepare_election(threshold.election)]
    yield checkers
    forget_prepared_elections()


def test_a_prepared_election_accepts_the_same_ballots(prepared, single, threshold):
    for reference in (single, threshold):
        for voter, text in reference.ballot_texts.items():
            checked = check_ballot(reference.election, text, reference.credentials)
            assert checked.ballot.text == text, voter
            assert checked.weight == 1


def test_a_prepared_election_refuses_each_invalid_ballot_with_the_same_error(prepared, single):
    plain = {}
    forget_prepared_elections()
    for name in INVALID:
        plain[name] = _refusal(single, name)
    prepare_election(single.election)
    for name in INVALID:
        refusal = _refusal(single, name)
        assert (refusal.reason, str(refusal)) == (plain[name].reason, str(plain[name])), name


def test_a_forged_ballot_with_an_outsider_is_refused_by_the_checker_as_by_check_ballot(
    prepared, single
):
    text = single.ballot_texts["10"]
    value = loads(text)
    group = single.election.group
    alpha = int(value["answers"][0]["choices"][2]["alpha"])
    # Times an element of order 3 (h = (p - 1) / q has the factor 3): the Jacobi symbol
    # still says 1, only x^q = 1 fails.
    cofactor = (group.p - 1) // 3
    order_three = next(t for t in (pow(b, cofactor, group.p) for b in range(2, 50)) if t != 1)
    value["answers"][0]["choices"][2]["alpha"] = str(alpha * order_three % group.p)
    with pytest.raises(InvalidBallot) as error:
        prepared[0].check(dumps(value), single.credentials)
    assert error.value.reason is BallotDefect.NOT_IN_SUBGROUP
    assert str(error.value).startswith("answers[0].choices[2].alpha")


def test_an_outsider_before_another_fault_is_reported_first_with_or_without_preparation(
    prepared, single
):
    value = loads(single.ballot_texts["10"])
    group = single.election.group
    order_three = next(
        t for t in (pow(b, (group.p - 1) // 3, group.p) for b in range(2, 50)) if t != 1
    )
    alpha = int(value["answers"][0]["choices"][0]["alpha"])
    value["answers"][0]["choices"][0]["alpha"] = str(alpha * order_three % group.p)
    value["answers"][0]["choices"][3]["beta"] = "-5"  # a later fault, found while reading
    text = dumps(value)
    with pytest.raises(InvalidBallot) as with_checker:
        check_ballot(single.election, text, single.credentials)
    forget_prepared_elections()
    with pytest.raises(InvalidBallot) as plain:
        check_ballot(single.election, text, single.credentials)
    assert with_checker.value.reason is plain.value.reason is BallotDefect.NOT_IN_SUBGROUP
    assert str(with_checker.value) == str(plain.value)


def _twist(group: Group, order: int) -> int:
    """A number of exactly `order` (2, 3, 6, or the cofactor's large part R): what multiplying a
    member by it adds is outside the subgroup of order q, yet in range."""
    cofactor = (group.p - 1) // group.q  # 2 · 3 · R, R without a factor below 2^20
    while True:
        t = gmpy2.powmod(secrets.randbelow(int(group.p) - 3) + 2, (group.p - 1) // order, group.p)
        smaller = [order // f for f in (2, 3) if order % f == 0 and order != f] or [1]
        if t != 1 and all(gmpy2.powmod(t, d, group.p) != 1 for d in smaller):
            assert gmpy2.powmod(t, cofactor, group.p) == 1
            return int(t)


_PLACES = {
    "credential": ("credential",),
    "blank flag alpha": ("answers", 0, "choices", 0, "alpha"),
    "blank flag beta": ("answers", 0, "choices", 0, "beta"),
    "answer alpha": ("answers", 0, "choices", 4, "alpha"),
    "answer beta": ("answers", 0, "choices", 6, "beta"),
}


@pytest.mark.parametrize("order", [2, 3, 6, "R"])
@pytest.mark.parametrize("place", sorted(_PLACES))
def test_a_prepared_election_refuses_a_number_of_order_2q_3q_6q_or_rq_anywhere(
    prepared, single: Reference, order, place
):
    """The prepared checker computes each x^q with the proofs' powers: still x^q = 1 exactly.

    The credential list given is the ballot box's, a plain mapping holding the credential as the
    ballot writes it: membership is never taken from the list."""
    group = single.election.group
    big = (group.p - 1) // group.q // 6
    t = _twist(group, big if order == "R" else order)
    value = loads(single.ballot_texts["10"])
    *path, last = _PLACES[place]
    holder = value
    for key in path:
        holder = holder[key]
    twisted = int(holder[last]) * t % group.p
    holder[last] = str(twisted)
    text = dumps(value)
    credentials = {Element(int(value["credential"])): 1}
    with pytest.raises(InvalidBallot) as with_checker:
        check_ballot(single.election, text, credentials)
    forget_prepared_elections()
    with pytest.raises(InvalidBallot) as plain:
        check_ballot(single.election, text, credentials)
    assert with_checker.value.reason is plain.value.reason is BallotDefect.NOT_IN_SUBGROUP
    assert str(with_checker.value) == str(plain.value)
    where = ""
    for key in _PLACES[place]:
        where = join_path(where, key)
    assert str(plain.value).startswith(f"{where}: ")


def test_a_forged_ballot_whose_every_proof_holds_is_refused_once_prepared():
    """The forger's ballot: an order-3 factor in an α, every proof and the signature valid."""
    election, _ = yes_no_election("UrneForgePrep11")
    identifier = make_private_credential()
    forged = forge_outsider_ballot(election, identifier)
    verify_ballot_proofs(election, forged)  # nothing but the subgroup test refuses it
    credentials = {forged.credential: 1}
    checker = prepare_election(election)
    try:
        with pytest.raises(InvalidBallot) as refused:
            checker.check(forged.text, credentials)
        assert refused.value.reason is BallotDefect.NOT_IN_SUBGROUP
        assert str(refused.value).startswith("answers[0].choices[0].alpha")
        honest = make_ballot(election, identifier, [[1]])
        assert checker.check(honest.text, credentials).weight == 1
    finally:
        forget_prepared_elections()


@pytest.mark.parametrize("order", [2, 3])
def test_a_prepared_election_tests_a_big_ballot_s_numbers_in_one_batch(monkeypatch, order):
    """From `_BATCH_FROM` numbers on, the checker's membership test is the batch: a valid ballot
    passes, one α times an element of order 2 or 3 is refused with the plain reading's error."""
    import urne.crypto.ballot as ballot_module

    monkeypatch.setattr(ballot_module, "_BATCH_FROM", 9)  # 4 answers: 9 numbers with the credential
    group = BELENIOS_2048
    _, key = make_trustee_key(group)
    question = Question(question="Listes ?", answers=("A", "B", "C", "D"), min=0, max=2)
    election = make_election(
        uuid="UrneBigBa11ot22",
        name="Grosse",
        description="",
        group=group,
        public_key=key.public_key,
        questions=[question],
    )
    identifier = make_private_credential()
    ballot = make_ballot(election, identifier, [[1, 0, 1, 0]])
    credentials = {ballot.credential: 1}
    value = loads(ballot.text)
    value["answers"][0]["choices"][3]["alpha"] = str(
        int(value["answers"][0]["choices"][3]["alpha"]) * _twist(group, order) % group.p
    )
    checker = prepare_election(election)
    try:
        batches: list[int] = []
        original = checker.batch.all_members

        def counted(numbers: Sequence[int], prechecked: bool = False) -> bool:
            batches.append(len(numbers))
            return original(numbers, prechecked)

        monkeypatch.setattr(checker.batch, "all_members", counted)
        assert checker.check(ballot.text, credentials).weight == 1
        with pytest.raises(InvalidBallot) as refused:
            checker.check(dumps(value), credentials)
        assert refused.value.reason is BallotDefect.NOT_IN_SUBGROUP
        assert str(refused.value).startswith("answers[0].choices[3].alpha")
        assert batches == [9, 9]  # the batch itself computes the symbols (order 2 fails them)
    finally:
        forget_prepared_elections()


def test_preparing_builds_the_tables_once_and_keeps_a_few_elections(prepared, single):
    checker = prepare_election(single.election)
    assert checker is prepared[0]
    assert isinstance(checker, BallotChecker)
    group = single.election.group
    assert prepared_table(single.election.public_key, group.p) is checker.tables[1]
    forget_prepared_elections()
    assert prepared_table(single.election.public_key, group.p) is None
    assert PREPARED_ELECTIONS >= 2


def test_the_least_recently_prepared_election_goes_with_its_key_table_not_g(
    single, threshold, monkeypatch
):
    import urne.crypto.ballot as ballot_module

    monkeypatch.setattr(ballot_module, "PREPARED_ELECTIONS", 1)
    group = single.election.group
    try:
        prepare_election(single.election)
        prepare_election(threshold.election)
        assert prepared_table(single.election.public_key, group.p) is None
        assert prepared_table(threshold.election.public_key, group.p) is not None
        assert prepared_table(group.g, group.p) is not None
        text = single.ballot_texts["10"]
        assert check_ballot(single.election, text, single.credentials).ballot.text == text
    finally:
        forget_prepared_elections()
    assert prepared_table(group.g, group.p) is None


def test_the_tracker_is_the_hash_of_the_ballot_text(single: Reference):
    ballot = single.ballots()["10"]
    assert ballot.tracker == hash_json(single.ballot_texts["10"])
    assert ballot.tracker == "7pZMP0T+9UB1oPawlviGJynKSWv8AaTRpNe+qVLrt8g"
    assert ballot.signature.hash == ballot.signed_hash


def test_a_made_ballot_is_accepted_and_encrypts_the_vote(single: Reference):
    vote = [[0, 0, 0, 1, 0, 0, 0]]
    ballot = make_ballot(single.election, single.private_credentials["12"], vote)
    checked = check_ballot(single.election, ballot.text, single.credentials)
    assert checked.ballot == ballot
    assert checked.weight == 1
    assert ballot.credential in single.credentials
    assert list(loads(ballot.text)) == [
        "election_uuid",
        "election_hash",
        "credential",
        "answers",
        "signature",
    ]
    assert list(loads(ballot.text)["answers"][0]) == [
        "choices",
        "individual_proofs",
        "overall_proof",
        "blank_proof",
    ]


def test_blank_and_multi_question_ballots_are_accepted(threshold: Reference):
    for vote in ([[1, 0, 0, 0, 0], [0, 0, 1]], [[0, 0, 0, 0, 1], [1, 0, 0]]):
        ballot = make_ballot(threshold.election, threshold.private_credentials["3"], vote)
        check_ballot(threshold.election, ballot.text, threshold.credentials)
        assert "blank_proof" not in loads(ballot.text)["answers"][1]


@pytest.mark.belenios
def test_belenios_tool_accepts_a_ballot_made_by_urne(tmp_path: Path, single: Reference):
    """The ballot is appended to the vote's archive; `election verify` checks it like any other
    (and refuses the same ballot once tampered with)."""
    archive = tmp_path / f"{single.election.uuid}.bel"
    shutil.copyfile(single.folder / "open.bel", archive)
    ballot = make_ballot(single.election, single.private_credentials["15"], [[0, 0, 1, 0, 0, 0, 0]])
    run_tool(
        "archive", "add-event", "--dir", str(tmp_path), "--type", "Ballot", stdin=ballot.text + "\n"
    )
    verified = run_tool("election", "verify", "--dir", str(tmp_path))
    assert "all checks passed" in verified.stdout + verified.stderr

    value = loads(ballot.text)
    proof = value["answers"][0]["overall_proof"][0]
    proof["response"] = str((int(proof["response"]) + 1) % int(single.election.group.q))
    run_tool(
        "archive",
        "add-event",
        "--dir",
        str(tmp_path),
        "--type",
        "Ballot",
        stdin=dumps(value) + "\n",
    )
    refused = run_tool_unchecked("election", "verify", "--dir", str(tmp_path))
    assert refused.returncode != 0
    assert "invalid ballot" in refused.stdout + refused.stderr


@pytest.mark.belenios
def test_urne_accepts_a_ballot_made_by_belenios_tool(tmp_path: Path, threshold: Reference):
    shutil.copyfile(threshold.folder / "open.bel", tmp_path / f"{threshold.election.uuid}.bel")
    (tmp_path / "credential").write_text(threshold.private_credentials["4"])
    (tmp_path / "vote.json").write_text("[[0,1,0,0,0],[0,0,1]]")
    made = run_tool(
        "election",
        "generate-ballot",
        "--dir",
        str(tmp_path),
        "--privcred",
        str(tmp_path / "credential"),
        "--ballot",
        str(tmp_path / "vote.json"),
    )
    checked = check_ballot(threshold.election, made.stdout, threshold.credentials)
    assert checked.ballot.text == made.stdout.strip()


def test_a_ballot_made_for_one_election_fails_for_another(single: Reference, threshold: Reference):
    ballot = make_ballot(
        threshold.election, threshold.private_credentials["1"], [[1, 0, 0, 0, 0], [1, 0, 0]]
    )
    with pytest.raises(InvalidBallot) as error:
        check_ballot(single.election, ballot.text, single.credentials)
    assert error.value.reason is BallotDefect.WRONG_ELECTION_UUID
    with pytest.raises(InvalidBallot) as error:
        verify_ballot_proofs(single.election, ballot)
    assert error.value.reason is BallotDefect.WRONG_ELECTION_UUID


def test_a_ballot_signed_with_the_right_credential_of_another_election_is_unknown(
    single: Reference,
):
    # Same voter, same identifier, another scrutin: the public credential differs.
    other = dataclasses.replace(single.election, uuid="Ab3dEf6hJk9mNpQ", text="")
    ballot = make_ballot(other, single.private_credentials["10"], [[0, 1, 0, 0, 0, 0, 0]])
    with pytest.raises(InvalidBallot) as error:
        verify_ballot(single.election, ballot, single.credentials)
    assert error.value.reason is BallotDefect.UNKNOWN_CREDENTIAL


def test_a_ballot_whose_signature_covers_another_ballot_is_refused(single: Reference):
    first = single.ballots()["10"]
    second = single.ballots()["11"]
    grafted = dataclasses.replace(second, signature=first.signature, text="")
    with pytest.raises(InvalidBallot) as error:
        verify_ballot_proofs(single.election, grafted)
    assert error.value.reason is BallotDefect.SIGNATURE_HASH_MISMATCH


def test_a_tampered_blank_proof_is_refused(single: Reference):
    ballot = single.ballots()["10"]
    answer = ballot.answers[0]
    assert answer.blank_proof is not None
    first, second = answer.blank_proof
    forged = Proof(first.challenge, single.election.group.exponent(first.response + 1))
    tampered = dataclasses.replace(
        ballot, answers=(dataclasses.replace(answer, blank_proof=(forged, second)),), text=""
    )
    with pytest.raises(InvalidBallot) as error:
        verify_ballot_proofs(single.election, tampered)
    assert error.value.reason is BallotDefect.BAD_BLANK_PROOF


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            lambda text: text.replace('","election_hash"', '", "election_hash"'),
            BallotDefect.NOT_CANONICAL_JSON,
        ),
        (lambda text: text + "\n\n", BallotDefect.NOT_CANONICAL_JSON),
        (lambda text: text[:-1] + ',"comment":"x"}', BallotDefect.UNKNOWN_FIELD),
        (
            lambda text: text.replace('"credential":"', '"credential":"0', 1),
            BallotDefect.NON_CANONICAL_NUMBER,
        ),
        (lambda text: text.replace('"blank_proof"', '"blank_proofs"'), BallotDefect.MISSING_FIELD),
        (
            lambda text: '{"election_uuid":"iXEX1YBacEUwsS","election_uuid":"x"}',
            BallotDefect.UNKNOWN_FIELD,
        ),
        (lambda text: "[]", BallotDefect.WRONG_TYPE),
        (lambda text: "\xff", BallotDefect.NOT_JSON),
    ],
    ids=[
        "spaces",
        "blank-lines",
        "extra-field",
        "leading-zero",
        "renamed-field",
        "duplicate",
        "array",
        "garbage",
    ],
)
def test_it_refuses_ballots_not_in_canonical_shape(single: Reference, edit, reason):
    with pytest.raises(InvalidBallot) as error:
        check_ballot(single.election, edit(single.ballot_texts["10"]), single.credentials)
    assert error.value.reason is reason


def test_it_refuses_proof_lists_of_the_wrong_length(single: Reference):
    value = loads(single.ballot_texts["10"])
    value["answers"][0]["overall_proof"].append(value["answers"][0]["overall_proof"][0])
    with pytest.raises(InvalidBallot) as error:
        check_ballot(single.election, dumps(value), single.credentials)
    assert error.value.reason is BallotDefect.WRONG_PROOF_COUNT
    value = loads(single.ballot_texts["10"])
    value["answers"][0]["individual_proofs"].pop()
    with pytest.raises(InvalidBallot) as error:
        check_ballot(single.election, dumps(value), single.credentials)
    assert error.value.reason is BallotDefect.WRONG_PROOF_COUNT


def test_a_blank_proof_where_blank_is_not_allowed_is_refused(threshold: Reference):
    value = loads(threshold.ballot_texts["1"])
    value["answers"][1]["blank_proof"] = value["answers"][0]["blank_proof"]
    with pytest.raises(InvalidBallot) as error:
        check_ballot(threshold.election, dumps(value), threshold.credentials)
    assert error.value.reason is BallotDefect.UNKNOWN_FIELD


def test_the_text_check_for_worker_processes_returns_the_tracker(single: Reference):
    text = single.ballot_texts["13"]
    assert check_ballot_text(single.election.text, text) == hash_json(text)
    bad = (single.folder / "invalid-ballots" / "bad-signature.json").read_text()
    with pytest.raises(InvalidBallot):
        check_ballot_text(single.election.text, bad)


@pytest.mark.parametrize(
    ("vote", "message"),
    [
        ([[0, 1, 1, 0, 0, 0, 0]], "between 1 and 1"),
        ([[0, 0, 0, 0, 0, 0, 0]], "between 1 and 1"),
        ([[1, 1, 0, 0, 0, 0, 0]], "blank vote selects no answer"),
        ([[0, 2, 0, 0, 0, 0, 0]], "0 or 1"),
        ([[0, 1, 0, 0, 0, 0]], "expected 7"),
        ([[0, 1, 0, 0, 0, 0, 0], [1]], "expected 1 answers"),
    ],
)
def test_it_refuses_to_make_a_ballot_for_a_vote_the_question_forbids(
    single: Reference, vote, message
):
    with pytest.raises(InvalidVote, match=message):
        make_ballot(single.election, single.private_credentials["10"], vote)


def test_it_refuses_to_make_a_ballot_with_a_mistyped_identifier(single: Reference):
    with pytest.raises(InvalidCredential):
        make_ballot(single.election, "zx5-D2Z-3Dc-61P-Rnb", [[1, 0, 0, 0, 0, 0, 0]])


def test_two_ballots_for_the_same_vote_differ(single: Reference):
    vote = [[0, 1, 0, 0, 0, 0, 0]]
    first = make_ballot(single.election, single.private_credentials["10"], vote)
    second = make_ballot(single.election, single.private_credentials["10"], vote)
    assert first.credential == second.credential
    assert first.tracker != second.tracker
    assert isinstance(first, Ballot)


def test_a_ballot_file_is_read_as_belenios_tool_writes_it(single: Reference):
    assert read_text(single.folder / "ballots" / "21.json") == single.ballot_texts["21"]


def test_an_oversized_ballot_is_refused_before_parsing(single: Reference):
    text = single.ballot_texts["10"]
    padded = text[:-1] + "," + '"x":"' + "9" * 100_000 + '"}'
    with pytest.raises(InvalidBallot) as error:
        check_ballot(single.election, padded, single.credentials)
    assert error.value.reason is BallotDefect.TOO_LARGE
    assert len(text) < max_ballot_length(single.election) / 2


def test_ballots_can_be_checked_in_worker_processes(single: Reference):
    texts = list(single.ballot_texts.values())
    with ProcessPoolExecutor(max_workers=2) as pool:
        trackers = list(pool.map(check_ballot_text, [single.election.text] * len(texts), texts))
    assert trackers == [hash_json(text) for text in texts]


def test_elections_and_ballots_survive_pickling(single: Reference):
    ballot = single.ballots()["12"]
    election = pickle.loads(pickle.dumps(single.election))  # noqa: S301 - our own bytes
    assert election == single.election
    assert election.group is single.election.group
    assert pickle.loads(pickle.dumps(ballot)) == ballot  # noqa: S301 - our own bytes

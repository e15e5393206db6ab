"""The verifier passes honest archives (belenios-tool's and urne's) and names the first check that
fails on archives a dishonest server rewrote consistently (every hash and the chain recomputed)."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from urne.crypto.archive import ArchiveReader, InvalidArchive
from urne.crypto.ballot import (
    check_ballot,
    make_ballot,
    verify_ballot_proofs,
)
from urne.crypto.credentials import (
    PublicCredential,
    PublicCredentials,
    derive_public_credential,
    make_private_credential,
)
from urne.crypto.election import Election
from urne.crypto.errors import BallotDefect, InvalidBallot
from urne.crypto.fastexp import SubgroupBatch
from urne.crypto.hashing import hash_json
from urne.crypto.jsonio import dumps, loads
from urne.crypto.simulate import SimulatedElection, Stage, write_simulation
from urne.crypto.tally import compute_encrypted_tally, decrypt_tally, make_partial_decryption
from urne.crypto.trustees import (
    SingleTrustee,
    TrusteePublicKey,
    make_trustee_key,
    trustees_to_json,
)
from urne.crypto.verifier import (
    Check,
    VerificationFailed,
    count_ballots,
    verify_archive,
    verify_records,
)

from .conftest import Reference, read_text, vectors_root
from .forgery import forge_outsider_ballot, outsider, yes_no_election
from .simulated import simulated
from .tampering import Step, indices, steps, tamper, write

Edit = Callable[[list[Step]], list[Step]]


@pytest.fixture
def election() -> SimulatedElection:
    """6 voters, 3 lists and blank, one "Single" trustee."""
    return simulated()


@pytest.fixture
def tallied(tmp_path: Path, election: SimulatedElection) -> Path:
    path = tmp_path / "tallied.bel"
    write_simulation(election, path)
    return path


# --- honest archives -----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["single", "threshold"])
def test_the_tallied_reference_archives_verify_with_their_result(vectors: Path, folder: str):
    summary = verify_archive(vectors / folder / "tallied.bel", jobs=1)
    expected = loads(read_text(vectors / folder / "result.json"))["result"]
    assert summary.stage == "tallied"
    assert summary.result is not None
    assert [list(row) for row in summary.result.counts] == expected
    assert summary.ballots == summary.voters == {"single": 12, "threshold": 8}[folder]


@pytest.mark.parametrize("folder", ["single", "threshold"])
def test_the_open_reference_archives_verify_without_a_result(vectors: Path, folder: str):
    summary = verify_archive(vectors / folder / "open.bel", jobs=1)
    assert summary.stage == "open"
    assert summary.result is None
    assert summary.ballots == {"single": 12, "threshold": 8}[folder]


@pytest.mark.parametrize("stage", list(Stage))
def test_a_simulated_archive_verifies_at_every_stage(tmp_path, election, stage):
    path = tmp_path / "election.bel"
    write_simulation(election, path, stage)
    summary = verify_archive(path, jobs=1)
    assert summary.stage == stage.value
    assert summary.ballots == 6
    assert summary.uuid == election.election.uuid
    assert summary.result == (election.expected if stage is Stage.TALLIED else None)


def test_a_threshold_election_verifies(tmp_path):
    threshold = simulated(voters=4, lists=2, blank=False, trustees=3, threshold=2, seed=3)
    path = tmp_path / "threshold.bel"
    write_simulation(threshold, path)
    summary = verify_archive(path, jobs=1)
    assert summary.result == threshold.expected
    assert len(threshold.partial_decryptions) == 2


def test_worker_processes_and_small_chunks_give_the_same_summary(tallied):
    alone = verify_archive(tallied, jobs=1)
    with ArchiveReader.open(tallied) as reader:
        pooled = verify_records(reader.records(), jobs=2, chunk=2)
    assert pooled == alone


def test_weighted_ballots_are_counted_as_many_times_as_their_weight(tmp_path, election):
    # The credential authority gives the first voter a weight of 3; the tally follows.
    weighted = [
        f"{entry.credential},3" if i == 0 else str(entry.credential)
        for i, entry in enumerate(election.credentials.entries)
    ]
    weights = [3] + [1] * (len(election.ballots) - 1)
    tally = compute_encrypted_tally(election.election, zip(election.ballots, weights, strict=True))
    partial = make_partial_decryption(election.election, tally, election.decryption_keys[1])
    result = decrypt_tally(election.election, election.trustees, tally, {1: partial})

    def edit(items: list[Step]) -> list[Step]:
        setup = items[0]
        items[0] = Step("setup", (setup.texts[0], setup.texts[1], dumps(weighted)))
        at = indices(items, "tally")[0]
        items[at] = Step("tally", (dumps(tally.to_json()),), (6, 8))
        items[at + 1] = Step("partial", (dumps(partial.to_json()),), (1,))
        items[at + 2] = Step("result", (dumps(result.to_json()),))
        return items

    source = tmp_path / "plain.bel"
    write_simulation(election, source)
    path = tamper(source, tmp_path / "weighted.bel", edit)
    summary = verify_archive(path, jobs=1)
    assert summary.total_weight == 8
    assert summary.result == result
    assert sum(summary.result.counts[0]) == 8


# --- tampered archives ---------------------------------------------------------------------------


def _json_edit(kind: str, change: Callable[[object], object], which: int = 0) -> Edit:
    """Change the JSON of the `which`-th step of `kind` (its first text)."""

    def edit(items: list[Step]) -> list[Step]:
        at = indices(items, kind)[which]
        items[at] = items[at].with_json(change(items[at].json()))
        return items

    return edit


def _plus_one(value: str, modulus: int) -> str:
    return str((int(value) + 1) % modulus)


def _wrong_result(value):
    counts = value["result"][0]
    i, j = next(
        (i, j) for i in range(len(counts)) for j in range(len(counts)) if counts[i] != counts[j]
    )
    counts[i], counts[j] = counts[j], counts[i]
    return value


def _remove(kind: str, which: int) -> Edit:
    def edit(items: list[Step]) -> list[Step]:
        del items[indices(items, kind)[which]]
        return items

    return edit


def _renumber_tally(items: list[Step]) -> list[Step]:
    at = indices(items, "tally")[0]
    count = len(indices(items, "ballot"))
    items[at] = Step("tally", items[at].texts, (count, count))
    return items


def _then(*edits: Edit) -> Edit:
    def edit(items: list[Step]) -> list[Step]:
        for one in edits:
            items = one(items)
        return items

    return edit


def _cases(election: SimulatedElection) -> dict[str, tuple[Edit, Check, str]]:
    group = election.election.group
    p, q, g = group.p, group.q, group.g

    def altered_factor(value):
        factors = value["decryption_factors"][0]
        factors[1] = str(int(factors[1]) * g % p)
        return value

    def altered_individual_proof(value):
        proof = value["answers"][0]["individual_proofs"][1][0]
        proof["response"] = _plus_one(proof["response"], q)
        return value

    def altered_overall_proof(value):
        proof = value["answers"][0]["overall_proof"][0]
        proof["challenge"] = _plus_one(proof["challenge"], q)
        return value

    def altered_signature(value):
        proof = value["signature"]["proof"]
        proof["response"] = _plus_one(proof["response"], q)
        return value

    def altered_tally(value):
        value[0][2]["alpha"] = str(int(value[0][2]["alpha"]) * g % p)
        return value

    def altered_pok(value):
        pok = value[0][1]["pok"]
        pok["response"] = _plus_one(pok["response"], q)
        return value

    def other_trustee(value):
        _, public = make_trustee_key(group)
        return [SingleTrustee(public).to_json()]

    def outsider_credential(value):
        value[2] = str(outsider(group, int(value[2])))
        return value

    def same_ballot_again(items: list[Step]) -> list[Step]:
        ballots = indices(items, "ballot")
        items.insert(ballots[-1] + 1, items[ballots[1]])
        return items

    def second_ballot(items: list[Step]) -> list[Step]:
        ballots = indices(items, "ballot")
        again = make_ballot(election.election, election.voting_identifiers[2], [[1, 0, 0, 0]])
        items.insert(ballots[-1] + 1, Step("ballot", (again.text,)))
        return items

    def stranger(items: list[Step]) -> list[Step]:
        ballots = indices(items, "ballot")
        ballot = make_ballot(election.election, make_private_credential(), [[0, 1, 0, 0]])
        items.insert(ballots[-1] + 1, Step("ballot", (ballot.text,)))
        return items

    def partial_from(owner: int) -> Edit:
        def edit(items: list[Step]) -> list[Step]:
            at = indices(items, "partial")[0]
            items[at] = Step("partial", items[at].texts, (owner,))
            return items

        return edit

    def partial_twice(items: list[Step]) -> list[Step]:
        at = indices(items, "partial")[0]
        items.insert(at, items[at])
        return items

    def sized(numbers: tuple[int, int]) -> Edit:
        def edit(items: list[Step]) -> list[Step]:
            at = indices(items, "tally")[0]
            items[at] = Step("tally", items[at].texts, numbers)
            return items

        return edit

    return {
        "wrong result": (_json_edit("result", _wrong_result), Check.RESULT, "published as"),
        "altered decryption factor": (
            _json_edit("partial", altered_factor),
            Check.PARTIAL_DECRYPTION,
            "choice 1: the decryption proof fails",
        ),
        "ballot removed": (
            _remove("ballot", 1),
            Check.TALLY,
            "counts 6 ballots, the archive holds 5",
        ),
        "ballot removed, tally renumbered": (
            _then(_remove("ballot", 1), _renumber_tally),
            Check.TALLY,
            "not the product of the ballots",
        ),
        "individual proof altered": (
            _json_edit("ballot", altered_individual_proof, 3),
            Check.BALLOT,
            "ballot 4 (event 4, tracker",
        ),
        "overall proof altered": (
            _json_edit("ballot", altered_overall_proof, 2),
            Check.BALLOT,
            "between 1 and 1 answers",
        ),
        "signature altered": (
            _json_edit("ballot", altered_signature, 5),
            Check.BALLOT,
            "the signature does not match the credential",
        ),
        "the same ballot again": (same_ballot_again, Check.SECOND_BALLOT, "same ballot again"),
        "a second ballot": (
            second_ballot,
            Check.SECOND_BALLOT,
            "a second ballot for the credential of ballot 3",
        ),
        "unknown credential": (stranger, Check.BALLOT, "not in the list"),
        "encrypted tally altered": (
            _json_edit("tally", altered_tally),
            Check.TALLY,
            "(question 1, choice 2)",
        ),
        "ballot count altered": (sized((7, 6)), Check.TALLY, "counts 7 ballots"),
        "total weight altered": (sized((6, 9)), Check.TALLY, "total weight of 9"),
        "trustee proof altered": (
            _setup_edit(1, altered_pok),
            Check.TRUSTEES,
            "proof of knowledge",
        ),
        "trustees replaced": (_setup_edit(1, other_trustee), Check.TRUSTEES, "election public key"),
        "credential outside the group": (
            _setup_edit(2, outsider_credential),
            Check.CREDENTIALS,
            "public credential 3 is not an element of the group",
        ),
        "partial decryption missing": (_remove("partial", 0), Check.RESULT, "is missing"),
        "partial decryption of nobody": (
            partial_from(2),
            Check.PARTIAL_DECRYPTION,
            "does not exist",
        ),
        "partial decryption twice": (partial_twice, Check.PARTIAL_DECRYPTION, "second partial"),
    }


def _setup_edit(index: int, change: Callable[[object], object]) -> Edit:
    def edit(items: list[Step]) -> list[Step]:
        items[0] = items[0].with_json(change(items[0].json(index)), index)
        return items

    return edit


TAMPERINGS = tuple(_cases(simulated()))
"""The names of the cases, for parametrizing (the election is the `election` fixture's)."""


@pytest.fixture(scope="module")
def tampered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], VerificationFailed]:
    """The failure each tampering case gives, verified once per test module."""
    folder = tmp_path_factory.mktemp("tampered")
    honest = folder / "tallied.bel"
    write_simulation(simulated(), honest)
    cases = _cases(simulated())

    @functools.cache
    def failure(case: str) -> VerificationFailed:
        path = tamper(honest, folder / f"{case}.bel", cases[case][0])
        with pytest.raises(VerificationFailed) as raised:
            verify_archive(path, jobs=1)
        return raised.value

    return failure


@pytest.mark.parametrize("case", TAMPERINGS)
def test_each_consistent_tampering_fails_at_its_check_with_its_words(election, tampered, case):
    _, check, words = _cases(election)[case]
    failure = tampered(case)
    assert failure.check is check, str(failure)
    assert words in str(failure)


def test_no_two_tamperings_fail_with_the_same_message(tampered):
    # Without the ballot's number and tracker, which would make any two messages differ.
    reasons = {case: str(tampered(case)).split("): ", 1)[-1] for case in TAMPERINGS}
    assert len(set(reasons.values())) == len(reasons), reasons


def test_the_ballot_at_fault_is_named_by_its_number_event_and_tracker(tmp_path, election, tallied):
    edit, _, _ = _cases(election)["signature altered"]
    path = tamper(tallied, tmp_path / "tampered.bel", edit)
    text = steps(path)[1][indices(steps(path)[1], "ballot")[5]].texts[0]
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(path, jobs=1)
    assert failure.value.ballot == 6
    assert f"ballot 6 (event 6, tracker {hash_json(text)}): " in str(failure.value)


def test_the_first_of_two_faults_is_named(tmp_path, election, tallied):
    cases = _cases(election)
    both = _then(cases["signature altered"][0], cases["individual proof altered"][0])
    path = tamper(tallied, tmp_path / "tampered.bel", both)
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(path, jobs=1)
    assert failure.value.ballot == 4


def test_a_fault_is_named_the_same_way_by_worker_processes(tmp_path, election, tallied):
    edit, _, _ = _cases(election)["signature altered"]
    path = tamper(tallied, tmp_path / "tampered.bel", edit)
    with pytest.raises(VerificationFailed) as alone:
        verify_archive(path, jobs=1)
    with ArchiveReader.open(path) as reader, pytest.raises(VerificationFailed) as pooled:
        verify_records(reader.records(), jobs=2, chunk=2)
    assert str(pooled.value) == str(alone.value)


# --- the vectors' invalid ballots ----------------------------------------------------------------


def _invalid_ballots(vectors: Path) -> list[str]:
    return sorted(path.name for path in (vectors / "single" / "invalid-ballots").glob("*.json"))


INVALID_BALLOTS = _invalid_ballots(vectors_root())
"""Read when the tests are collected, from where the fixtures read (it raises if absent)."""


@pytest.mark.parametrize("name", INVALID_BALLOTS)
def test_each_invalid_ballot_appended_to_the_open_archive_fails_it(
    tmp_path, vectors, single: Reference, name
):
    text = (vectors / "single" / "invalid-ballots" / name).read_text().removesuffix("\n")
    path = tamper(
        vectors / "single" / "open.bel",
        tmp_path / "open.bel",
        lambda items: [*items, Step("ballot", (text,))],
    )
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(path, jobs=1)
    assert failure.value.check is Check.BALLOT
    assert failure.value.ballot == 13
    with pytest.raises(InvalidBallot) as refused:
        check_ballot(single.election, text, single.credentials)
    assert str(failure.value).endswith(f": {refused.value}")


def test_the_vectors_hold_invalid_ballots_and_each_is_a_case(vectors):
    assert len(_invalid_ballots(vectors)) >= 15
    assert _invalid_ballots(vectors) == INVALID_BALLOTS


# --- the archive itself --------------------------------------------------------------------------


def test_a_byte_changed_without_the_hashes_fails_the_archive_check(tmp_path, tallied):
    raw = bytearray(tallied.read_bytes())
    at = raw.index(b'"result"')
    raw[at + 12] ^= 1  # inside the result's data entry: its name no longer is its hash
    path = tmp_path / "edited.bel"
    path.write_bytes(bytes(raw))
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(path, jobs=1)
    assert failure.value.check is Check.ARCHIVE
    assert "SHA256" in str(failure.value)


def test_ballots_before_a_broken_entry_are_judged_first(tmp_path, election, tallied):
    edit, _, _ = _cases(election)["signature altered"]
    path = tamper(tallied, tmp_path / "tampered.bel", edit)
    raw = bytearray(path.read_bytes())
    at = raw.index(b'"result"')
    raw[at + 12] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(path, jobs=1)
    assert failure.value.check is Check.BALLOT


def test_counting_the_ballots_of_a_truncated_archive_refuses_it(tmp_path, tallied):
    assert count_ballots(tallied) == 6  # one trustee: exact
    path = tmp_path / "cut.bel"
    path.write_bytes(tallied.read_bytes()[:3000])
    with pytest.raises(InvalidArchive, match="truncated"):
        count_ballots(path)


def test_the_summary_in_json_names_stage_ballots_and_result(tallied, election):
    summary = verify_archive(tallied, jobs=1).to_json()
    assert summary["ok"] is True
    assert summary["stage"] == "tallied"
    assert summary["ballots"] == 6
    assert summary["result"] == [list(election.expected.counts[0])]
    assert summary["questions"][0]["blank"] is True


def test_an_archive_written_again_from_its_steps_still_verifies(tmp_path, tallied):
    timestamp, items = steps(tallied)
    path = tmp_path / "again.bel"
    write(path, items, timestamp)
    assert path.read_bytes() == tallied.read_bytes()
    verify_archive(path, jobs=1)


# --- the board only grows ------------------------------------------------------------------------


def test_a_later_archive_continues_the_one_verified_during_the_vote(tmp_path, election, tallied):
    during = tmp_path / "during.bel"
    write_simulation(election, during, Stage.OPEN)
    seen = verify_archive(during, jobs=1)
    assert len(seen.fingerprint) == 64
    assert seen.events == 7  # Setup and 6 ballots
    final = verify_archive(tallied, jobs=1, earlier=seen.fingerprint)
    assert final.fingerprint != seen.fingerprint
    assert final.events == 11


def test_an_archive_that_dropped_a_ballot_since_does_not_continue_it(tmp_path, election, tallied):
    during = tmp_path / "during.bel"
    write_simulation(election, during, Stage.OPEN)
    seen = verify_archive(during, jobs=1)

    def drop_and_recount(items: list[Step]) -> list[Step]:
        del items[indices(items, "ballot")[0]]
        # A careful forger fixes the tally and the result too: only the chain tells.
        return items[: indices(items, "end")[0] + 1]

    rewritten = tamper(tallied, tmp_path / "rewritten.bel", drop_and_recount)
    verify_archive(rewritten, jobs=1)  # consistent on its own
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(rewritten, jobs=1, earlier=seen.fingerprint)
    assert failure.value.check is Check.ARCHIVE
    assert f"does not hold the event {seen.fingerprint}" in str(failure.value)


# --- a number outside the group that every proof lets through -------------------------------------


def test_a_ballot_whose_proofs_hold_but_a_number_is_outside_the_group_is_named(tmp_path):
    election, key = yes_no_election()
    group = election.group
    identifiers = [make_private_credential() for _ in range(41)]
    credentials = PublicCredentials(
        [PublicCredential(derive_public_credential(group, i, election.uuid)) for i in identifiers]
    )
    forged = forge_outsider_ballot(election, identifiers[20])
    verify_ballot_proofs(election, forged)  # every proof and the signature hold
    with pytest.raises(InvalidBallot) as refused:
        check_ballot(election, forged.text, credentials)
    assert refused.value.reason is BallotDefect.NOT_IN_SUBGROUP

    ballots = [
        forged.text if index == 20 else make_ballot(election, identifier, [[index % 2]]).text
        for index, identifier in enumerate(identifiers)
    ]
    trustees = dumps(trustees_to_json([SingleTrustee(key)]))
    items = [
        Step("setup", (election.text, trustees, dumps(credentials.to_json()))),
        *(Step("ballot", (text,)) for text in ballots),
    ]
    path = tmp_path / "forged.bel"
    write(path, items, 1795900000)
    # 41 ballots of 3 numbers in one chunk: the batch test, not one powmod a number, finds it.
    assert 3 * len(ballots) >= SubgroupBatch(group.p, group.q).smallest_batch
    for jobs, chunk in ((1, 64), (2, 16)):
        with ArchiveReader.open(path) as reader, pytest.raises(VerificationFailed) as failure:
            verify_records(reader.records(), jobs=jobs, chunk=chunk)
        assert failure.value.check is Check.BALLOT
        assert failure.value.ballot == 21
        assert str(failure.value).endswith(f": {refused.value}")


# --- the membership test settled once for many chunks -----------------------------------------


@pytest.fixture(scope="module")
def forgeable() -> tuple[Election, TrusteePublicKey, list[str], PublicCredentials, list[str]]:
    """A yes/no election of 41 voters, each one's honest ballot, and the private credentials."""
    election, key = yes_no_election("UrneSett1eTest22")
    identifiers = [make_private_credential() for _ in range(41)]
    credentials = PublicCredentials(
        [
            PublicCredential(derive_public_credential(election.group, i, election.uuid))
            for i in identifiers
        ]
    )
    honest = [make_ballot(election, i, [[n % 2]]).text for n, i in enumerate(identifiers)]
    return election, key, identifiers, credentials, honest


def _bad_proof(text: str, q: int) -> str:
    value = loads(text)
    proof = value["answers"][0]["overall_proof"][0]
    proof["response"] = _plus_one(proof["response"], q)
    return dumps(value)


@pytest.mark.parametrize(
    ("forged_at", "fault", "jobs", "chunk", "named"),
    [
        (5, ("proof", 30), 1, 16, 6),  # the outsider's chunk is judged before the fault's
        (5, ("proof", 30), 2, 16, 6),
        (20, ("proof", 25), 1, 16, 21),  # both in one chunk, the outsider first
        (25, ("proof", 20), 1, 16, 21),  # both in one chunk, the fault first
        (30, ("proof", 10), 1, 64, 11),  # one chunk for all
        (3, ("again", 35), 1, 16, 4),  # before a second ballot for one credential
        (38, None, 1, 16, 39),  # alone, in the last chunk: found when the tally is made
        (38, None, 2, 8, 39),
    ],
)
def test_the_first_ballot_at_fault_is_named_though_membership_is_settled_late(
    tmp_path, forgeable, forged_at, fault, jobs, chunk, named
):
    election, key, identifiers, credentials, honest = forgeable
    q = election.group.q
    forged = forge_outsider_ballot(election, identifiers[forged_at])
    ballots = list(honest)
    ballots[forged_at] = forged.text
    if fault is not None:
        kind, at = fault
        if kind == "proof":
            ballots[at] = _bad_proof(ballots[at], q)
        else:  # the voter of ballot 11 votes again
            ballots.insert(at, make_ballot(election, identifiers[10], [[1]]).text)
    trustees = dumps(trustees_to_json([SingleTrustee(key)]))
    items = [
        Step("setup", (election.text, trustees, dumps(credentials.to_json()))),
        *(Step("ballot", (text,)) for text in ballots),
    ]
    path = tmp_path / "late.bel"
    write(path, items, 1795900000)
    with ArchiveReader.open(path) as reader, pytest.raises(VerificationFailed) as failure:
        verify_records(reader.records(), jobs=jobs, chunk=chunk)
    assert failure.value.ballot == named
    if named == forged_at + 1:
        assert failure.value.check is Check.BALLOT
        assert "not in the subgroup of order q" in str(failure.value)
    else:
        assert "not in the subgroup" not in str(failure.value)


def test_a_clean_archive_pays_the_batch_s_last_step_once_whatever_the_chunks(
    tmp_path, forgeable, monkeypatch
):
    election, key, _, credentials, honest = forgeable
    trustees = dumps(trustees_to_json([SingleTrustee(key)]))
    items = [
        Step("setup", (election.text, trustees, dumps(credentials.to_json()))),
        *(Step("ballot", (text,)) for text in honest),
    ]
    path = tmp_path / "clean.bel"
    write(path, items, 1795900000)
    raised: list[int] = []
    original = SubgroupBatch.rounds_hold

    def counted(self: SubgroupBatch, products: Sequence[int]) -> bool:
        if products:
            raised.append(len(products))
        return original(self, products)

    monkeypatch.setattr(SubgroupBatch, "rounds_hold", counted)
    with ArchiveReader.open(path) as reader:
        summary = verify_records(reader.records(), jobs=1, chunk=8)
    assert summary.ballots == 41
    assert raised == [81]  # 6 chunks, one last step


def test_membership_is_settled_every_so_many_characters(tmp_path, forgeable, monkeypatch):
    import urne.crypto.verifier as verifier_module

    election, key, identifiers, credentials, honest = forgeable
    monkeypatch.setattr(verifier_module, "_SETTLE_EVERY", 1)  # after each chunk
    ballots = list(honest)
    ballots[9] = forge_outsider_ballot(election, identifiers[9]).text
    trustees = dumps(trustees_to_json([SingleTrustee(key)]))
    items = [
        Step("setup", (election.text, trustees, dumps(credentials.to_json()))),
        *(Step("ballot", (text,)) for text in ballots),
    ]
    path = tmp_path / "often.bel"
    write(path, items, 1795900000)
    with ArchiveReader.open(path) as reader, pytest.raises(VerificationFailed) as failure:
        verify_records(reader.records(), jobs=1, chunk=4)
    assert failure.value.ballot == 10
    assert "not in the subgroup of order q" in str(failure.value)


@pytest.mark.parametrize(("fault", "jobs"), [(None, 1), (None, 2), (4, 1), (4, 2)])
def test_a_long_credential_list_with_an_outsider_fails_before_any_ballot(
    tmp_path, forgeable, fault, jobs
):
    # 41 voters' credentials and 80 more (a list long enough for the batch test, whose last
    # step the judge pays with the ballots'): the 61st is outside the group. Even with a ballot
    # at fault too, the credentials are named first, as the order of the checks says.
    election, key, _, credentials, honest = forgeable
    group = election.group
    listed = [str(value) for value in credentials.to_json()]
    listed += [str(group.pow_g(secrets.randbelow(int(group.q) - 1) + 1)) for _ in range(80)]
    assert len(listed) >= SubgroupBatch(group.p, group.q).smallest_batch
    listed[60] = str(outsider(group, int(listed[60])))
    ballots = list(honest)
    if fault is not None:
        ballots[fault] = _bad_proof(ballots[fault], group.q)
    trustees = dumps(trustees_to_json([SingleTrustee(key)]))
    items = [
        Step("setup", (election.text, trustees, dumps(listed))),
        *(Step("ballot", (text,)) for text in ballots),
    ]
    path = tmp_path / "credentials.bel"
    write(path, items, 1795900000)
    with ArchiveReader.open(path) as reader, pytest.raises(VerificationFailed) as failure:
        verify_records(reader.records(), jobs=jobs, chunk=8)
    assert failure.value.check is Check.CREDENTIALS
    assert str(failure.value) == "public credential 61 is not an element of the group"
    assert failure.value.ballot is None


def test_a_long_clean_credential_list_shares_the_batch_s_last_step(
    tmp_path, forgeable, monkeypatch
):
    election, key, _, credentials, honest = forgeable
    group = election.group
    listed = [str(value) for value in credentials.to_json()]
    listed += [str(group.pow_g(secrets.randbelow(int(group.q) - 1) + 1)) for _ in range(80)]
    trustees = dumps(trustees_to_json([SingleTrustee(key)]))
    items = [
        Step("setup", (election.text, trustees, dumps(listed))),
        *(Step("ballot", (text,)) for text in honest),
    ]
    path = tmp_path / "shared.bel"
    write(path, items, 1795900000)
    raised: list[int] = []
    original = SubgroupBatch.rounds_hold

    def counted(self: SubgroupBatch, products: Sequence[int]) -> bool:
        if products:
            raised.append(len(products))
        return original(self, products)

    monkeypatch.setattr(SubgroupBatch, "rounds_hold", counted)
    with ArchiveReader.open(path) as reader:
        summary = verify_records(reader.records(), jobs=1, chunk=8)
    assert (summary.ballots, summary.voters) == (41, 121)
    assert raised == [81]  # the credentials' and the 6 chunks' test: one last step

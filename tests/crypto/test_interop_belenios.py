"""urne and the real belenios-tool (Debian's, 2.0) on elections urne set up.

The core's tests check urne's ballots against the vectors' elections (set up by belenios-tool);
these complete them the other way round: archives written by `urne simulate` pass
`belenios-tool election verify`; a voter using belenios-tool, and a trustee decrypting with it,
take part in an election urne runs; and both verifiers refuse the same tampered archives — but
for a second ballot, which Belenios accepts and urne does not (a vote is final).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from urne.crypto.archive import ArchiveWriter
from urne.crypto.ballot import check_ballot
from urne.crypto.jsonio import dumps, loads
from urne.crypto.simulate import SimulatedElection, Stage, write_simulation
from urne.crypto.tally import PartialDecryption, decrypt_tally, verify_partial_decryption
from urne.crypto.trustees import private_key_to_json
from urne.crypto.verifier import Check, VerificationFailed, verify_archive

from .belenios_tool import run_tool, run_tool_unchecked
from .simulated import simulated
from .tampering import Step, indices, steps, tamper, write

pytestmark = pytest.mark.belenios


def tool_folder(tmp_path: Path, election: SimulatedElection, archive: Path) -> Path:
    """A folder holding the archive alone, named UUID.bel, as belenios-tool wants it."""
    folder = Path(tempfile.mkdtemp(prefix="tool-", dir=tmp_path))
    shutil.copyfile(archive, folder / f"{election.election.uuid}.bel")
    return folder


def tool_verifies(folder: Path) -> bool:
    done = run_tool_unchecked("election", "verify", "--dir", str(folder))
    return done.returncode == 0 and "all checks passed" in done.stdout + done.stderr


ELECTIONS = {
    "one Single trustee, blank allowed": {"voters": 6, "lists": 3, "blank": True},
    "three Single trustees, no blank": {"voters": 5, "lists": 4, "blank": False, "trustees": 3},
    "threshold 2 of 3": {"voters": 4, "lists": 2, "blank": False, "trustees": 3, "threshold": 2},
}


@pytest.mark.parametrize("name", list(ELECTIONS))
@pytest.mark.parametrize("stage", [Stage.OPEN, Stage.TALLIED])
def test_belenios_tool_verifies_the_archives_urne_simulate_writes(tmp_path, name, stage):
    election = simulated(**ELECTIONS[name])
    archive = tmp_path / "urne.bel"
    write_simulation(election, archive, stage)
    assert tool_verifies(tool_folder(tmp_path, election, archive))
    assert verify_archive(archive, jobs=1).stage == stage.value


def test_the_urne_simulate_command_writes_what_belenios_tool_verifies(tmp_path):
    from urne.cli.protocol import main

    archive = tmp_path / "cli.bel"
    code = main(
        "simulate",
        ["--voters", "3", "--lists", "2", "--blank", "--jobs", "1", "--out", str(archive)],
    )
    assert code == 0
    uuid = loads(steps(archive)[1][0].texts[0])["uuid"]
    folder = tmp_path / "tool"
    folder.mkdir()
    shutil.copyfile(archive, folder / f"{uuid}.bel")
    assert tool_verifies(folder)


@pytest.mark.parametrize("name", ["one Single trustee, blank allowed", "threshold 2 of 3"])
def test_a_voter_using_belenios_tool_votes_in_an_election_urne_set_up(tmp_path, name):
    election = simulated(**ELECTIONS[name])
    # The last voter has not voted yet: the archive holds the others' ballots.
    timestamp, items = steps(_written(tmp_path, election, Stage.OPEN))
    archive = tmp_path / "open.bel"
    write(archive, items[:-1], timestamp)
    folder = tool_folder(tmp_path, election, archive)
    (tmp_path / "credential").write_text(election.voting_identifiers[-1] + "\n")
    question = election.election.questions[0]
    vote = [[1] + [0] * len(question.answers)] if question.allows_blank else [[0, 1]]
    (tmp_path / "vote.json").write_text(dumps(vote))
    made = run_tool(
        "election", "generate-ballot", "--dir", str(folder),
        "--privcred", str(tmp_path / "credential"), "--ballot", str(tmp_path / "vote.json"),
    ).stdout  # fmt: skip

    checked = check_ballot(election.election, made, election.credentials)
    assert checked.ballot.credential == election.ballots[-1].credential

    with archive.open("r+b") as stream:
        ArchiveWriter.append(stream).write_ballot(checked.ballot.text)
    summary = verify_archive(archive, jobs=1)
    assert summary.ballots == len(election.ballots)
    assert tool_verifies(tool_folder(tmp_path, election, archive))


def test_a_trustee_using_belenios_tool_decrypts_an_election_urne_tallied(tmp_path):
    election = simulated()
    timestamp, items = steps(_written(tmp_path, election, Stage.TALLIED))
    archive = tmp_path / "tallying.bel"
    write(archive, items[: indices(items, "tally")[0] + 1], timestamp)
    folder = tool_folder(tmp_path, election, archive)

    computed = run_tool("election", "compute-encrypted-tally", "--dir", str(folder)).stdout
    tally, sized = computed.splitlines()[:2]
    assert tally == dumps(election.tally.to_json())
    assert loads(sized)["num_tallied"] == loads(sized)["total_weight"] == 6

    key = tmp_path / "trustee.privkey"
    key.write_text(private_key_to_json(election.decryption_keys[1]))
    decrypted = run_tool(
        "election", "decrypt", "--dir", str(folder), "--privkey", str(key), "--trustee-id", "1"
    ).stdout
    # The partial decryption, then the owned_partial_decryption naming its hash.
    text, owned = decrypted.splitlines()[:2]
    assert loads(owned)["owner"] == 1
    group = election.election.group
    partial = PartialDecryption.from_json(group, loads(text))
    public_key = election.trustees[0].key.public_key  # type: ignore[union-attr]
    verify_partial_decryption(election.election, election.tally, public_key, partial)
    result = decrypt_tally(election.election, election.trustees, election.tally, {1: partial})
    assert result == election.expected

    with archive.open("r+b") as stream:
        writer = ArchiveWriter.append(stream)
        writer.write_partial_decryption(1, text)
        writer.write_result(dumps(result.to_json()))
    assert verify_archive(archive, jobs=1).result == election.expected
    assert tool_verifies(tool_folder(tmp_path, election, archive))


def _written(tmp_path: Path, election: SimulatedElection, stage: Stage) -> Path:
    path = tmp_path / f"written-{stage.value}.bel"
    write_simulation(election, path, stage)
    return path


def test_both_verifiers_refuse_a_consistently_tampered_result(tmp_path):
    election = simulated()

    def wrong_result(items: list[Step]) -> list[Step]:
        at = indices(items, "result")[0]
        value = items[at].json()
        value["result"][0][0] += 1
        items[at] = items[at].with_json(value)
        return items

    archive = tamper(_written(tmp_path, election, Stage.TALLIED), tmp_path / "x.bel", wrong_result)
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(archive, jobs=1)
    assert failure.value.check is Check.RESULT
    assert not tool_verifies(tool_folder(tmp_path, election, archive))


def test_both_verifiers_refuse_a_ballot_with_a_forged_proof(tmp_path):
    election = simulated()
    q = election.election.group.q

    def forged(items: list[Step]) -> list[Step]:
        at = indices(items, "ballot")[2]
        value = items[at].json()
        proof = value["answers"][0]["individual_proofs"][0][1]
        proof["response"] = str((int(proof["response"]) + 1) % q)
        items[at] = items[at].with_json(value)
        return items

    archive = tamper(_written(tmp_path, election, Stage.OPEN), tmp_path / "x.bel", forged)
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(archive, jobs=1)
    assert failure.value.check is Check.BALLOT
    assert not tool_verifies(tool_folder(tmp_path, election, archive))


def test_a_second_ballot_passes_belenios_tool_but_not_urne(tmp_path):
    """Belenios keeps a voter's last ballot; in these elections a vote is final."""
    election = simulated()
    archive = tamper(
        _written(tmp_path, election, Stage.OPEN),
        tmp_path / "revote.bel",
        lambda items: [*items, items[indices(items, "ballot")[0]]],
    )
    assert tool_verifies(tool_folder(tmp_path, election, archive))
    with pytest.raises(VerificationFailed) as failure:
        verify_archive(archive, jobs=1)
    assert failure.value.check is Check.SECOND_BALLOT

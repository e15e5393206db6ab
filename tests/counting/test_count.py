"""A scrutin voted by several electors, closed at its time, tallied, decrypted by the bureau's
partial decryptions (one made by urne, one by the real belenios-tool), the result right, and the
final archive verified by `urne verify` and `belenios-tool election verify`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.counting.conftest import Bureau, fresh, run_vote, seal_with, voters
from tests.crypto.belenios_tool import run_tool, run_tool_unchecked
from tests.voting.casting import write_board
from tests.voting.conftest import cast
from urne.audit.models import AuditEntry
from urne.campaign.models import Academy, Scrutin
from urne.cli.protocol import main as urne_main
from urne.counting import closing, decryption
from urne.crypto.verifier import verify_archive
from urne.voting.ballot_box import BallotRefused
from urne.voting.models import CountingEvent, ScrutinElection

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]

# List 1 (FSU) twice, list 2 once, list 3 never, one blank vote.
CHOICES = (0, 1, 0, None)


def urne_decrypt(folder: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`urne trustee decrypt --privkey KEY --dir FOLDER`: its output, as a member uploads it."""
    capsys.readouterr()
    assert urne_main("trustee", ["decrypt", "--privkey", str(key), "--dir", str(folder)]) == 0
    return capsys.readouterr().out


def tool_decrypt(folder: Path, key: Path, trustee_id: int) -> str:
    done = run_tool(
        "election",
        "decrypt",
        "--dir",
        str(folder),
        "--privkey",
        str(key),
        "--trustee-id",
        str(trustee_id),
    )
    return done.stdout


def board_folder(scrutin: Scrutin, tmp_path: Path, name: str) -> Path:
    """A folder holding the board's archive alone (UUID.bel), as belenios-tool wants it."""
    folder = tmp_path / name
    folder.mkdir()
    write_board(scrutin, folder)
    return folder


def close_and_tally(election: ScrutinElection, travel: Travel) -> ScrutinElection:
    travel(election.scrutin.campaign.vote_closes_at)
    assert closing.do_close_election(election) is True
    closing.do_compute_tally(fresh(election), size=3)
    return fresh(election)


@pytest.mark.belenios
def test_a_scrutin_is_closed_tallied_and_decrypted_by_urne_and_belenios_tool(
    csa_national: Scrutin,
    dijon: Academy,
    threshold_bureau: Bureau,
    travel: Travel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    election = run_vote(csa_national, dijon, threshold_bureau, CHOICES)
    assert election.ballot_count == 4
    during_vote = election.last_event
    election = close_and_tally(election, travel)
    progress = closing.tally_progress(election)
    assert progress is not None and progress.finished and progress.done == 4

    # Member 3 decrypts with urne, member 1 with belenios-tool, each from the board's archive.
    folder = board_folder(csa_national, tmp_path, "tallied")
    summary = verify_archive(folder / f"{election.uuid}.bel", jobs=1)
    assert summary.ballots == 4
    from_urne = urne_decrypt(folder, threshold_bureau.keys[3], capsys)
    from_tool = tool_decrypt(folder, threshold_bureau.keys[1], 1)

    first = decryption.do_accept_partial_decryption(election, from_urne, None)
    assert first.owner == 3
    assert decryption.scrutin_result(election) is None  # 1 of the 2 needed
    second = decryption.do_accept_partial_decryption(fresh(election), from_tool, None)
    assert second.owner == 1

    result = decryption.scrutin_result(election)
    assert result is not None
    assert result.tallied == 4
    assert result.blank == 1
    assert [(item.title, item.votes) for item in result.lists] == [
        ("Liste FSU", 2),
        ("Liste UNSA Éducation", 1),
        ("Liste SGEN-CFDT", 0),
    ]
    kinds = list(
        CountingEvent.objects.filter(election=election)
        .order_by("height")
        .values_list("kind", flat=True)
    )
    assert kinds == [
        "EndBallots",
        "EncryptedTally",
        "PartialDecryption",
        "PartialDecryption",
        "Result",
    ]

    final = board_folder(csa_national, tmp_path, "final")
    archive = final / f"{election.uuid}.bel"
    summary = verify_archive(archive, jobs=1)
    assert summary.result is not None
    assert [list(row) for row in summary.result.counts] == [[1, 2, 1, 0]]
    assert urne_main("verify", [str(archive)]) == 0
    # The board only grew from the vote to the result.
    assert urne_main("verify", [str(archive), "--since", during_vote]) == 0
    verified = run_tool_unchecked("election", "verify", "--dir", str(final))
    assert verified.returncode == 0, verified.stderr
    # Every step in the audit journal.
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "counting.close",
        "counting.encrypted_tally",
        "counting.partial_decryption",
        "counting.result",
    } <= actions


def test_the_box_closes_exactly_at_the_second_and_once(
    csa_national: Scrutin, dijon: Academy, threshold_bureau: Bureau, travel: Travel
) -> None:
    election = run_vote(csa_national, dijon, threshold_bureau, (0,))
    closes_at = election.scrutin.campaign.vote_closes_at

    # One second before: not due, refused, nothing on the board.
    travel(closes_at - timedelta(seconds=1))
    assert closing.do_close_due_elections() == []
    with pytest.raises(closing.CountingRefused) as refused:
        closing.do_close_election(election)
    assert "n'est pas clos" in str(refused.value.message)
    assert not CountingEvent.objects.exists()

    # At the second: closed by the periodic check; again: nothing more.
    travel(closes_at)
    assert closing.do_close_due_elections() == [election]
    assert closing.do_close_due_elections() == []
    assert closing.do_close_election(fresh(election)) is False
    assert CountingEvent.objects.filter(kind="EndBallots").count() == 1
    head = fresh(election)
    assert head.height == election.height + 1


def test_nothing_is_appended_after_end_ballots_whatever_the_clock(
    csa_national: Scrutin, dijon: Academy, threshold_bureau: Bureau, travel: Travel
) -> None:
    """The ballot box reads the closing under its row lock: a clock set back (or a ballot that
    passed the window check just before the closing) cannot append after EndBallots."""
    electors = voters(csa_national, dijon, 3)
    identifiers = seal_with(csa_national, threshold_bureau.text)
    election = fresh(ScrutinElection.objects.get(scrutin=csa_national))
    for elector in electors[:2]:
        cast(election, elector, identifiers.of(elector), 0)
    travel(election.scrutin.campaign.vote_closes_at)
    closing.do_close_election(election)
    head = fresh(election)
    travel(election.scrutin.campaign.vote_closes_at - timedelta(hours=1))
    with pytest.raises(BallotRefused) as refused:
        cast(head, electors[2], identifiers.of(electors[2]), 1)
    assert refused.value.code == "vote_closed"
    after = fresh(election)
    assert (after.height, after.ballot_count, after.last_event) == (
        head.height,
        2,
        head.last_event,
    )


def test_the_command_closes_and_tallies_once(
    csa_national: Scrutin, dijon: Academy, threshold_bureau: Bureau, travel: Travel
) -> None:
    election = run_vote(csa_national, dijon, threshold_bureau, (1, 2))
    travel(election.scrutin.campaign.vote_closes_at + timedelta(minutes=3))
    call_command("close_elections")
    call_command("close_elections")
    kinds = list(CountingEvent.objects.order_by("height").values_list("kind", flat=True))
    assert kinds == ["EndBallots", "EncryptedTally"]
    assert CountingEvent.objects.get(kind="EncryptedTally").tallied == 2


def test_an_interrupted_tally_resumes_where_it_stopped(
    csa_national: Scrutin, dijon: Academy, threshold_bureau: Bureau, travel: Travel, tmp_path: Path
) -> None:
    election = run_vote(csa_national, dijon, threshold_bureau, (0, 1, 2, None, 0))
    travel(election.scrutin.campaign.vote_closes_at)
    closing.do_close_election(election)
    assert closing.do_tally_chunk(election, size=2) is False
    progress = closing.tally_progress(election)
    assert progress is not None and (progress.done, progress.total) == (2, 5)
    assert progress.percent == 40
    # Another worker takes it up.
    closing.do_compute_tally(fresh(election), size=2)
    assert CountingEvent.objects.get(kind="EncryptedTally").tallied == 5
    assert verify_archive(write_board(csa_national, tmp_path), jobs=1).ballots == 5


def test_an_empty_box_is_tallied_too(
    csa_national: Scrutin, dijon: Academy, threshold_bureau: Bureau, travel: Travel, tmp_path: Path
) -> None:
    voters(csa_national, dijon, 2)  # on the roll, neither votes
    seal_with(csa_national, threshold_bureau.text)
    close_and_tally(fresh(ScrutinElection.objects.get(scrutin=csa_national)), travel)
    assert verify_archive(write_board(csa_national, tmp_path), jobs=1).ballots == 0


@pytest.mark.belenios
def test_a_single_key_and_a_group_each_needed(
    csa_national: Scrutin,
    dijon: Academy,
    single_and_group_bureau: Bureau,
    travel: Travel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A "Single" key must send its own; the group both of its shares. The single key's share
    made by belenios-tool, the group's by urne; both tools verify the final archive."""
    bureau = single_and_group_bureau
    election = close_and_tally(run_vote(csa_national, dijon, bureau, (2, 2, None)), travel)
    folder = board_folder(csa_national, tmp_path, "tallied")
    for owner in (2, 3):
        decryption.do_accept_partial_decryption(
            fresh(election), urne_decrypt(folder, bureau.keys[owner], capsys), None
        )
    assert decryption.scrutin_result(election) is None
    with pytest.raises(closing.CountingRefused) as refused:
        decryption.do_publish_result(fresh(election), None)
    assert "la clé n° 1 (autorité 1) n'a pas envoyé son déchiffrement" in str(refused.value.message)
    decryption.do_accept_partial_decryption(
        fresh(election), tool_decrypt(folder, bureau.keys[1], 1), None
    )
    result = decryption.scrutin_result(election)
    assert result is not None
    assert (result.blank, [item.votes for item in result.lists]) == (1, [0, 0, 2])
    final = board_folder(csa_national, tmp_path, "final")
    assert verify_archive(final / f"{election.uuid}.bel", jobs=1).result is not None
    verified = run_tool_unchecked("election", "verify", "--dir", str(final))
    assert verified.returncode == 0, verified.stderr

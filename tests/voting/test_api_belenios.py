"""Ballots made by the real belenios-tool for a scrutin's election go through the API like any
client's; the board then passes `urne verify` and `belenios-tool election verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_account, make_elector
from tests.crypto.belenios_tool import run_tool
from tests.voting.casting import election_of, vote_for, write_board
from tests.voting.conftest import SealScrutins
from urne.accounts.models import User
from urne.campaign.models import Academy, RollEntry, Scrutin
from urne.crypto.jsonio import dumps
from urne.crypto.verifier import verify_archive
from urne.voting.models import Ballot

pytestmark = [pytest.mark.django_db, pytest.mark.belenios]


def tool_ballot(board: Path, identifier: str, position: int) -> str:
    """`belenios-tool election generate-ballot` on the board as published (one .bel)."""
    folder = board.parent
    (folder / "credential").write_text(identifier + "\n")
    (folder / "choice.json").write_text(dumps(vote_for(position)) + "\n")
    done = run_tool(
        "election",
        "generate-ballot",
        "--dir",
        str(folder),
        "--privcred",
        str(folder / "credential"),
        "--ballot",
        str(folder / "choice.json"),
    )
    return done.stdout


def test_ballots_made_by_belenios_tool_are_accepted_and_the_board_verifies(
    voter_bob: User,
    dijon: Academy,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
    tmp_path: Path,
) -> None:
    alice = make_elector(csa_national.campaign, dijon, "Alice", "Bernard", civilite="MME")
    RollEntry.objects.create(scrutin=csa_national, elector=alice)
    voters = [voter_bob, make_account(alice)]
    identifiers = seal_scrutins(csa_national)
    uuid = election_of(csa_national).uuid
    for position, voter in enumerate(voters):
        folder = tmp_path / f"voter{position}"
        folder.mkdir()
        board = write_board(csa_national, folder)
        assert voter.elector is not None
        text = tool_ballot(board, identifiers.of(voter.elector), position)
        client = Client()
        client.force_login(voter)
        response = client.post(
            reverse("voting:api_cast", args=[uuid]),
            {"ballot": text, "submission": f"belenios-tool-{position:04d}"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
    assert Ballot.objects.filter(election__uuid=uuid).count() == 2
    final = tmp_path / "final"
    final.mkdir()
    board = write_board(csa_national, final)
    assert verify_archive(board).ballots == 2
    run_tool("election", "verify", "--dir", str(final))

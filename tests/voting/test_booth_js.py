"""The booth's JavaScript makes ballots that urne's Python core and the real belenios-tool accept.

The modules of src/urne/static/urne/voting/ run in Node (tests/voting/booth_js.py) on elections
sealed by urne, with the identifiers the credential authority handed out; the ballots go through
`check_ballot`, then onto a board that `urne verify` and `belenios-tool election verify` check;
and through the ballot box's API endpoint itself, as the booth sends them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_account, make_elector
from tests.crypto.belenios_tool import run_tool
from tests.voting.booth_js import make_ballots_in_node
from tests.voting.conftest import SealScrutins, add_lists
from urne.campaign.models import Academy, Elector, RollEntry, Scrutin
from urne.crypto.archive import ArchiveWriter
from urne.crypto.ballot import check_ballot
from urne.crypto.credentials import BASE58, PublicCredentials, check_private_credential
from urne.crypto.election import read_election
from urne.crypto.errors import InvalidCredential
from urne.crypto.hashing import hash_json
from urne.crypto.verifier import verify_archive
from urne.voting import setup
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign_electors(csa_national: Scrutin, dijon: Academy) -> list[Elector]:
    """Seven electors on the national CSA's roll: enough for one ballot per choice."""
    electors = []
    for index in range(7):
        elector = make_elector(csa_national.campaign, dijon, f"Électeur{index}", "Essai")
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
        electors.append(elector)
    return electors


SEVEN = ("Liste A", "Liste B", "Liste C", "Liste D", "Liste E", "Liste F")


def one_hot(choice_count: int, index: int) -> list[int]:
    return [1 if i == index else 0 for i in range(choice_count)]


def votes_for_each_answer_and_blank(choice_count: int) -> list[list[list[int]]]:
    """Blank (index 0) and each list: every plaintext the booth can make."""
    return [[one_hot(choice_count, index)] for index in range(choice_count)]


def board_with(election: ScrutinElection, ballots: list[str], folder: Path) -> Path:
    """The scrutin's sealed board with `ballots` appended, as UUID.bel in `folder`."""
    path = folder / f"{election.uuid}.bel"
    path.write_bytes(bytes(election.setup_archive))
    with path.open("r+b") as stream:
        writer = ArchiveWriter.append(stream)
        for text in ballots:
            writer.write_ballot(text)
        writer.flush()
    return path


@pytest.mark.belenios
@pytest.mark.parametrize("titles", [None, SEVEN], ids=["3-lists", "6-lists-and-blank"])
def test_booth_ballots_pass_urne_and_belenios_tool(
    campaign_electors: list[Elector],
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
    tmp_path: Path,
    titles: tuple[str, ...] | None,
) -> None:
    if titles:
        add_lists(csa_national, titles)
    identifiers = seal_scrutins(csa_national)
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    election = read_election(stored.election)
    credentials = PublicCredentials.from_json(
        election.group, [c for c in stored.credentials.values_list("credential", flat=True)]
    )
    choice_count = election.questions[0].choice_count
    votes = votes_for_each_answer_and_blank(choice_count)
    assert len(campaign_electors) >= len(votes)
    requests = [
        (identifiers.of(elector), vote)
        for elector, vote in zip(campaign_electors, votes, strict=False)
    ]

    answer = make_ballots_in_node(stored.election, requests)

    texts = []
    for result in answer["results"]:
        checked = check_ballot(election, result["text"], credentials)
        assert result["tracker"] == hash_json(result["text"]) == checked.ballot.tracker
        texts.append(result["text"])
    assert len(texts) == choice_count
    board = board_with(stored, texts, tmp_path)
    assert verify_archive(board).ballots == choice_count
    run_tool("election", "verify", "--dir", str(tmp_path))


def mistyped(identifier: str, index: int) -> str:
    """`identifier` with the character at `index` replaced by its neighbour in the alphabet: a
    change of 1 in one Base58 digit, which the checksum always catches."""
    character = identifier[index]
    neighbour = BASE58[(BASE58.index(character) + 1) % len(BASE58)]
    return identifier[:index] + neighbour + identifier[index + 1 :]


def test_a_mistyped_identifier_is_refused_by_the_booth_itself(
    campaign_electors: list[Elector], csa_national: Scrutin, seal_scrutins: SealScrutins
) -> None:
    identifiers = seal_scrutins(csa_national)
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    good = identifiers.of(campaign_electors[0])
    vote = [one_hot(4, 1)]
    typed = {
        "typo": (mistyped(good, 4), "checksum"),
        "typo in the checksum": (mistyped(good, 18), "checksum"),
        "without dashes": (good.replace("-", ""), None),
        "with blanks around": (f"  {good} ", None),
        "a zero": ("0" + good[1:], "characters"),
        "too short": (good[:-4], "length"),
        "dashes misplaced": (good.replace("-", "")[:4] + "-" + good.replace("-", "")[4:], "length"),
    }

    answer = make_ballots_in_node(stored.election, [(text, vote) for text, _ in typed.values()])

    for (case, (text, code)), result in zip(typed.items(), answer["results"], strict=True):
        assert result.get("code") == code, case
        if code is None:
            assert "text" in result, case
            assert check_private_credential(text) == good
        else:
            with pytest.raises(InvalidCredential):
                check_private_credential(text)


def test_the_booth_without_tables_makes_the_same_kind_of_valid_ballot(
    campaign_electors: list[Elector], csa_national: Scrutin, seal_scrutins: SealScrutins
) -> None:
    identifiers = seal_scrutins(csa_national)
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    election = setup.sealed_election(stored)
    credentials = PublicCredentials.from_json(
        election.group, list(stored.credentials.values_list("credential", flat=True))
    )
    answer = make_ballots_in_node(
        stored.election, [(identifiers.of(campaign_electors[0]), [one_hot(4, 0)])], tables=False
    )
    (result,) = answer["results"]
    check_ballot(election, result["text"], credentials)


@pytest.mark.belenios
def test_booth_ballots_are_accepted_by_the_api_and_the_board_verifies(
    campaign_electors: list[Elector],
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
    tmp_path: Path,
) -> None:
    """What the booth's modules make, sent as the booth sends it, is what the ballot box takes."""
    identifiers = seal_scrutins(csa_national)
    stored = ScrutinElection.objects.get(scrutin=csa_national)
    voters = campaign_electors[:4]
    votes = votes_for_each_answer_and_blank(4)
    answer = make_ballots_in_node(
        stored.election,
        [(identifiers.of(elector), vote) for elector, vote in zip(voters, votes, strict=True)],
    )

    for index, (elector, result) in enumerate(zip(voters, answer["results"], strict=True)):
        client = Client()
        client.force_login(make_account(elector))
        response = client.post(
            reverse("voting:api_cast", args=[stored.uuid]),
            {"ballot": result["text"], "submission": f"booth-js-ballot-{index:04d}"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["tracker"] == result["tracker"]

    stored.refresh_from_db()
    assert stored.ballot_count == 4
    path = tmp_path / f"{stored.uuid}.bel"
    path.write_bytes(b"".join(setup.archive_chunks(stored)))
    assert verify_archive(path).ballots == 4
    run_tool("election", "verify", "--dir", str(tmp_path))

"""The public board: anyone, without an account, sees each scrutin's election, the trackers of the
accepted ballots, downloads its archive at any moment and verifies it (urne verify, --since,
belenios-tool), and checks that their own ballot is in the urn — and never sees an elector."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_elector
from tests.crypto.belenios_tool import run_tool
from tests.voting.conftest import LIST_TITLES, Identifiers, SealScrutins, cast
from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
from urne.cli.protocol import main as protocol_main
from urne.crypto.archive import Chain, EventType, scan
from urne.crypto.verifier import VerificationFailed, verify_archive
from urne.voting import board
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


@pytest.fixture
def voter_alice(campaign: Campaign, dijon: Academy, csa_national: Scrutin) -> Elector:
    alice = make_elector(campaign, dijon, "Alice", "Bernard", civilite="MME")
    RollEntry.objects.create(scrutin=csa_national, elector=alice)
    return alice


@pytest.fixture
def sealed(
    elector_bob: Elector, voter_alice: Elector, csa_national: Scrutin, seal_scrutins: SealScrutins
) -> tuple[ScrutinElection, Identifiers]:
    identifiers = seal_scrutins(csa_national)
    return ScrutinElection.objects.get(scrutin=csa_national), identifiers


def download(client: Client, election: ScrutinElection, folder: Path, name: str) -> Path:
    response = client.get(reverse("voting:archive", args=[election.uuid, election.uuid]))
    assert response.status_code == 200
    path = folder / name / f"{election.uuid}.bel"
    path.parent.mkdir()
    path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    return path


def page_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- What anyone sees ----------------------------------------------------------------------------


def test_the_index_lists_the_sealed_scrutins_with_their_state_and_ballot_count(
    client: Client,
    sealed: tuple[ScrutinElection, Identifiers],
    elector_bob: Elector,
    capa_dijon: Scrutin,
) -> None:
    election, identifiers = sealed
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    text = page_text(client, reverse("voting:board_index"))
    assert "CSA ministériel de l&#x27;éducation nationale" in text
    assert "Vote en cours" in text
    assert "<td>1</td>" in text
    assert reverse("voting:board", args=[election.uuid]) in text
    # Not sealed: not on the board yet.
    assert capa_dijon.name not in text


def test_the_board_page_shows_the_election_and_how_to_verify_it(
    client: Client, sealed: tuple[ScrutinElection, Identifiers], elector_bob: Elector
) -> None:
    election, identifiers = sealed
    cast(election, elector_bob, identifiers.of(elector_bob), None)
    text = page_text(client, reverse("voting:board", args=[election.uuid]))
    positions = [text.index(f"<li>{title}</li>") for title in LIST_TITLES]
    assert positions == sorted(positions)
    assert election.uuid in text and election.fingerprint in text
    assert election.last_event in text
    assert f"urne verify {election.uuid}.bel --since {election.last_event}" in text
    assert "belenios-tool election verify --dir" in text
    assert "Le vote blanc est possible." in text
    assert "1 membre(s) du bureau de vote ; 1 doivent participer" in text
    assert "<dt>Électeurs appelés (certificats publics)</dt><dd>2</dd>" in text
    assert reverse("voting:archive", args=[election.uuid, election.uuid]) in text
    assert reverse("voting:lookup", args=[election.uuid]) in text


def test_board_pages_need_no_account_and_show_no_elector(
    client: Client,
    sealed: tuple[ScrutinElection, Identifiers],
    elector_bob: Elector,
    voter_alice: Elector,
) -> None:
    election, identifiers = sealed
    ballot = cast(election, elector_bob, identifiers.of(elector_bob), 1)
    cast(election, voter_alice, identifiers.of(voter_alice), 2)
    urls = [
        reverse("voting:board_index"),
        reverse("voting:board", args=[election.uuid]),
        reverse("voting:trackers", args=[election.uuid]),
        reverse("voting:trackers", args=[election.uuid]) + "?format=json",
        reverse("voting:lookup", args=[election.uuid]) + f"?tracker={ballot.tracker}",
    ]
    for url in urls:
        # Without the random tokens (CSRF, trackers, hashes), where "Bob" may turn up by chance.
        text = re.sub(r"[A-Za-z0-9+/=_-]{32,}", "", page_text(client, url))
        for personal in ("Bob", "Martin", "MARTIN", "Alice", "Bernard", "ac-dijon.fr", "Carnot"):
            assert personal not in text, (url, personal)


def test_the_board_answers_get_only(
    client: Client, sealed: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = sealed
    response = client.post(reverse("voting:board", args=[election.uuid]))
    assert response.status_code == 405


def test_an_unknown_or_unsealed_scrutin_has_no_board(
    client: Client, elector_bob: Elector, capa_dijon: Scrutin
) -> None:
    assert client.get(reverse("voting:board", args=["xxxxxxxxxxxxxx"])).status_code == 404
    from urne.voting import setup

    (unsealed, *_) = setup.do_prepare_elections(capa_dijon.campaign)
    assert client.get(reverse("voting:board", args=[unsealed.uuid])).status_code == 404


def test_election_json_is_the_exact_sealed_text(
    client: Client, sealed: tuple[ScrutinElection, Identifiers]
) -> None:
    election, _ = sealed
    response = client.get(reverse("voting:election_json", args=[election.uuid]))
    assert response.content.decode() == election.election
    assert response["Content-Type"].startswith("application/json")
    assert "immutable" in response["Cache-Control"]


# --- The archive, at any moment ------------------------------------------------------------------


def test_the_archive_passes_urne_verify_and_belenios_tool_and_only_grows(
    client: Client,
    sealed: tuple[ScrutinElection, Identifiers],
    elector_bob: Elector,
    voter_alice: Elector,
    tmp_path: Path,
) -> None:
    election, identifiers = sealed
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    before = download(client, election, tmp_path, "before")
    first = verify_archive(before, jobs=1)
    assert first.ballots == 1 and first.fingerprint == election.last_event
    run_tool("election", "verify", "--dir", str(before.parent))

    cast(election, voter_alice, identifiers.of(voter_alice), None)
    after = download(client, election, tmp_path, "after")
    later = verify_archive(after, jobs=1, earlier=first.fingerprint)
    assert later.ballots == 2 and later.fingerprint == election.last_event
    run_tool("election", "verify", "--dir", str(after.parent))

    # The earlier board does not hold the later one: it would have lost a ballot.
    with pytest.raises(VerificationFailed, match="does not continue"):
        verify_archive(before, jobs=1, earlier=later.fingerprint)


def test_a_board_that_dropped_a_ballot_fails_since(
    client: Client,
    sealed: tuple[ScrutinElection, Identifiers],
    elector_bob: Elector,
    voter_alice: Elector,
    tmp_path: Path,
) -> None:
    election, identifiers = sealed
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    seen = verify_archive(download(client, election, tmp_path, "seen"), jobs=1)
    second = cast(election, voter_alice, identifiers.of(voter_alice), 1)
    # A rewritten board: the setup, then Alice's ballot alone. On its own a valid archive...
    setup_bytes = bytes(election.setup_archive)
    chain = Chain(scan(io.BytesIO(setup_bytes)))
    data_hash, raw_data = chain.data(second.text)
    _event, raw_event = chain.event(EventType.BALLOT, data_hash)
    rewritten = tmp_path / "rewritten" / f"{election.uuid}.bel"
    rewritten.parent.mkdir()
    rewritten.write_bytes(setup_bytes + raw_data + raw_event)
    assert verify_archive(rewritten, jobs=1).ballots == 1
    # ... which the fingerprint noted earlier unmasks.
    with pytest.raises(VerificationFailed):
        verify_archive(rewritten, jobs=1, earlier=seen.fingerprint)


def test_urne_verify_since_on_the_command_line(
    client: Client,
    sealed: tuple[ScrutinElection, Identifiers],
    elector_bob: Elector,
    voter_alice: Elector,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    election, identifiers = sealed
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    noted = election.last_event
    before = download(client, election, tmp_path, "before")
    cast(election, voter_alice, identifiers.of(voter_alice), 2)
    after = download(client, election, tmp_path, "after")

    assert protocol_main("verify", [str(after), "--since", noted, "--jobs", "1"]) == 0
    out, _err = capsys.readouterr()
    assert election.last_event in out

    code = protocol_main("verify", [str(before), "--since", election.last_event, "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code != 0
    assert "does not continue" in out + err


def test_the_archive_is_an_attachment_revalidated_by_its_fingerprint(
    client: Client, sealed: tuple[ScrutinElection, Identifiers], elector_bob: Elector
) -> None:
    election, identifiers = sealed
    url = reverse("voting:archive", args=[election.uuid, election.uuid])
    response = client.get(url)
    assert response["Content-Disposition"] == f'attachment; filename="{election.uuid}.bel"'
    assert response["Content-Type"] in ("application/x-tar", "application/octet-stream")
    assert response["Urne-Fingerprint"] == election.last_event
    etag = response["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    assert client.get(url, headers={"if-none-match": etag}).status_code == 200
    assert client.get(reverse("voting:archive", args=[election.uuid, "other"])).status_code == 404


# --- The trackers --------------------------------------------------------------------------------


@dataclass
class Rolled:
    """Four electors on the national CSA's roll, its election sealed: three vote at once
    (`three_ballots`), the fourth whenever a test wants."""

    election: ScrutinElection
    electors: list[Elector]
    identifiers: Identifiers


@pytest.fixture
def four_on_roll(
    campaign: Campaign,
    dijon: Academy,
    csa_national: Scrutin,
    seal_scrutins: SealScrutins,
) -> Rolled:
    electors = [make_elector(campaign, dijon, "Votant", f"N{index}") for index in range(4)]
    for elector in electors:
        RollEntry.objects.create(scrutin=csa_national, elector=elector)
    identifiers = seal_scrutins(csa_national)
    return Rolled(ScrutinElection.objects.get(scrutin=csa_national), electors, identifiers)


@pytest.fixture
def three_ballots(four_on_roll: Rolled) -> tuple[ScrutinElection, list[str]]:
    election, identifiers = four_on_roll.election, four_on_roll.identifiers
    trackers = [
        cast(election, elector, identifiers.of(elector), index).tracker
        for index, elector in enumerate(four_on_roll.electors[:3])
    ]
    return election, trackers


def test_the_trackers_come_newest_first_in_pages_and_in_json(
    client: Client,
    three_ballots: tuple[ScrutinElection, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    election, trackers = three_ballots
    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    url = reverse("voting:trackers", args=[election.uuid])
    first = client.get(url, {"format": "json"}).json()
    assert first["ballots"] == [trackers[2], trackers[1]]
    assert first["count"] == 3
    second = client.get(first["next"]).json()
    assert second == {"ballots": [trackers[0]], "count": 3, "next": None}

    oldest = client.get(url, {"format": "json", "ordre": "anciens"}).json()
    assert oldest["ballots"] == trackers[:2]
    assert client.get(oldest["next"]).json()["ballots"] == [trackers[2]]

    text = page_text(client, url)
    assert text.index(trackers[2]) < text.index(trackers[1])
    assert trackers[0] not in text
    assert "Page suivante de la liste des bulletins" in text
    assert "<caption>Bulletins acceptés, du plus récent au plus ancien</caption>" in text


def test_a_page_address_that_is_not_a_number_is_refused(
    client: Client, three_ballots: tuple[ScrutinElection, list[str]]
) -> None:
    election, _ = three_ballots
    response = client.get(reverse("voting:trackers", args=[election.uuid]), {"depuis": "x"})
    assert response.status_code == 400


def test_a_ballot_arriving_between_two_pages_neither_shifts_nor_repeats_a_line(
    client: Client,
    four_on_roll: Rolled,
    three_ballots: tuple[ScrutinElection, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    election, trackers = three_ballots
    monkeypatch.setattr(board, "PAGE_SIZE", 2)
    url = reverse("voting:trackers", args=[election.uuid])
    first = client.get(url, {"format": "json"}).json()
    late = four_on_roll.electors[3]
    cast(election, late, four_on_roll.identifiers.of(late), 0)
    second = client.get(first["next"]).json()
    assert second["ballots"] == [trackers[0]]
    assert second["count"] == 4


# --- « Vérifier mon bulletin » -------------------------------------------------------------------


def test_a_voter_finds_their_ballot_by_its_tracker(
    client: Client, three_ballots: tuple[ScrutinElection, list[str]]
) -> None:
    election, trackers = three_ballots
    url = reverse("voting:lookup", args=[election.uuid])
    text = page_text(client, f"{url}?tracker=%20{trackers[1].replace('+', '%2B')}%20")
    assert "Ce bulletin est dans l'urne, n° 2." in text


def test_an_unknown_tracker_is_not_in_the_urn(
    client: Client, three_ballots: tuple[ScrutinElection, list[str]]
) -> None:
    election, _ = three_ballots
    response = client.get(reverse("voting:lookup", args=[election.uuid]), {"tracker": "A" * 43})
    assert response.status_code == 200
    assert "Aucun bulletin avec cette empreinte" in response.content.decode()


@pytest.mark.parametrize(
    "typed",
    ["", "A" * 42, "A" * 44, "A" * 42 + "=", "A" * 42 + "é", "<script>" + "A" * 35, "A" * 42 + "-"],
)
def test_what_cannot_be_a_tracker_is_refused_with_a_clear_message(
    client: Client, three_ballots: tuple[ScrutinElection, list[str]], typed: str
) -> None:
    election, _ = three_ballots
    response = client.get(reverse("voting:lookup", args=[election.uuid]), {"tracker": typed})
    assert response.status_code == 400
    text = response.content.decode()
    assert "une empreinte de bulletin compte exactement 43 caractères" in text
    assert 'aria-invalid="true"' in text
    assert "<script>" not in text


def test_the_lookup_form_alone_is_shown_before_any_search(
    client: Client, three_ballots: tuple[ScrutinElection, list[str]]
) -> None:
    election, _ = three_ballots
    text = page_text(client, reverse("voting:lookup", args=[election.uuid]))
    assert '<label for="tracker">Empreinte du bulletin</label>' in text
    assert "dans l'urne, n°" not in text


def test_the_site_and_the_scrutin_page_link_to_the_board(
    client: Client, sealed: tuple[ScrutinElection, Identifiers], voter_bob: object
) -> None:
    election, _ = sealed
    client.force_login(voter_bob)  # type: ignore[arg-type]
    text = page_text(client, reverse("campaign:scrutin", args=[election.scrutin.code]))
    assert reverse("voting:board", args=[election.uuid]) in text
    assert reverse("voting:board_index") in text


def test_trackers_json_is_public_and_briefly_cached(
    client: Client, three_ballots: tuple[ScrutinElection, list[str]]
) -> None:
    election, _ = three_ballots
    response = client.get(reverse("voting:trackers", args=[election.uuid]), {"format": "json"})
    assert "public" in response["Cache-Control"]
    assert json.loads(response.content)["count"] == 3


def test_an_archive_being_downloaded_while_a_ballot_arrives_stays_whole(
    client: Client,
    sealed: tuple[ScrutinElection, Identifiers],
    elector_bob: Elector,
    voter_alice: Elector,
    tmp_path: Path,
) -> None:
    election, identifiers = sealed
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    response = client.get(reverse("voting:archive", args=[election.uuid, election.uuid]))
    chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
    first = next(chunks)
    cast(election, voter_alice, identifiers.of(voter_alice), 1)
    path = tmp_path / f"{election.uuid}.bel"
    path.write_bytes(first + b"".join(chunks))
    summary = verify_archive(path, jobs=1)
    assert summary.ballots == 1
    assert summary.fingerprint == response["Urne-Fingerprint"] != election.last_event

"""Scrutins become Belenios elections: prepare, trustees, credentials, seal, the board's start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import make_campaign, reschedule
from tests.crypto.belenios_tool import run_tool
from tests.voting.conftest import LIST_TITLES, SealScrutins, add_lists
from urne.campaign.models import Elector, Scrutin
from urne.crypto.election import read_election
from urne.crypto.verifier import verify_archive
from urne.voting import setup
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


def write_board(election: ScrutinElection, folder: Path) -> Path:
    path = folder / f"{election.uuid}.bel"
    path.write_bytes(b"".join(setup.archive_chunks(election)))
    return path


def test_a_sealed_scrutin_is_one_question_of_its_lists_in_order_blank_allowed(
    elector_bob: Elector, csa_national: Scrutin, seal_scrutins: SealScrutins
) -> None:
    seal_scrutins(csa_national)
    election = read_election(ScrutinElection.objects.get(scrutin=csa_national).election)
    (question,) = election.questions
    assert question.answers == LIST_TITLES
    assert question.allows_blank
    assert (question.min, question.max) == (1, 1)
    assert election.name == csa_national.name


def test_the_board_of_a_sealed_scrutin_passes_urne_verify_and_belenios_tool(
    elector_bob: Elector, csa_national: Scrutin, seal_scrutins: SealScrutins, tmp_path: Path
) -> None:
    seal_scrutins(csa_national)
    election = ScrutinElection.objects.get(scrutin=csa_national)
    path = write_board(election, tmp_path)
    summary = verify_archive(path)
    assert summary.ballots == 0
    run_tool("election", "verify", "--dir", str(tmp_path))


def test_sealing_says_what_is_missing_and_changes_nothing(
    elector_bob: Elector, csa_national: Scrutin
) -> None:
    reschedule(csa_national.campaign, vote_opens_at=timezone.now() + timedelta(days=1))
    (election,) = setup.do_prepare_elections(csa_national.campaign)[:1]
    with pytest.raises(setup.SetupRefused) as refused:
        setup.do_seal_election(csa_national)
    message = str(refused.value.message)
    assert "autorités de déchiffrement" in message
    assert "liste" in message
    assert "certificats publics de 1 électeur" in message
    election.refresh_from_db()
    assert not election.is_sealed and election.setup_archive == b""


def test_a_sealed_election_and_its_trustees_never_change(
    elector_bob: Elector, csa_national: Scrutin, seal_scrutins: SealScrutins, trustees_text: str
) -> None:
    seal_scrutins(csa_national)
    before = ScrutinElection.objects.get(scrutin=csa_national)
    with pytest.raises(setup.SetupRefused, match="scellée"):
        setup.do_set_trustees(csa_national, trustees_text)
    with pytest.raises(setup.SetupRefused, match="scellée"):
        setup.do_seal_election(csa_national)
    after = ScrutinElection.objects.get(scrutin=csa_national)
    assert bytes(after.setup_archive) == bytes(before.setup_archive)


def test_trustees_whose_proof_fails_are_refused(csa_national: Scrutin, trustees_text: str) -> None:
    setup.do_prepare_elections(csa_national.campaign)
    forged = trustees_text.replace('"challenge":"', '"challenge":"1', 1)
    with pytest.raises(setup.SetupRefused, match="refusé"):
        setup.do_set_trustees(csa_national, forged)
    with pytest.raises(setup.SetupRefused, match="refusé"):
        setup.do_set_trustees(csa_national, "pas du json")
    assert ScrutinElection.objects.get(scrutin=csa_national).trustees == ""


def test_prepare_gives_each_scrutin_one_uuid_once() -> None:
    campaign = make_campaign()
    for code in ("a", "b"):
        Scrutin.objects.create(
            campaign=campaign, code=code, name=code, level="national", kind="CSA", seats=1
        )
    first = {e.scrutin.code: e.uuid for e in setup.do_prepare_elections(campaign)}
    assert set(first) == {"a", "b"} and len(set(first.values())) == 2
    assert setup.do_prepare_elections(campaign) == []
    add_lists(Scrutin.objects.get(code="a"))

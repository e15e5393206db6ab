"""What the bureau may upload, and what is refused with a French message, changing nothing: a
partial decryption that does not verify (forged, made for another scrutin), one uploaded twice
for a trustee, before the tally, after the result; too few, or the wrong mix of two groups; a
second result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import make_academy
from tests.counting.conftest import Bureau, fresh, run_vote
from tests.counting.test_count import CHOICES, board_folder, close_and_tally, urne_decrypt
from urne.campaign.models import Academy, Scrutin
from urne.counting import closing, decryption
from urne.crypto.jsonio import dumps, loads
from urne.voting.models import CountingEvent, ScrutinElection

pytestmark = pytest.mark.django_db

Travel = Callable[[datetime], None]


def board_state(election: ScrutinElection) -> tuple[object, ...]:
    head = fresh(election)
    return (
        head.last_event,
        head.height,
        tuple(CountingEvent.objects.filter(election=election).values_list("kind", "owner")),
    )


def refused(election: ScrutinElection, text: str) -> str:
    """Upload `text`: it must be refused and change nothing; the message."""
    before = board_state(election)
    with pytest.raises(closing.CountingRefused) as error:
        decryption.do_accept_partial_decryption(fresh(election), text, None)
    assert board_state(election) == before
    return str(error.value.message)


@pytest.fixture
def tallied(
    csa_national: Scrutin, dijon: Academy, threshold_bureau: Bureau, travel: Travel
) -> ScrutinElection:
    return close_and_tally(run_vote(csa_national, dijon, threshold_bureau, CHOICES), travel)


def test_before_the_tally_nothing_is_accepted(
    csa_national: Scrutin,
    dijon: Academy,
    threshold_bureau: Bureau,
    travel: Travel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    election = run_vote(csa_national, dijon, threshold_bureau, (0,))
    message = refused(election, '{"decryption_factors": [], "decryption_proofs": []}')
    assert "pas encore publié" in message
    travel(election.scrutin.campaign.vote_closes_at)
    closing.do_close_election(election)  # closed, the tally not computed yet
    assert "pas encore publié" in refused(election, "{}")


def test_unreadable_forged_and_twice_are_refused(
    tallied: ScrutinElection,
    threshold_bureau: Bureau,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = board_folder(tallied.scrutin, tmp_path, "tallied")
    good = urne_decrypt(folder, threshold_bureau.keys[2], capsys)
    assert "pas un déchiffrement partiel lisible" in refused(tallied, "bonjour")
    assert "pas un déchiffrement partiel lisible" in refused(tallied, "")

    # Forged: one decryption factor changed, its proof kept.
    partial, owned = good.splitlines()
    value = loads(partial)
    value["decryption_factors"][0][1] = value["decryption_factors"][0][0]
    assert "ne se vérifie pas" in refused(tallied, dumps(value))
    # The forged first line with the tool's second line: the lines do not go together.
    assert "ne vont pas ensemble" in refused(tallied, dumps(value) + "\n" + owned)
    # A trustee number the scrutin does not have.
    other = loads(owned)
    other["owner"] = 9
    assert "autorité n° 9" in refused(tallied, partial + "\n" + dumps(other))

    accepted = decryption.do_accept_partial_decryption(tallied, good, None)
    assert accepted.owner == 2
    # Twice: with its owner line, or the partial alone.
    assert "déjà déposé" in refused(tallied, good)
    assert "déjà déposé" in refused(tallied, partial)


def test_a_partial_decryption_for_another_scrutin_is_refused(
    csa_national: Scrutin,
    capa_dijon: Scrutin,
    dijon: Academy,
    threshold_bureau: Bureau,
    travel: Travel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Same bureau, same keys, another scrutin's tally: its proofs do not hold here."""
    besancon = make_academy(capa_dijon.campaign, "Besancon", "03.81.65.47.00")
    here = run_vote(csa_national, dijon, threshold_bureau, CHOICES)
    other = run_vote(capa_dijon, besancon, threshold_bureau, (1, 2))
    here = close_and_tally(here, travel)
    other = close_and_tally(other, travel)
    folder = board_folder(other.scrutin, tmp_path, "other")
    theirs = urne_decrypt(folder, threshold_bureau.keys[1], capsys)
    assert "ne se vérifie pas" in refused(here, theirs)
    assert "ne se vérifie pas" in refused(here, theirs.splitlines()[0])


def test_after_the_result_nothing_more_and_no_second_result(
    tallied: ScrutinElection,
    threshold_bureau: Bureau,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = board_folder(tallied.scrutin, tmp_path, "tallied")
    shares = {j: urne_decrypt(folder, threshold_bureau.keys[j], capsys) for j in (1, 2, 3)}
    decryption.do_accept_partial_decryption(tallied, shares[1], None)
    decryption.do_accept_partial_decryption(fresh(tallied), shares[2], None)
    assert decryption.scrutin_result(tallied) is not None
    assert "déjà publié" in refused(tallied, shares[3])
    before = board_state(tallied)
    with pytest.raises(closing.CountingRefused) as error:
        decryption.do_publish_result(fresh(tallied), None)
    assert "déjà publié" in str(error.value.message)
    assert board_state(tallied) == before


def test_too_few_or_the_wrong_mix_of_two_groups_gives_no_result(
    csa_national: Scrutin,
    dijon: Academy,
    two_groups_bureau: Bureau,
    travel: Travel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Trustees 1-2 form a group of which 1 is needed, 3-5 one of which 2 are: the whole
    second group without the first, or the first with one delegate, decrypt nothing."""
    election = close_and_tally(run_vote(csa_national, dijon, two_groups_bureau, CHOICES), travel)
    folder = board_folder(csa_national, tmp_path, "tallied")
    shares = {j: urne_decrypt(folder, two_groups_bureau.keys[j], capsys) for j in (1, 3, 4, 5)}
    # The tool's owner lines name the trustees as the combined structure numbers them.
    assert [loads(shares[j].splitlines()[1])["owner"] for j in (1, 3, 4, 5)] == [1, 3, 4, 5]

    with pytest.raises(closing.CountingRefused) as error:
        decryption.do_publish_result(election, None)
    assert "groupe n° 1" in str(error.value.message)

    for j in (3, 4, 5):  # every delegate, neither the president nor the secretary
        decryption.do_accept_partial_decryption(fresh(election), shares[j], None)
    assert decryption.scrutin_result(election) is None
    before = board_state(election)
    with pytest.raises(closing.CountingRefused) as error:
        decryption.do_publish_result(fresh(election), None)
    message = str(error.value.message)
    assert "le groupe n° 1 : 0 déchiffrement(s) reçu(s) pour 1 nécessaire(s)" in message
    assert "Rien n'a été changé" in message
    assert board_state(election) == before
    status = decryption.decryption_status(election)
    assert [(item.needed, item.sent) for item in status.items] == [(1, ()), (2, (3, 4, 5))]

    decryption.do_accept_partial_decryption(fresh(election), shares[1], None)
    result = decryption.scrutin_result(election)
    assert result is not None
    assert [item.votes for item in result.lists] == [2, 1, 0]


def test_one_group_complete_and_the_other_short_is_refused(
    csa_national: Scrutin,
    dijon: Academy,
    two_groups_bureau: Bureau,
    travel: Travel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    election = close_and_tally(run_vote(csa_national, dijon, two_groups_bureau, (0,)), travel)
    folder = board_folder(csa_national, tmp_path, "tallied")
    for j in (2, 4):  # the secretary and one delegate of the two needed
        share = urne_decrypt(folder, two_groups_bureau.keys[j], capsys)
        decryption.do_accept_partial_decryption(fresh(election), share, None)
    assert decryption.scrutin_result(election) is None
    with pytest.raises(closing.CountingRefused) as error:
        decryption.do_publish_result(fresh(election), None)
    assert (
        "le groupe n° 2 : 1 déchiffrement(s) reçu(s) pour 2 nécessaire(s), il en manque 1"
        in str(error.value.message)
    )

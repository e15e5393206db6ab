"""The results read from a scrutin's own board: nothing before the Result, its counts after."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.voting.conftest import SealScrutins, cast
from urne.campaign.models import Scrutin
from urne.counting import results
from urne.voting.models import ScrutinElection

pytestmark = pytest.mark.django_db


def test_no_result_while_the_board_holds_only_ballots(
    csa_national: Scrutin, elector_bob, seal_scrutins: SealScrutins, travel
):
    identifiers = seal_scrutins(csa_national)
    election = ScrutinElection.objects.get(scrutin=csa_national)
    cast(election, elector_bob, identifiers.of(elector_bob), 0)
    assert results.result_counts(election) is None
    # Closed, but no Result appended yet: the archive is read, and holds none.
    travel(csa_national.campaign.vote_closes_at + timedelta(seconds=1))
    assert results.result_counts(election) is None
    assert results.figures_of(csa_national) is None
    assert not results.is_proclaimed(csa_national)


def test_no_result_for_a_scrutin_not_sealed(csa_national: Scrutin):
    assert results.figures_of(csa_national) is None
    assert not results.is_proclaimed(csa_national)


def test_the_figures_come_from_the_archives_result(decided: Scrutin):
    election = ScrutinElection.objects.get(scrutin=decided)
    counts = results.result_counts(election)
    assert counts is not None
    # Votes: FSU, FSU, UNSA, blank.
    assert (counts.blank, counts.lists, counts.tallied) == (1, (2, 1, 0), 4)
    assert counts.answers == ("Liste FSU", "Liste UNSA Éducation", "Liste SGEN-CFDT")
    assert counts.fingerprint == election.last_event
    figures = results.figures_of(decided)
    assert figures is not None
    # 5 inscrits, 4 votants, 1 blanc, 0 nul, 3 exprimés; 3 seats, quotient 3 / 3 = 1:
    # FSU ⌊2 / 1⌋ = 2, UNSA ⌊1 / 1⌋ = 1, SGEN 0.
    assert (figures.inscrits, figures.votants, figures.blancs, figures.nuls) == (5, 4, 1, 0)
    assert figures.exprimes == 3
    assert [entry.titulaires for entry in figures.lists] == [2, 1, 0]
    assert figures.lists[0].elected_titulaires == ("Anne ARNAUD", "Bruno BLANC")
    assert figures.lists[0].elected_suppleants == ("Chloé CHEN", "Denis DURAND")
    assert figures.lists[1].elected_titulaires == ("Ève EMERY",)
    assert figures.lists[1].elected_suppleants == ("Fanny FAURE",)
    assert figures.lists[0].unions == (("FSU", None),)
    # Counted, not proclaimed: the bureau has not published it.
    assert not results.is_proclaimed(decided)


def test_lists_changed_after_the_seal_are_refused(decided: Scrutin):
    first = decided.lists.get(title="Liste FSU")
    first.title = "Liste FSU renommée"
    first.save(update_fields=["title"])
    with pytest.raises(results.ResultsError, match="ne sont plus celles"):
        results.figures_of(decided)


def test_a_board_whose_result_does_not_verify_shows_no_result(
    decided: Scrutin, monkeypatch: pytest.MonkeyPatch
):
    from urne.voting import setup

    election = ScrutinElection.objects.get(scrutin=decided)
    honest = setup.archive_chunks

    def forged(election: ScrutinElection):
        whole = b"".join(honest(election))
        # One byte of the Result's data changed: its name (its hash) no longer matches.
        where = whole.rfind(b'{"result":[[')
        yield whole[: where + 12] + b"7" + whole[where + 13 :]

    monkeypatch.setattr(setup, "archive_chunks", forged)
    ScrutinElection.objects.filter(pk=election.pk).update(last_event="0" * 64)
    with pytest.raises(results.ResultsError, match="ne se vérifie pas"):
        results.figures_of(decided)
    row = results.scrutin_row(decided)
    assert row.figures is None and "ne se vérifie pas" in row.error

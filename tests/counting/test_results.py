"""A scrutin's figures from its decrypted counts, worked by hand in the comments, and the counts
read from a Belenios archive made by the protocol core."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from tests.crypto.simulated import simulated
from urne.counting.results import (
    BLANK_INDEX,
    ListData,
    ResultCounts,
    ResultsError,
    ScrutinData,
    aggregate,
    aggregate_by,
    counts_of_result,
    percent,
    read_result,
    scrutin_figures,
    thousands,
)
from urne.crypto.simulate import Stage, write_simulation
from urne.crypto.tally import Result

# The circulaire of 29 September 1995's example (3 seats, lists 11 / 6 / 4), with 2 blank
# ballots and 40 electors on the roll. List A has four names, B one, C two (filed jointly by
# two unions, 75 % / 25 %).
CIRCULAIRE = ScrutinData(
    code="csa-exemple",
    name="CSA de l'exemple",
    seats=3,
    inscrits=40,
    lists=(
        ListData(
            "Liste A", (("SA", None),), ("Anne ARNAUD", "Bruno BLANC", "Chloé CHEN", "Denis DURAND")
        ),
        ListData("Liste B", (("SB", None),), ("Ève EMERY",)),
        ListData(
            "Liste C", (("SC", Decimal("75")), ("SD", Decimal("25"))), ("Fanny FAURE", "Gilles GAY")
        ),
    ),
    academy="Dijon",
)


def test_the_figures_of_a_scrutin_worked_by_hand():
    # The Result row, blank first: [2, 11, 6, 4]; 23 ballots tallied.
    counts = counts_of_result(Result(((2, 11, 6, 4),)), tallied=23)
    assert counts == ResultCounts(blank=2, lists=(11, 6, 4), tallied=23)
    figures = scrutin_figures(CIRCULAIRE, counts)
    # inscrits 40, votants 23, blancs 2, nuls 0 (the box refuses invalid ballots),
    # exprimés 23 − 2 − 0 = 21, turnout 23 / 40 = 57.50 %.
    assert (figures.inscrits, figures.votants, figures.blancs, figures.nuls) == (40, 23, 2, 0)
    assert figures.exprimes == 21
    assert figures.turnout == Fraction(23, 40)
    assert percent(figures.turnout) == "57,50\u00a0%"
    # Shares: A 11 / 21 = 52.38 %, B 6 / 21 = 28.57 %, C 4 / 21 = 19.05 %.
    assert [percent(entry.share) for entry in figures.lists] == [
        "52,38\u00a0%",
        "28,57\u00a0%",
        "19,05\u00a0%",
    ]
    # Quotient 21 / 3 = 7: A ⌊11 / 7⌋ = 1, B 0, C 0. Two seats left by the highest average:
    # A 11 / 2 = 5.5, B 6 / 1 = 6, C 4 / 1 = 4 → B; then A 5.5, B 6 / 2 = 3, C 4 → A.
    assert figures.allocation.quotient == 7
    assert [entry.titulaires for entry in figures.lists] == [2, 1, 0]
    # Suppléants: as many as titulaires, the names after them; B has no second name.
    assert figures.lists[0].elected_titulaires == ("Anne ARNAUD", "Bruno BLANC")
    assert figures.lists[0].elected_suppleants == ("Chloé CHEN", "Denis DURAND")
    assert figures.lists[1].elected_titulaires == ("Ève EMERY",)
    assert figures.lists[1].elected_suppleants == ()
    assert figures.result.unfilled_suppleants == 1
    assert figures.complete


def test_the_blank_count_comes_first_in_a_belenios_result():
    assert BLANK_INDEX == 0
    counts = counts_of_result(Result(((5, 1, 2),)), tallied=8)
    assert (counts.blank, counts.lists) == (5, (1, 2))


def test_counts_that_do_not_add_up_are_refused():
    # 2 + 11 + 6 + 4 = 23, not 24.
    with pytest.raises(ResultsError, match="ne s'additionne pas"):
        counts_of_result(Result(((2, 11, 6, 4),)), tallied=24)


def test_counts_for_other_lists_than_the_scrutins_are_refused():
    counts = ResultCounts(2, (11, 6, 4), 23, answers=("Liste A", "Liste C", "Liste B"))
    with pytest.raises(ResultsError, match="ne sont plus celles de son élection"):
        scrutin_figures(CIRCULAIRE, counts)
    with pytest.raises(ResultsError, match="compte 2 listes"):
        scrutin_figures(CIRCULAIRE, ResultCounts(2, (11, 10), 23))


def test_more_voters_than_electors_is_refused():
    small = ScrutinData("s", "S", 3, 20, CIRCULAIRE.lists)
    with pytest.raises(ResultsError, match="23 votants pour 20 inscrits"):
        scrutin_figures(small, ResultCounts(2, (11, 6, 4), 23))


def test_a_tie_waits_for_its_recorded_draw():
    # 1 seat, A 5 and B 5: equal averages and votes, one seat: a draw.
    data = ScrutinData("t", "T", 1, 10, (ListData("A"), ListData("B")))
    figures = scrutin_figures(data, ResultCounts(0, (5, 5), 10))
    assert not figures.complete
    assert figures.allocation.draw_needed is not None
    drawn = scrutin_figures(data, ResultCounts(0, (5, 5), 10), draw=["B", "A"])
    assert [entry.titulaires for entry in drawn.lists] == [0, 1]


def test_a_scrutin_with_only_blank_ballots():
    figures = scrutin_figures(CIRCULAIRE, ResultCounts(7, (0, 0, 0), 7))
    assert figures.exprimes == 0
    assert [entry.share for entry in figures.lists] == [None, None, None]


def test_aggregation_splits_joint_lists_by_their_key():
    # Dijon: the scrutin above (C's 4 votes: SC 3, SD 1).
    # Lyon: 2 seats, 10 inscrits, 1 blank; A 3 votes, C 4 votes (no key given there: not
    # possible for a joint list... here C is filed by SC alone), 8 votants.
    lyon = ScrutinData(
        "csa-lyon",
        "CSA de Lyon",
        2,
        10,
        (ListData("Liste A", (("SA", None),)), ListData("Liste C", (("SC", None),))),
        academy="Lyon",
    )
    dijon_figures = scrutin_figures(CIRCULAIRE, ResultCounts(2, (11, 6, 4), 23))
    lyon_figures = scrutin_figures(lyon, ResultCounts(1, (3, 4), 8))
    total = aggregate([dijon_figures, lyon_figures])
    # inscrits 40 + 10 = 50, votants 23 + 8 = 31, blancs 2 + 1, exprimés 21 + 7 = 28.
    assert (total.inscrits, total.votants, total.blancs, total.exprimes) == (50, 31, 3, 28)
    assert total.turnout == Fraction(31, 50)
    # SA 11 + 3 = 14, SB 6, SC 4 × 75 % + 4 = 7, SD 4 × 25 % = 1; 14 + 6 + 7 + 1 = 28.
    assert total.unions.votes == {
        "SA": Fraction(14),
        "SB": Fraction(6),
        "SC": Fraction(7),
        "SD": Fraction(1),
    }
    assert total.unions.share("SA") == Fraction(14, 28)
    by_academy = aggregate_by([dijon_figures, lyon_figures], lambda item: item.scrutin.academy)
    assert list(by_academy) == ["Dijon", "Lyon"]
    assert by_academy["Lyon"].unions.votes == {"SA": 3, "SC": 4}
    assert by_academy["Dijon"].turnout == Fraction(23, 40)


def test_a_list_without_union_counts_under_its_title():
    data = ScrutinData("x", "X", 1, 3, (ListData("Liste libre"),))
    total = aggregate([scrutin_figures(data, ResultCounts(0, (3,), 3))])
    assert total.unions.votes == {"Liste libre": 3}


def test_french_numbers():
    assert thousands(957034) == "957\u202f034"
    assert percent(None) == "—"


# --- the archive ---------------------------------------------------------------------------------


def test_the_counts_are_read_from_a_finished_archive(tmp_path: Path):
    election = simulated(voters=6, lists=3, blank=True)
    path = tmp_path / "tallied.bel"
    write_simulation(election, path, Stage.TALLIED)
    with path.open("rb") as stream:
        counts = read_result(stream)
    assert counts is not None
    (row,) = election.expected.counts
    assert (counts.blank, *counts.lists) == row
    assert counts.tallied == 6
    assert counts.answers == election.election.questions[0].answers
    # The fingerprint is the last event's hash: the Result's.
    with path.open("rb") as stream:
        from urne.crypto.archive import ArchiveReader

        last = list(ArchiveReader(stream).events())[-1]
    assert counts.fingerprint == last.hash


@pytest.mark.parametrize("stage", [Stage.OPEN, Stage.CLOSED])
def test_no_counts_before_the_result(tmp_path: Path, stage: Stage):
    path = tmp_path / f"{stage.value}.bel"
    write_simulation(simulated(voters=6, lists=3, blank=True), path, stage)
    with path.open("rb") as stream:
        assert read_result(stream) is None


def test_a_tampered_archive_is_refused(tmp_path: Path):
    from urne.crypto.archive import InvalidArchive

    path = tmp_path / "tampered.bel"
    write_simulation(simulated(voters=6, lists=3, blank=True), path, Stage.TALLIED)
    raw = bytearray(path.read_bytes())
    where = raw.rfind(b'{"result":[[')
    raw[where + 12] = ord("9") if raw[where + 12] != ord("9") else ord("8")
    path.write_bytes(bytes(raw))
    with path.open("rb") as stream, pytest.raises(InvalidArchive):
        read_result(stream)


def test_the_overview_takes_the_national_csa_and_each_academys_csa():
    from urne.campaign.models import Scrutin
    from urne.counting.results import ScrutinRow, overview

    def row(code: str, kind: str, level: str, academy: str | None, counts: ResultCounts):
        data = ScrutinData(
            code, code, 1, 10, (ListData("Liste A", (("SA", None),)),), academy, kind, level
        )
        return ScrutinRow(Scrutin(code=code), scrutin_figures(data, counts))

    rows = [
        row("csa-men", "CSA", "national", None, ResultCounts(1, (5,), 6)),
        row("capa-dijon", "CAP", "academic", "Dijon", ResultCounts(0, (9,), 9)),  # not a CSA
        row("csa-dijon", "CSA", "academic", "Dijon", ResultCounts(0, (4,), 4)),
        row("csa-lyon", "CSA", "academic", "Lyon", ResultCounts(0, (2,), 2)),
        ScrutinRow(Scrutin(code="csa-aix"), None),  # not counted yet
    ]
    summary = overview(rows)
    assert summary.national is not None
    assert (summary.national.votants, summary.national.exprimes) == (6, 5)
    # Dijon: its CSA only (4 votants of 10), not its CAPA.
    assert {name: total.votants for name, total in summary.academies.items()} == {
        "Dijon": 4,
        "Lyon": 2,
    }


def test_the_exports_of_the_worked_example():
    from urne.counting.results import figures_csv_rows, figures_json, unions_text

    figures = scrutin_figures(CIRCULAIRE, ResultCounts(2, (11, 6, 4), 23))
    # The joint list prints its key; a list of one union, the union alone.
    assert unions_text(figures.lists[2]) == "SC (75 %), SD (25 %)"
    assert unions_text(figures.lists[0]) == "SA"
    rows = figures_csv_rows(figures)
    assert rows[1] == ["Votants", "", "", 23, "57,50", "", "", "", ""]
    assert rows[5][:7] == ["Liste", "Liste A", "SA", 11, "52,38", 2, 2]
    data = figures_json(figures)
    assert data["quotient"] == "7"
    assert data["turnout"] == "23/40"
    assert data["unfilled_suppleants"] == 1  # B's second name is missing
    assert data["lists"][2]["unions"] == [
        {"union": "SC", "share": "75"},
        {"union": "SD", "share": "25"},
    ]
    assert data["lists"][1]["share"] == "2/7"  # 6 / 21
    assert data["lists"][1]["share_percent"] == "28.57"

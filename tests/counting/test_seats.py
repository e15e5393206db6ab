"""The seat rule, worked example by worked example: the arithmetic of each is in its comments,
so that a reader can check it by hand (docs/seats.md states the rule and its sources)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from urne.counting.seats import (
    JointList,
    ListEntry,
    Reason,
    ScrutinVotes,
    SeatsError,
    ShortListRule,
    Tie,
    allocate,
    count_scrutin,
    decimal,
    designate_by_grade,
    fraction_text,
    representativeness,
    representativeness_by,
    split_votes,
)

# --- the quotient --------------------------------------------------------------------------------


def test_every_seat_goes_by_the_quotient_when_the_votes_divide_exactly():
    # 6 seats, exprimés 60 + 40 + 20 = 120; quotient 120 / 6 = 20.
    # A: ⌊60 / 20⌋ = 3; B: ⌊40 / 20⌋ = 2; C: ⌊20 / 20⌋ = 1; 3 + 2 + 1 = 6: no seat left.
    allocation = allocate(6, {"A": 60, "B": 40, "C": 20})
    assert allocation.quotient == 20
    assert allocation.by_quotient == {"A": 3, "B": 2, "C": 1}
    assert allocation.titulaires == {"A": 3, "B": 2, "C": 1}
    assert allocation.steps == ()
    assert allocation.complete


def test_the_quotient_is_exact_and_never_rounded():
    # 10 seats, exprimés 263: quotient 263 / 10 = 26.3 (kept as 263/10, not 26).
    # A = 79: ⌊79 / 26.3⌋ = ⌊3.003…⌋ = 3. A quotient rounded down to 26 would give
    # ⌊79 / 26⌋ = 3 too, but B = 184: ⌊184 / 26.3⌋ = ⌊6.996…⌋ = 6, where ⌊184 / 26⌋ = 7.
    allocation = allocate(10, {"A": 79, "B": 184})
    assert allocation.quotient == Fraction(263, 10)
    assert allocation.by_quotient == {"A": 3, "B": 6}
    # 1 seat left: A 79 / 4 = 19.75, B 184 / 7 = 26.28…: B.
    assert allocation.titulaires == {"A": 3, "B": 7}


# --- the highest average -------------------------------------------------------------------------


def test_the_seats_left_go_one_by_one_to_the_highest_average():
    # The figures of the example of the circulaire of 29 September 1995 (7.2), which also
    # computes with a quotient then the highest average: 3 seats, exprimés 11 + 6 + 4 = 21.
    # Quotient 21 / 3 = 7. X: ⌊11 / 7⌋ = 1; Y: ⌊6 / 7⌋ = 0; Z: ⌊4 / 7⌋ = 0. 2 seats left.
    # Seat 2: averages X 11 / (1 + 1) = 5.5, Y 6 / (0 + 1) = 6, Z 4 / 1 = 4: Y.
    # Seat 3: X 5.5, Y 6 / (1 + 1) = 3, Z 4: X.
    allocation = allocate(3, [("X", 11), ("Y", 6), ("Z", 4)])
    assert allocation.quotient == 7
    assert allocation.by_quotient == {"X": 1, "Y": 0, "Z": 0}
    assert [(step.seat, step.list, step.average) for step in allocation.steps] == [
        (2, "Y", 6),
        (3, "X", Fraction(11, 2)),
    ]
    assert allocation.titulaires == {"X": 2, "Y": 1, "Z": 0}
    assert allocation.by_average == {"X": 1, "Y": 1, "Z": 0}


def test_the_ministrys_comite_technique_of_2011_as_published():
    # Comité technique ministériel de l'Éducation nationale, October 2011, 15 seats; the
    # votes as published by ToutEduc, « Elections professionnelles : les résultats nationaux
    # dans l'Education nationale », 21 October 2011
    # (http://www.touteduc.fr/fr/archives/id-4450-...): 957,034 inscrits, 368,858 votants,
    # « près de 20 000 » blank or null, the lists' votes below (they add up to 349,339, the
    # exprimés: 368,858 − 349,339 = 19,519 blank or null). Published: FSU 7 seats, UNSA 4,
    # SGEN-CFDT, FO, CGT and SUD 1 each; FSU 40.62 %, UNSA 20.72 % (also Europe 1, « Elections :
    # FSU et Unsa confortés »).
    lists = [
        ListEntry("CGT", 22598),
        ListEntry("ASAMEN", 554),
        ListEntry("@venir.écoles CFE-CGC", 1717),
        ListEntry("STC", 1019),
        ListEntry("UNSA", 72397),
        ListEntry("SGEN-CFDT", 34907),
        ListEntry("UDAS", 879),
        ListEntry("FSU", 141914),
        ListEntry("SUD Education", 20241),
        ListEntry("CSEN-FGAF-FAEN-SCENRAC-CFTC", 16485),
        ListEntry("SNCA-EIL", 1383),
        ListEntry("FNEC-FP-FO", 35245),
    ]
    result = count_scrutin(15, lists, inscrits=957034, votants=368858, blancs=19519)
    # Quotient 349,339 / 15 = 23,289.27. FSU ⌊141,914 / 23,289.27⌋ = ⌊6.09⌋ = 6;
    # UNSA ⌊3.11⌋ = 3; FO ⌊1.51⌋ = 1; SGEN ⌊1.50⌋ = 1; CGT ⌊0.97⌋ = 0: 11 seats, 4 left.
    # Seat 12: CGT 22,598 / 1 = 22,598 (FSU 141,914 / 7 = 20,273.4; SUD 20,241; UNSA
    # 72,397 / 4 = 18,099.25; FO 35,245 / 2 = 17,622.5; SGEN 17,453.5; CSEN… 16,485).
    # Seat 13: FSU 20,273.4. Seat 14: SUD 20,241 (FSU now 141,914 / 8 = 17,739.25).
    # Seat 15: UNSA 18,099.25.
    allocation = result.allocation
    assert result.exprimes == 349339
    assert allocation.quotient == Fraction(349339, 15)
    assert [step.list for step in allocation.steps] == ["CGT", "FSU", "SUD Education", "UNSA"]
    won = {name: seats for name, seats in allocation.titulaires.items() if seats}
    assert won == {
        "CGT": 1,
        "UNSA": 4,
        "SGEN-CFDT": 1,
        "FSU": 7,
        "SUD Education": 1,
        "FNEC-FP-FO": 1,
    }
    shares = {entry.name: decimal(100 * entry.share) for entry in result.lists if entry.share}
    assert shares["FSU"] == "40.62"
    assert shares["UNSA"] == "20.72"
    assert shares["FNEC-FP-FO"] == "10.09"
    assert shares["SGEN-CFDT"] == "9.99"
    assert shares["CGT"] == "6.47"
    assert shares["SUD Education"] == "5.79"
    # Turnout 368,858 / 957,034 = 38.54 % (published: « 38,54 % pour le CTM »).
    assert result.turnout is not None
    assert decimal(100 * result.turnout) == "38.54"


# --- ties ----------------------------------------------------------------------------------------


def test_equal_averages_go_to_the_list_with_more_votes():
    # 2 seats, exprimés 30 + 15 + 10 = 55; quotient 55 / 2 = 27.5.
    # A: ⌊30 / 27.5⌋ = 1; B: 0; C: 0. 1 seat left.
    # Averages: A 30 / 2 = 15, B 15 / 1 = 15, C 10: A and B tie at 15; A has 30 votes, B 15: A.
    allocation = allocate(2, {"A": 30, "B": 15, "C": 10})
    assert allocation.steps[0].list == "A"
    assert allocation.steps[0].reason is Reason.VOTES
    assert allocation.titulaires == {"A": 2, "B": 0, "C": 0}


def test_a_tie_in_averages_and_votes_needs_a_draw_and_says_between_whom():
    # 3 seats, exprimés 10 + 10 + 5 = 25; quotient 25 / 3 = 8.33.
    # A: ⌊10 / 8.33⌋ = 1; B: 1; C: ⌊5 / 8.33⌋ = 0. 1 seat left.
    # Averages: A 10 / 2 = 5, B 10 / 2 = 5, C 5 / 1 = 5: all three equal. Votes: A 10, B 10,
    # C 5: C is out, A and B are still equal: only a draw can give the seat.
    allocation = allocate(3, {"A": 10, "B": 10, "C": 5})
    assert not allocation.complete
    assert allocation.draw_needed == Tie(seat=3, lists=("A", "B"), seats=1, average=Fraction(5))
    # The seat is not given to anyone until the draw is recorded.
    assert allocation.titulaires == {"A": 1, "B": 1, "C": 0}


def test_the_recorded_draw_gives_the_seat_to_the_list_drawn_first():
    # As above; the draw drew B then A: seat 3 to B.
    allocation = allocate(3, {"A": 10, "B": 10, "C": 5}, draw=["B", "A"])
    assert allocation.complete
    assert allocation.draw == ("B", "A")
    assert allocation.steps[-1].list == "B"
    assert allocation.steps[-1].reason is Reason.DRAW
    assert allocation.titulaires == {"A": 1, "B": 2, "C": 0}


def test_tied_lists_each_get_a_seat_without_a_draw_when_seats_are_enough():
    # 4 seats, exprimés 10 + 10 + 1 = 21; quotient 21 / 4 = 5.25.
    # A: ⌊10 / 5.25⌋ = 1; B: 1; C: 0. 2 seats left.
    # Averages: A 10 / 2 = 5, B 5, C 1: A and B tie, same votes, but 2 seats for 2 lists:
    # each gets one, whoever comes first.
    allocation = allocate(4, {"A": 10, "B": 10, "C": 1})
    assert allocation.complete
    assert [step.reason for step in allocation.steps] == [Reason.EACH, Reason.EACH]
    assert allocation.titulaires == {"A": 2, "B": 2, "C": 0}


def test_where_a_text_says_so_more_candidates_break_the_tie_before_a_draw():
    # As above (3 seats, 10 / 10 / 5, A and B tie for seat 3 in average 5 and votes 10); A
    # has 4 candidates, B 6: B, without a draw.
    allocation = allocate(
        3, {"A": 10, "B": 10, "C": 5}, candidates={"A": 4, "B": 6}, tie_by_candidates=True
    )
    assert allocation.complete
    assert allocation.steps[-1].list == "B"
    assert allocation.steps[-1].reason is Reason.CANDIDATES
    # The same numbers of candidates: still a draw.
    same = allocate(
        3, {"A": 10, "B": 10, "C": 5}, candidates={"A": 6, "B": 6}, tie_by_candidates=True
    )
    assert same.draw_needed is not None
    assert same.draw_needed.lists == ("A", "B")


def test_breaking_a_tie_by_candidates_needs_the_tied_lists_candidates():
    with pytest.raises(SeatsError, match="give the candidates of B"):
        allocate(3, {"A": 10, "B": 10, "C": 5}, candidates={"A": 4}, tie_by_candidates=True)


def test_a_draw_that_names_other_lists_than_the_tied_ones_is_refused():
    with pytest.raises(SeatsError, match="the tie for seat 3 is between A, B"):
        allocate(3, {"A": 10, "B": 10, "C": 5}, draw=["A", "C"])


def test_a_draw_where_no_tie_needs_one_is_refused():
    # 3 seats, 11 / 6 / 4: no tie (see the highest average example).
    with pytest.raises(SeatsError, match="no tie needs one"):
        allocate(3, {"X": 11, "Y": 6, "Z": 4}, draw=["X", "Y"])


def test_when_nobody_expressed_a_choice_the_seat_is_a_draw_between_the_lists():
    # 1 seat, every ballot blank: exprimés 0, no quotient; averages 0 / 1 = 0 for both,
    # 0 votes each: the rule leaves it to a draw.
    allocation = allocate(1, {"A": 0, "B": 0})
    assert allocation.quotient is None
    assert allocation.draw_needed is not None
    assert allocation.draw_needed.lists == ("A", "B")


# --- short lists and no list ---------------------------------------------------------------------


def test_a_list_short_of_candidates_passes_its_seats_on_to_the_others():
    # 5 seats, exprimés 80 + 20 = 100; A has 2 candidates. The lists can fill 2 + 5 ≥ 5 seats,
    # so all 5 are filled by election: quotient 100 / 5 = 20.
    # A: ⌊80 / 20⌋ = 4, but only 2 candidates: 2. B: ⌊20 / 20⌋ = 1. 2 seats left.
    # A is full. Seat 4: B 20 / 2 = 10. Seat 5: B 20 / 3 = 6.67.
    allocation = allocate(5, {"A": 80, "B": 20}, candidates={"A": 2})
    assert allocation.by_quotient == {"A": 2, "B": 1}
    assert allocation.titulaires == {"A": 2, "B": 3}
    assert allocation.unfilled == 0


def test_the_quotient_counts_only_the_seats_the_candidates_can_fill():
    # 5 seats; A 30 votes and 2 candidates, B 10 votes and 1 candidate: 3 seats can be filled
    # by election, 2 are left to a draw among the eligible electors (CE, 16 June 1999).
    # Quotient 40 / 3 = 13.33 (not 40 / 5 = 8). A: ⌊30 / 13.33⌋ = ⌊2.25⌋ = 2; B: ⌊0.75⌋ = 0.
    # Seat 3: A is full; B 10 / 1 = 10: B.
    allocation = allocate(5, {"A": 30, "B": 10}, candidates={"A": 2, "B": 1})
    assert allocation.elected == 3
    assert allocation.quotient == Fraction(40, 3)
    assert allocation.titulaires == {"A": 2, "B": 1}
    assert allocation.unfilled == 2


def test_under_the_draw_rule_the_seats_a_list_cannot_fill_are_drawn_among_electors():
    # 5 seats, 80 / 20, A has 2 candidates; seats allocated as if A were long enough:
    # quotient 100 / 5 = 20, A ⌊80 / 20⌋ = 4, B 1. A fills 2: its other 2 are drawn.
    allocation = allocate(5, {"A": 80, "B": 20}, candidates={"A": 2}, rule=ShortListRule.DRAW)
    assert allocation.quotient == 20
    assert allocation.quotient_seats == 5
    assert allocation.titulaires == {"A": 2, "B": 1}
    assert allocation.unfilled == 2
    assert allocation.elected == 3


def test_a_scrutin_with_no_list_leaves_every_seat_to_the_draw_among_electors():
    # No list: nothing is elected; the 3 seats of titulaires and their 3 suppléants are
    # drawn among the eligible electors.
    result = count_scrutin(3, [], inscrits=40, blancs=5)
    assert result.allocation.elected == 0
    assert result.allocation.quotient is None
    assert result.unfilled_titulaires == 3
    assert result.unfilled_suppleants == 3
    assert result.exprimes == 0
    assert result.votants == 5


# --- the elected ---------------------------------------------------------------------------------


def test_a_lists_first_names_are_its_titulaires_and_the_next_its_suppleants():
    # CSA, 3 seats, exprimés 200 + 100 = 300; quotient 100: A 2 seats, B 1.
    # A: titulaires its names 1–2, suppléants 3–4; B: titulaire name 1, suppléant name 2.
    result = count_scrutin(
        3,
        [
            ListEntry("A", 200, ("Ada", "Ben", "Cléo", "Dan", "Eva", "Fred")),
            ListEntry("B", 100, ("Gil", "Hugo", "Iris", "Jo")),
        ],
    )
    a, b = result.lists
    assert a.elected_titulaires == ("Ada", "Ben")
    assert a.elected_suppleants == ("Cléo", "Dan")
    assert b.elected_titulaires == ("Gil",)
    assert b.elected_suppleants == ("Hugo",)
    assert result.unfilled_suppleants == 0


def test_a_short_lists_titulaires_come_first_and_its_missing_suppleants_are_reported():
    # 5 seats, 30 / 10 with 2 and 1 names (the quotient example above): A 2 titulaires, B 1;
    # 2 seats nobody stands for. A's 2 names are both titulaires: 0 suppléants, 2 missing;
    # B: 1 titulaire, 0 suppléant, 1 missing; with the 2 seats without candidates, 5 seats of
    # suppléants are left to the draw among electors.
    result = count_scrutin(5, [ListEntry("A", 30, ("Ada", "Ben")), ListEntry("B", 10, ("Gil",))])
    a, b = result.lists
    assert (a.elected_titulaires, a.elected_suppleants, a.unfilled_suppleants) == (
        ("Ada", "Ben"),
        (),
        2,
    )
    assert (b.elected_titulaires, b.elected_suppleants, b.unfilled_suppleants) == (("Gil",), (), 1)
    assert result.unfilled_titulaires == 2
    assert result.unfilled_suppleants == 5


def test_a_cap_designates_titulaires_and_suppleants_grade_by_grade():
    # A list holding 1 seat in « classe normale » and 2 in « hors classe »: in each grade its
    # first names of that grade are titulaires, the next as many are suppléants. Hors classe
    # has only 3 names for 2 titulaires + 2 suppléants: 1 suppléant missing.
    designations = designate_by_grade(
        {
            "classe normale": ["Ada", "Ben", "Cléo"],
            "hors classe": ["Dan", "Eva", "Fred"],
        },
        {"classe normale": 1, "hors classe": 2},
    )
    normale, hors = designations
    assert (normale.titulaires, normale.suppleants) == (("Ada",), ("Ben",))
    assert (hors.titulaires, hors.suppleants) == (("Dan", "Eva"), ("Fred",))
    assert (hors.unfilled_titulaires, hors.unfilled_suppleants) == (0, 1)


# --- counts --------------------------------------------------------------------------------------


def test_turnout_and_shares_are_exact_fractions():
    # 200 inscrits, 90 votants = 6 blank + 4 null + 80 exprimés (50 + 30).
    # Turnout 90 / 200 = 45 %; shares 50 / 80 = 62.5 %, 30 / 80 = 37.5 %.
    result = count_scrutin(
        2, [ListEntry("A", 50), ListEntry("B", 30)], inscrits=200, votants=90, blancs=6, nuls=4
    )
    assert result.turnout == Fraction(9, 20)
    assert [entry.share for entry in result.lists] == [Fraction(5, 8), Fraction(3, 8)]
    assert result.exprimes == 80


def test_votants_that_do_not_match_the_ballots_are_refused():
    with pytest.raises(SeatsError, match="91 votants, but 6 blank"):
        count_scrutin(2, [ListEntry("A", 50), ListEntry("B", 30)], votants=91, blancs=6, nuls=4)


def test_more_votants_than_inscrits_are_refused():
    with pytest.raises(SeatsError, match="80 votants for 79 inscrits"):
        count_scrutin(2, [ListEntry("A", 50), ListEntry("B", 30)], inscrits=79)


@pytest.mark.parametrize(
    ("seats", "votes", "message"),
    [
        (0, {"A": 1}, "at least one seat"),
        (2, {"A": -1}, "negative"),
        (2, {"A": True}, "not a whole number"),
        (2, {"A": 1.5}, "not a whole number"),
        (2, [("A", 1), ("A", 2)], "given twice"),
        (2, {" ": 1}, "needs a name"),
    ],
)
def test_numbers_that_cannot_be_counted_are_refused(seats, votes, message):
    with pytest.raises(SeatsError, match=message):
        allocate(seats, votes)


def test_candidates_of_a_list_that_is_not_there_are_refused():
    with pytest.raises(SeatsError, match="not a list of the scrutin"):
        allocate(2, {"A": 1}, candidates={"B": 2})


# --- joint lists and representativeness ----------------------------------------------------------


def test_a_joint_list_without_a_declared_key_splits_its_votes_equally():
    # 1,001 votes, two unions, no key: 1,001 / 2 = 500.5 each (kept exact).
    parts = split_votes(JointList(1001, (("FSU", None), ("CGT", None))))
    assert parts == {"FSU": Fraction(1001, 2), "CGT": Fraction(1001, 2)}


def test_a_joint_list_splits_its_votes_by_the_key_declared_at_filing():
    # 1,001 votes, key 60 % / 40 %: 1,001 × 0.6 = 600.6 and 1,001 × 0.4 = 400.4.
    parts = split_votes(JointList(1001, (("FSU", Fraction(60)), ("CGT", Fraction(40)))))
    assert parts == {"FSU": Fraction(6006, 10), "CGT": Fraction(4004, 10)}
    assert sum(parts.values()) == 1001


def test_a_list_of_one_union_keeps_all_its_votes_whatever_share_it_states():
    assert split_votes(JointList(70, (("FSU", Fraction(50)),))) == {"FSU": 70}


def test_a_key_stored_as_decimal_percentages_splits_exactly():
    # The filing stores shares as decimals (ListUnion.share): 33.33 % + 66.67 % of 300 votes
    # = 99.99 and 200.01, no float error.
    parts = split_votes(JointList(300, (("A", Decimal("33.33")), ("B", Decimal("66.67")))))
    assert parts == {"A": Fraction(9999, 100), "B": Fraction(20001, 100)}


def test_a_three_union_list_without_key_keeps_thirds_of_votes():
    # 100 votes / 3 = 33⅓ each; the three thirds add up to 100 exactly.
    parts = split_votes(JointList(100, (("A", None), ("B", None), ("C", None))))
    assert set(parts.values()) == {Fraction(100, 3)}
    assert sum(parts.values()) == 100


@pytest.mark.parametrize(
    ("unions", "message"),
    [
        ((("A", Fraction(60)), ("B", None)), "every union, or of none"),
        ((("A", Fraction(60)), ("B", Fraction(30))), "total 100"),
        ((("A", Fraction(120)), ("B", Fraction(-20))), "positive"),
        ((("A", Fraction(100)), ("B", Fraction(0))), "positive"),
        ((("A", None), ("A", None)), "named twice"),
        ((), "at least one union"),
    ],
)
def test_a_key_that_is_not_a_split_is_refused(unions, message):
    with pytest.raises(SeatsError, match=message):
        split_votes(JointList(10, unions))


def test_representativeness_adds_the_unions_votes_over_scrutins():
    # Dijon: exprimés 100 = FSU 50 + a joint list FO–CGT 30 (no key: 15 / 15) + UNSA 20.
    # Lyon: exprimés 200 = FSU 80 + joint FO–CGT 100 (key 70 / 30: 70 / 30) + UNSA 20.
    # National: exprimés 300; FSU 130, FO 15 + 70 = 85, CGT 15 + 30 = 45, UNSA 40.
    dijon = ScrutinVotes(
        100,
        (
            JointList(50, (("FSU", None),)),
            JointList(30, (("FO", None), ("CGT", None))),
            JointList(20, (("UNSA", None),)),
        ),
    )
    lyon = ScrutinVotes(
        200,
        (
            JointList(80, (("FSU", None),)),
            JointList(100, (("FO", Fraction(70)), ("CGT", Fraction(30)))),
            JointList(20, (("UNSA", None),)),
        ),
    )
    national = representativeness([dijon, lyon])
    assert national.exprimes == 300
    assert national.votes == {"FSU": 130, "FO": 85, "CGT": 45, "UNSA": 40}
    # FSU 130 / 300 = 43.33 %; the ranking by votes.
    assert national.share("FSU") == Fraction(13, 30)
    assert [union for union, _ in national.ranking()] == ["FSU", "FO", "CGT", "UNSA"]
    by_academy = representativeness_by([("Dijon", dijon), ("Lyon", lyon)])
    assert by_academy["Dijon"].votes == {"FSU": 50, "FO": 15, "CGT": 15, "UNSA": 20}
    assert by_academy["Lyon"].share("CGT") == Fraction(30, 200)


def test_representativeness_refuses_lists_that_do_not_add_up_to_the_exprimes():
    with pytest.raises(SeatsError, match="make 50, not the 60"):
        representativeness([ScrutinVotes(60, (JointList(50, (("FSU", None),)),))])


# --- printing ------------------------------------------------------------------------------------


def test_exact_numbers_print_as_fractions_and_rounded_decimals():
    assert fraction_text(Fraction(349339, 15)) == "349339/15"
    assert fraction_text(Fraction(7)) == "7"
    assert decimal(Fraction(349339, 15)) == "23289.27"
    assert decimal(Fraction(1, 200)) == "0.00"  # 0.005: half to even
    assert decimal(Fraction(3, 200)) == "0.02"  # 0.015: half to even
    assert decimal(Fraction(-1, 3)) == "-0.33"

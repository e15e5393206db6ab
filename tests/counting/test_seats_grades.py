"""A CAP counted grade by grade (décret n° 82-451, art. 21 b and c, 22, as read in docs/seats.md):
the seats won over the whole CAP, then which grades each list holds them in, then the elected of
each grade in list order. Worked by hand in the comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.counting.test_minutes import pdf_text
from tests.counting.test_results_pages import grant_results
from urne.accounts.models import User
from urne.campaign.models import Scrutin
from urne.counting import results
from urne.counting.seats import GradeSeat, SeatsError, allocate, assign_grades, designate_by_grade

HC, CN = "Hors classe", "Classe normale"


def test_a_cap_of_two_grades_worked_by_hand():
    # 4 seats: Hors classe 1, Classe normale 3. Votes A 60, B 30, C 10: exprimés 100, quotient
    # 100 ÷ 4 = 25. A ⌊60 ÷ 25⌋ = 2, B ⌊30 ÷ 25⌋ = 1, C 0; seat 4 to the highest average:
    # A 60 ÷ 3 = 20, B 30 ÷ 2 = 15, C 10 ÷ 1 = 10 → A. A 3, B 1, C 0.
    votes = {"A": 60, "B": 30, "C": 10}
    won = allocate(4, votes).titulaires
    assert won == {"A": 3, "B": 1, "C": 0}
    candidates = {
        "A": [HC, CN, CN, HC, CN, CN, CN, CN],
        "B": [CN, CN, CN, HC, HC, CN, CN, CN],
        "C": [HC, CN],
    }
    grades = assign_grades({HC: 1, CN: 3}, won, votes, candidates)
    # A chooses first (3 seats): its 1st candidate, Hors classe (B can still have its seat in
    # Classe normale), then its 2nd, Classe normale; its 3rd is Classe normale again: not a
    # second seat of that grade in this turn (B stands there too). B (1 seat): its 1st
    # candidate, Classe normale. Next turn, A: its 3rd candidate, Classe normale.
    assert grades.order == ("A", "B")
    assert grades.given == (
        GradeSeat("A", HC, "choice"),
        GradeSeat("A", CN, "choice"),
        GradeSeat("B", CN, "choice"),
        GradeSeat("A", CN, "choice"),
    )
    assert grades.seats == {"A": {HC: 1, CN: 2}, "B": {HC: 0, CN: 1}, "C": {HC: 0, CN: 0}}
    assert grades.unfilled == {} and grades.complete


def test_a_list_may_not_take_the_seat_another_list_needs():
    # 2 seats: Hors classe 1, Classe normale 1. A 60, B 40: quotient 50, A 1, B 0; seat 2: A
    # 60 ÷ 2 = 30, B 40 ÷ 1 = 40 → B. A 1, B 1. B has only Hors classe candidates: A choosing
    # first may not take Hors classe (B would be left without a seat), so it takes its 2nd
    # candidate's grade, Classe normale; B then takes Hors classe.
    votes = {"A": 60, "B": 40}
    won = allocate(2, votes).titulaires
    assert won == {"A": 1, "B": 1}
    grades = assign_grades({HC: 1, CN: 1}, won, votes, {"A": [HC, CN, HC, CN], "B": [HC, HC]})
    assert grades.seats == {"A": {HC: 0, CN: 1}, "B": {HC: 1, CN: 0}}


def test_seats_no_list_can_choose_go_to_the_most_votes_then_to_the_draw_among_electors():
    # Hors classe 2, Classe normale 1; A won 2 seats (60 votes), B 1 (40). A has only Classe
    # normale candidates, B only Hors classe. A takes Classe normale; its second seat finds no
    # free grade where it stands. B takes Hors classe. The Hors classe seat left goes to the
    # list with the most votes that still has a candidate of that grade: B.
    grades = assign_grades(
        {HC: 2, CN: 1}, {"A": 2, "B": 1}, {"A": 60, "B": 40}, {"A": [CN, CN], "B": [HC] * 4}
    )
    assert grades.seats == {"A": {HC: 0, CN: 1}, "B": {HC: 2, CN: 0}}
    assert grades.given[-1] == GradeSeat("B", HC, "votes")
    # Nobody stands for Hors classe: its seat is left to the draw among eligible electors.
    alone = assign_grades(
        {HC: 1, CN: 2}, {"A": 2, "B": 1}, {"A": 70, "B": 30}, {"A": [CN] * 4, "B": [CN] * 2}
    )
    assert alone.seats == {"A": {HC: 0, CN: 1}, "B": {HC: 0, CN: 1}}
    assert alone.unfilled == {HC: 1}


def test_the_conseil_detat_case_of_the_moselle_cap_of_2014():
    # CE, 26 November 2018, n° 412584 (the same wording, décret n° 89-229, art. 23): 5 seats,
    # group 6: 2, group 5: 3. CFDT 2 seats (first), CFE-CGC 2, FO 1; only the CFDT stands in
    # group 6. The CFDT asked for a seat in group 5: refused, upheld. Here its list puts a
    # group 5 name first, yet taking it would leave 2 seats of group 5 for the 3 the others won
    # there (they stand nowhere else): the CFDT takes both seats of group 6.
    g6, g5 = "Groupe 6", "Groupe 5"
    grades = assign_grades(
        {g6: 2, g5: 3},
        {"CFDT": 2, "CFE-CGC": 2, "FO": 1},
        {"CFDT": 400, "CFE-CGC": 350, "FO": 200},
        {"CFDT": [g5, g6, g6, g5, g6, g6], "CFE-CGC": [g5] * 6, "FO": [g5] * 6},
    )
    assert grades.seats == {
        "CFDT": {g6: 2, g5: 0},
        "CFE-CGC": {g6: 0, g5: 2},
        "FO": {g6: 0, g5: 1},
    }


def test_a_grade_only_one_list_stands_in_may_be_taken_whole_at_once():
    # Classe normale 2 seats, only A stands there: A takes both in its first turn.
    grades = assign_grades(
        {HC: 1, CN: 2}, {"A": 2, "B": 1}, {"A": 70, "B": 30}, {"A": [CN, CN, CN], "B": [HC, HC]}
    )
    assert grades.given[:2] == (GradeSeat("A", CN, "choice"), GradeSeat("A", CN, "choice"))
    assert grades.seats["B"] == {HC: 1, CN: 0}


def test_equal_seats_and_votes_wait_for_a_draw_of_the_order_of_choice():
    votes = {"A": 50, "B": 50}
    won = {"A": 1, "B": 1}
    candidates = {"A": [HC, CN], "B": [HC, CN]}
    waiting = assign_grades({HC: 1, CN: 1}, won, votes, candidates)
    assert waiting.order_tie == ("A", "B") and not waiting.complete
    assert waiting.given == ()
    drawn = assign_grades({HC: 1, CN: 1}, won, votes, candidates, order=["B", "A"])
    assert drawn.seats == {"A": {HC: 0, CN: 1}, "B": {HC: 1, CN: 0}}
    with pytest.raises(SeatsError, match="equal seats and votes are A, B"):
        assign_grades({HC: 1, CN: 1}, won, votes, candidates, order=["B"])
    with pytest.raises(SeatsError, match="order of choice"):
        assign_grades(
            {HC: 1, CN: 1}, {"A": 2, "B": 1}, {"A": 60, "B": 40}, candidates, order=["B", "A"]
        )


def test_a_recorded_preference_changes_who_is_elected():
    # 2 seats: Hors classe 1, Classe normale 1. A 60, B 40: quotient 100 ÷ 2 = 50, A ⌊60 ÷ 50⌋
    # = 1, B 0; seat 2: A 60 ÷ 2 = 30, B 40 ÷ 1 = 40 → B. A 1, B 1.
    votes = {"A": 60, "B": 40}
    won = allocate(2, votes).titulaires
    assert won == {"A": 1, "B": 1}
    seats = {HC: 1, CN: 1}
    candidates = {"A": [CN, HC], "B": [HC, CN]}
    names = {"A": {CN: ["Ana"], HC: ["Abel"]}, "B": {HC: ["Béa"], CN: ["Bob"]}}
    # Read from list order: A's first candidate is of the Classe normale (B can still have the
    # Hors classe), B then takes its first, Hors classe: Ana and Béa.
    by_order = assign_grades(seats, won, votes, candidates)
    assert by_order.seats == {"A": {HC: 0, CN: 1}, "B": {HC: 1, CN: 0}}
    assert not by_order.chose("A") and by_order.preferences == {}
    # A's delegate chose Hors classe first at the bureau: A takes it (B can still have the
    # Classe normale); B's Hors classe is full, it takes its next grade, Classe normale: Abel
    # and Bob.
    chosen = assign_grades(seats, won, votes, candidates, preferences={"A": [HC, CN]})
    assert chosen.seats == {"A": {HC: 1, CN: 0}, "B": {HC: 0, CN: 1}}
    assert chosen.given == (GradeSeat("A", HC, "choice"), GradeSeat("B", CN, "choice"))
    assert chosen.chose("A") and not chosen.chose("B")
    assert chosen.preferences == {"A": (HC, CN)}
    elected = {
        name: [
            who
            for item in designate_by_grade(names[name], chosen.seats[name])
            for who in item.titulaires
        ]
        for name in names
    }
    assert elected == {"A": ["Abel"], "B": ["Bob"]}


def test_a_preferred_grade_a_constraint_refuses_gives_way_to_the_next_one():
    # 3 seats: Hors classe 1, Classe normale 1, Classe exceptionnelle 1. A 40, B 35, C 25:
    # quotient 100 ÷ 3 = 33.33…: A 1, B 1, C 0; seat 3: A 40 ÷ 2 = 20, B 35 ÷ 2 = 17.5, C 25 ÷ 1
    # = 25 → C. A 1, B 1, C 1, choosing in that order.
    ce = "Classe exceptionnelle"
    votes = {"A": 40, "B": 35, "C": 25}
    won = allocate(3, votes).titulaires
    assert won == {"A": 1, "B": 1, "C": 1}
    seats = {HC: 1, CN: 1, ce: 1}
    candidates = {"A": [ce, HC, CN], "B": [HC, HC], "C": [CN, ce]}
    # List order: A's first candidate, Classe exceptionnelle (B can have Hors classe, C Classe
    # normale): A CE, B HC, C CN.
    by_order = assign_grades(seats, won, votes, candidates)
    assert by_order.seats["A"] == {HC: 0, CN: 0, ce: 1}
    assert by_order.seats["C"] == {HC: 0, CN: 1, ce: 0}
    # A prefers Hors classe, then Classe normale, then Classe exceptionnelle. Hors classe is
    # refused: B, with only Hors classe candidates, would lose its seat (2 of the 3 seats
    # placeable instead of 3 − 1). A takes its next grade, Classe normale (C can still have
    # Classe exceptionnelle). B HC; C's Classe normale is full: CE.
    chosen = assign_grades(seats, won, votes, candidates, preferences={"A": [HC, CN, ce]})
    assert chosen.given == (
        GradeSeat("A", CN, "choice"),
        GradeSeat("B", HC, "choice"),
        GradeSeat("C", ce, "choice"),
    )


def test_a_preference_must_name_grades_of_the_list_each_once():
    seats = {HC: 1, CN: 1}
    won, votes = {"A": 1, "B": 1}, {"A": 60, "B": 40}
    candidates = {"A": [CN, CN], "B": [HC, CN]}
    with pytest.raises(SeatsError, match="where it has no candidate"):
        assign_grades(seats, won, votes, candidates, preferences={"A": [HC, CN]})
    with pytest.raises(SeatsError, match="names a grade twice"):
        assign_grades(seats, won, votes, candidates, preferences={"B": [CN, CN]})
    with pytest.raises(SeatsError, match="not a list here"):
        assign_grades(seats, won, votes, candidates, preferences={"Z": [CN]})
    # A partial preference: the grades not named follow in list order.
    partial = assign_grades(seats, won, votes, candidates, preferences={"B": [CN]})
    assert partial.seats["B"] == {HC: 1, CN: 0}


def test_the_elected_of_each_grade_follow_list_order():
    # List A of the first example holds Hors classe 1, Classe normale 2: its titulaires are its
    # first names of each grade, its suppléants the next ones of that grade.
    names = {
        HC: ["Anne HC1", "Alice HC2"],
        CN: ["Bruno CN1", "Chloé CN2", "Denis CN3", "Ève CN4", "Fanny CN5"],
    }
    hc, cn = designate_by_grade(names, {HC: 1, CN: 2})
    assert (hc.titulaires, hc.suppleants) == (("Anne HC1",), ("Alice HC2",))
    assert (cn.titulaires, cn.suppleants) == (("Bruno CN1", "Chloé CN2"), ("Denis CN3", "Ève CN4"))


@pytest.mark.django_db
def test_a_cap_counted_grade_by_grade_names_its_elected_per_grade(
    client: Client, staff_organizer: User, cap_by_grade: Scrutin, tmp_path: Path
):
    # Votes FSU 3, UNSA 2, SGEN 1: exprimés 6, 3 seats, quotient 2. FSU ⌊3 ÷ 2⌋ = 1, UNSA 1,
    # SGEN 0; seat 3: FSU 3 ÷ 2 = 1.5, UNSA 2 ÷ 2 = 1, SGEN 1 ÷ 1 = 1 → FSU. FSU 2, UNSA 1.
    # Grades (Hors classe 1, Classe normale 2): FSU chooses first: Anne (CN); not Bruno (CN
    # again this turn: SGEN stands there too); not Chloé (HC: UNSA, only HC names, would lose
    # its seat). UNSA: Ève (HC). Next turn FSU: Bruno (CN).
    figures = results.figures_of(cap_by_grade)
    assert figures is not None and figures.complete
    assert figures.grades is not None and figures.grades.order == (
        "Liste FSU",
        "Liste UNSA Éducation",
    )
    fsu, unsa, sgen = figures.lists
    assert (fsu.won, fsu.titulaires, unsa.titulaires, sgen.titulaires) == (2, 2, 1, 0)
    assert fsu.elected_titulaires == ("Anne ARNAUD", "Bruno BLANC")
    # Chloé is of the Hors classe: never a suppléante of the Classe normale.
    assert fsu.elected_suppleants == ("Denis DURAND",)
    # The grades in the scrutin's order (by name).
    (fsu_cn, fsu_hc) = fsu.grades
    assert (fsu_hc.grade, fsu_hc.titulaires) == ("Hors classe", ())
    assert (fsu_cn.titulaires, fsu_cn.suppleants) == (
        ("Anne ARNAUD", "Bruno BLANC"),
        ("Denis DURAND",),
    )
    assert fsu_cn.unfilled_suppleants == 1
    assert (unsa.grades[1].titulaires, unsa.grades[1].suppleants) == (
        ("Ève EMERY",),
        ("Fanny FAURE",),
    )

    client.force_login(grant_results(staff_organizer))
    text = client.get(reverse("results:scrutin", args=[cap_by_grade.pk])).content.decode()
    assert (
        "Sièges par grade" in text and "Ordre de choix des listes : Liste FSU, Liste UNSA" in text
    )
    assert "Grade : Classe normale" in text
    data = client.get(reverse("results:json", args=[cap_by_grade.pk])).json()
    assert data["grades"]["seats"] == {"Classe normale": 2, "Hors classe": 1}
    assert data["lists"][0]["grades"][0]["elected_titulaires"] == ["Anne ARNAUD", "Bruno BLANC"]
    pdf = pdf_text(client.get(reverse("results:minutes", args=[cap_by_grade.pk])).content, tmp_path)
    assert (
        "Grade Classe normale — titulaires : Anne ARNAUD, Bruno BLANC ; suppléants : Denis DURAND"
        in pdf
    )
    assert "Grade Hors classe — titulaires : Ève EMERY ; suppléants : Fanny FAURE" in pdf
    assert "Ordre de choix des listes : Liste FSU, Liste UNSA Éducation." in pdf

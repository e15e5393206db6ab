"""The seat rules a scrutin keeps as data (the short-list rule, the tie by candidates): each
kind's defaults, each choice changing the allocation as the rule says, read from the scrutin by
the results, shown on the results page and in the procès-verbal."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.counting.test_minutes import pdf_text
from tests.counting.test_results_pages import grant_results
from urne.accounts.models import User
from urne.campaign.models import SEAT_RULES, Campaign, Scrutin, SeatRules, ShortLists
from urne.counting import results
from urne.counting.results import ListData, ResultCounts, ScrutinData, scrutin_figures
from urne.counting.seats import Reason, ShortListRule

# 3 seats; list A has 60 votes and one name, list B 40 votes and four names.
SHORT = ScrutinData(
    code="ccp-exemple",
    name="CCP de l'exemple",
    seats=3,
    inscrits=120,
    lists=(
        ListData("Liste A", (), ("Anne ARNAUD",)),
        ListData("Liste B", (), ("Bruno BLANC", "Chloé CHEN", "Denis DURAND", "Ève EMERY")),
    ),
)
SHORT_COUNTS = ResultCounts(blank=0, lists=(60, 40), tallied=100)

# 1 seat; lists A and B have 30 votes each, A two names, B one.
TIE = ScrutinData(
    code="cap-exemple",
    name="CAP de l'exemple",
    seats=1,
    inscrits=70,
    lists=(
        ListData("Liste A", (), ("Anne ARNAUD", "Bruno BLANC")),
        ListData("Liste B", (), ("Chloé CHEN",)),
    ),
)
TIE_COUNTS = ResultCounts(blank=4, lists=(30, 30), tallied=64)


def test_the_short_list_rule_redistribute():
    # Seats filled by election: min(3, 1 + 4) = 3; quotient 100 ÷ 3. A ⌊60 × 3 ÷ 100⌋ = 1 (its
    # one name), B ⌊40 × 3 ÷ 100⌋ = 1. Seat 3: A is full, so B (40 ÷ 2 = 20) takes it.
    figures = scrutin_figures(SHORT, SHORT_COUNTS)
    assert figures.scrutin.short_lists is ShortListRule.REDISTRIBUTE
    assert [entry.titulaires for entry in figures.lists] == [1, 2]
    assert figures.result.unfilled_titulaires == 0
    assert figures.allocation.quotient_seats == 3


def test_the_short_list_rule_draw():
    # As if A were long enough: A 1, B 1 by the quotient; seat 3 to the highest average, A
    # (60 ÷ 2 = 30) over B (40 ÷ 2 = 20). A has no second name: that seat is left to the draw
    # among eligible electors, and B keeps 1.
    figures = scrutin_figures(
        dataclasses.replace(SHORT, short_lists=ShortListRule.DRAW), SHORT_COUNTS
    )
    assert [entry.titulaires for entry in figures.lists] == [1, 1]
    assert figures.result.unfilled_titulaires == 1
    # The same given as an argument overrides the scrutin's own.
    again = scrutin_figures(SHORT, SHORT_COUNTS, short_lists=ShortListRule.DRAW)
    assert [entry.titulaires for entry in again.lists] == [1, 1]


def test_the_tie_by_candidates():
    # Quotient 60 ÷ 1 = 60: A ⌊30 ÷ 60⌋ = 0, B 0. The seat: averages 30 and 30, votes 30 and 30.
    # Without the candidates' rule, only a draw decides.
    plain = scrutin_figures(TIE, TIE_COUNTS)
    assert plain.allocation.draw_needed is not None
    assert plain.allocation.draw_needed.lists == ("Liste A", "Liste B")
    # With it, A (two names) wins over B (one), no draw.
    by_names = scrutin_figures(dataclasses.replace(TIE, tie_by_candidates=True), TIE_COUNTS)
    assert by_names.complete
    assert [entry.titulaires for entry in by_names.lists] == [1, 0]
    assert by_names.allocation.steps[0].reason is Reason.CANDIDATES


def test_each_kind_has_defaults_and_a_scrutin_keeps_its_own(campaign: Campaign):
    assert set(SEAT_RULES) == set(Scrutin.Kind.values)
    made = Scrutin.objects.create(
        campaign=campaign, code="ccp-1", name="CCP", level="national", kind="CCP", seats=2
    )
    assert (made.short_list_rule, made.tie_by_candidates) == (
        SEAT_RULES["CCP"].short_lists,
        SEAT_RULES["CCP"].tie_by_candidates,
    )
    own = Scrutin.objects.create(
        campaign=campaign,
        code="ccp-2",
        name="CCP 2",
        level="national",
        kind="CCP",
        seats=2,
        short_list_rule=ShortLists.DRAW,
        tie_by_candidates=True,
    )
    own.refresh_from_db()
    assert own.seat_rules() == SeatRules(ShortLists.DRAW, tie_by_candidates=True)
    # A scrutin saved before the rules existed (empty) reads its kind's defaults.
    Scrutin.objects.filter(pk=made.pk).update(short_list_rule="", tie_by_candidates=None)
    made.refresh_from_db()
    assert made.seat_rules() == SEAT_RULES["CCP"]


def test_the_results_apply_the_scrutins_rules_and_say_so(
    client: Client, staff_organizer: User, tied: Scrutin, tmp_path: Path
):
    client.force_login(grant_results(staff_organizer))
    page = reverse("results:scrutin", args=[tied.pk])
    text = client.get(page).content.decode()
    assert "Règle appliquée aux listes incomplètes :" in text
    assert "vont aux autres listes, à la plus forte moyenne" in text
    assert "la liste qui a le plus de voix, puis un tirage au sort" in text
    assert "Égalité pour le siège 3" in text
    # The tie by candidates (see `tied`): FSU (four names) wins seat 3 over UNSA (two).
    Scrutin.objects.filter(pk=tied.pk).update(tie_by_candidates=True)
    tied.refresh_from_db()
    figures = results.figures_of(tied)
    assert figures is not None and figures.complete
    assert [entry.titulaires for entry in figures.lists] == [2, 1, 0]
    assert figures.allocation.steps[-1].reason is Reason.CANDIDATES
    text = client.get(page).content.decode()
    assert "puis celle qui a le plus de candidats, puis un tirage au sort" in text
    data = client.get(reverse("results:json", args=[tied.pk])).json()
    assert data["rules"] == {"short_lists": "redistribute", "tie_by_candidates": True}
    pdf = pdf_text(client.get(reverse("results:minutes", args=[tied.pk])).content, tmp_path)
    assert "Règle appliquée aux listes incomplètes : les sièges qu'une liste ne peut pas" in pdf
    assert "puis celle qui a le plus de candidats" in pdf


@pytest.mark.parametrize("rule", [ShortListRule.REDISTRIBUTE, ShortListRule.DRAW])
def test_the_stored_value_is_the_rules_value(rule: ShortListRule):
    assert ShortListRule(ShortLists(rule.value).value) is rule

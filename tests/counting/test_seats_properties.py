"""Invariants of the seat rule, over many generated counts (hypothesis).

Ties that need a draw are settled by one fixed priority (`settled`), the same in every run a
property compares, as a real draw recorded once would be.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from urne.counting.seats import Allocation, JointList, ShortListRule, allocate, split_votes

NAMES = [f"L{index}" for index in range(8)]

votes_st = st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=8).map(
    lambda counts: dict(zip(NAMES, counts, strict=False))
)
seats_st = st.integers(min_value=1, max_value=40)


def settled(seats: int, votes: dict[str, int], **options) -> Allocation:
    """The allocation, a needed draw settled by the lists' order (the first given wins)."""
    allocation = allocate(seats, votes, **options)
    if allocation.draw_needed is not None:
        order = sorted(allocation.draw_needed.lists, key=NAMES.index)
        allocation = allocate(seats, votes, draw=order, **options)
    assert allocation.complete
    return allocation


def dhondt(seats: int, votes: dict[str, int]) -> dict[str, int]:
    """D'Hondt written independently: the `seats` greatest of every votes ÷ d (d = 1, 2…),
    equal ones ordered by votes, then by the same priority as `settled`."""
    entries = [
        (Fraction(count, divisor), count, -NAMES.index(name), name)
        for name, count in votes.items()
        for divisor in range(1, seats + 1)
    ]
    entries.sort(reverse=True)
    won = dict.fromkeys(votes, 0)
    for *_, name in entries[:seats]:
        won[name] += 1
    return won


@given(seats_st, votes_st)
def test_seats_always_add_up_to_the_seats_of_the_body(seats, votes):
    assert sum(settled(seats, votes).titulaires.values()) == seats


@given(seats_st, votes_st)
def test_each_list_gets_at_least_its_whole_quotients(seats, votes):
    allocation = settled(seats, votes)
    exprimes = sum(votes.values())
    for name, count in votes.items():
        floor = count * seats // exprimes if exprimes else 0
        assert allocation.titulaires[name] >= floor


@given(seats_st, votes_st)
def test_quotient_then_highest_average_is_dhondt(seats, votes):
    # The quotient's seats are those D'Hondt gives first, so the two methods always agree.
    assert settled(seats, votes).titulaires == dhondt(seats, votes)


@given(seats_st, votes_st, st.data())
def test_more_votes_never_cost_a_list_a_seat(seats, votes, data):
    name = data.draw(st.sampled_from(sorted(votes)))
    more = dict(votes, **{name: votes[name] + data.draw(st.integers(1, 3000))})
    assert settled(seats, more).titulaires[name] >= settled(seats, votes).titulaires[name]


@given(seats_st, votes_st)
def test_one_more_seat_never_costs_a_list_a_seat(seats, votes):
    # No « Alabama paradox »: the highest average only ever adds.
    before = settled(seats, votes).titulaires
    after = settled(seats + 1, votes).titulaires
    assert all(after[name] >= before[name] for name in votes)


@given(seats_st, votes_st, st.integers(min_value=2, max_value=50))
def test_multiplying_every_vote_changes_no_seat(seats, votes, factor):
    scaled = {name: count * factor for name, count in votes.items()}
    assert settled(seats, scaled).titulaires == settled(seats, votes).titulaires


@settings(max_examples=200)
@given(seats_st, votes_st, st.data())
def test_short_lists_never_exceed_their_candidates_and_fill_what_they_can(seats, votes, data):
    limits = {name: data.draw(st.integers(min_value=0, max_value=12), label=name) for name in votes}
    allocation = settled(seats, votes, candidates=limits)
    for name in votes:
        assert allocation.titulaires[name] <= limits[name]
    filled = sum(allocation.titulaires.values())
    assert filled == min(seats, sum(limits.values())) == allocation.elected
    assert allocation.unfilled == seats - filled


@given(
    st.integers(min_value=0, max_value=10**6),
    st.lists(st.integers(min_value=1, max_value=99), min_size=1, max_size=4),
)
def test_a_joint_lists_parts_add_up_to_its_votes(votes, weights):
    # Any declared key (made to total 100 %) or none: the parts add up exactly.
    total = sum(weights)
    key = [Fraction(100 * weight, total) for weight in weights]
    unions = tuple((f"U{index}", share) for index, share in enumerate(key))
    assert sum(split_votes(JointList(votes, unions)).values()) == votes
    equal = tuple((f"U{index}", None) for index in range(len(weights)))
    assert sum(split_votes(JointList(votes, equal)).values()) == votes


@given(seats_st, votes_st, st.data())
def test_breaking_ties_by_candidates_still_fills_every_seat(seats, votes, data):
    # Candidates enough for every seat, so only the tie-break differs from the plain rule.
    limits = {name: seats + data.draw(st.integers(0, 3), label=name) for name in votes}
    allocation = settled(seats, votes, candidates=limits, tie_by_candidates=True)
    assert sum(allocation.titulaires.values()) == seats


@given(seats_st, votes_st, st.data())
def test_under_the_draw_rule_every_seat_is_won_or_left_to_the_draw(seats, votes, data):
    limits = {name: data.draw(st.integers(0, 12), label=name) for name in votes}
    allocation = settled(seats, votes, candidates=limits, rule=ShortListRule.DRAW)
    assert sum(allocation.titulaires.values()) + allocation.unfilled == seats
    for name in votes:
        assert 0 <= allocation.titulaires[name] <= limits[name]
        assert allocation.by_quotient[name] >= 0
        assert allocation.by_average[name] >= 0
    # The seats a list keeps are those it would win with names enough, cut to its names.
    free = settled(seats, votes).titulaires
    assert allocation.titulaires == {name: min(free[name], limits[name]) for name in votes}

"""The composition rule of the bureau's keys, clause by clause (DOMAIN.md "Decryption keys")."""

from __future__ import annotations

from itertools import combinations

import pytest

from urne.counting.composition import (
    CompositionRefused,
    Fragment,
    KeyGroup,
    Member,
    Plan,
    Role,
    allowed_to_open,
    check_at_most_two,
    check_delegates_share,
    check_opening,
    check_plan,
    check_president_and_secretary_hold,
    openers,
    opens,
    plan_fragments,
)

PRESIDENT = Member(1, Role.PRESIDENT)
SECRETARY = Member(2, Role.SECRETARY)


def delegates(*unions: int) -> list[Member]:
    return [Member(10 + index, Role.DELEGATE, union) for index, union in enumerate(unions)]


def bureau(*unions: int) -> list[Member]:
    return [PRESIDENT, SECRETARY, *delegates(*unions)]


@pytest.mark.parametrize("unions", [2, 3, 4, 6])
def test_every_clause_holds_for_a_bureau_of_any_number_of_unions(unions: int) -> None:
    plan = plan_fragments(bureau(*range(unions)))
    check_plan(plan)
    assert len(plan.fragments) == 2 + 2 * unions
    assert plan.threshold(KeyGroup.PRESIDENCY) == 1
    assert plan.threshold(KeyGroup.UNIONS) == 3


def test_the_president_or_the_secretary_and_two_unions_open_and_nothing_less() -> None:
    plan = plan_fragments(bureau(100, 200, 300))
    p, s, a, b, c = (member.key for member in plan.members)
    assert opens(plan, {p, a, b})
    assert opens(plan, {s, b, c})
    assert not opens(plan, {p, s, a})  # one union only
    assert not opens(plan, {a, b, c})  # neither the president nor the secretary
    assert not opens(plan, {p, a})
    assert not opens(plan, {p, s})
    # Every subset: the keys open exactly when the rule allows.
    keys = [member.key for member in plan.members]
    for size in range(len(keys) + 1):
        for present in combinations(keys, size):
            assert opens(plan, present) == allowed_to_open(plan, present), present


def test_a_bureau_without_a_president_or_a_secretary_is_refused() -> None:
    with pytest.raises(CompositionRefused, match="un président et un secrétaire"):
        plan_fragments([SECRETARY, *delegates(1, 2)])
    with pytest.raises(CompositionRefused, match="un président et un secrétaire"):
        plan_fragments([PRESIDENT, *delegates(1, 2)])


def test_a_bureau_with_fewer_than_two_unions_is_refused() -> None:
    with pytest.raises(CompositionRefused, match="au moins deux organisations"):
        plan_fragments(bureau(1))


def test_two_key_holding_delegates_of_one_union_are_refused() -> None:
    """Else they would stand in for two unions."""
    with pytest.raises(CompositionRefused, match="Un seul délégué par organisation"):
        plan_fragments(bureau(1, 1, 2))


def test_a_delegate_without_a_union_or_a_president_with_one_is_refused() -> None:
    with pytest.raises(CompositionRefused, match="représente une organisation"):
        plan_fragments([PRESIDENT, SECRETARY, Member(9, Role.DELEGATE), *delegates(1, 2)])
    with pytest.raises(CompositionRefused, match="ne représentent pas"):
        plan_fragments([Member(1, Role.PRESIDENT, 5), SECRETARY, *delegates(1, 2)])


def _plan(fragments: list[tuple[int, KeyGroup]], members: list[Member]) -> Plan:
    positions: dict[KeyGroup, int] = {}
    made = []
    for member, group in fragments:
        positions[group] = positions.get(group, 0) + 1
        made.append(Fragment(member, group, positions[group]))
    return Plan(
        tuple(members),
        tuple(made),
        ((KeyGroup.PRESIDENCY, 1), (KeyGroup.UNIONS, 3)),
    )


def test_clause_one_a_plan_leaving_the_secretary_without_a_fragment_is_refused() -> None:
    members = bureau(1, 2)
    plan = _plan(
        [(1, KeyGroup.PRESIDENCY)] + [(m.key, KeyGroup.UNIONS) for m in members[2:] for _ in "ab"],
        members,
    )
    with pytest.raises(CompositionRefused, match="chacun au moins un fragment"):
        check_president_and_secretary_hold(plan)


def test_clause_two_a_plan_giving_delegates_less_than_two_thirds_is_refused() -> None:
    """One fragment per union with two unions: 2 of 4 fragments, less than two thirds."""
    members = bureau(1, 2)
    plan = _plan(
        [(1, KeyGroup.PRESIDENCY), (2, KeyGroup.PRESIDENCY)]
        + [(m.key, KeyGroup.UNIONS) for m in members[2:]],
        members,
    )
    with pytest.raises(CompositionRefused, match="deux tiers"):
        check_delegates_share(plan)
    # Two fragments each: 4 of 6, exactly two thirds.
    check_delegates_share(plan_fragments(members))


def test_clause_three_a_member_with_three_fragments_is_refused() -> None:
    members = bureau(1, 2)
    plan = _plan(
        [(1, KeyGroup.PRESIDENCY), (2, KeyGroup.PRESIDENCY)]
        + [(10, KeyGroup.UNIONS)] * 3
        + [(11, KeyGroup.UNIONS)] * 2,
        members,
    )
    with pytest.raises(CompositionRefused, match="au plus deux fragments"):
        check_at_most_two(plan)


def test_clause_four_a_plan_one_delegate_could_open_is_refused() -> None:
    """Threshold 3 with a delegate holding 3 fragments: the president and one union open."""
    members = bureau(1, 2)
    plan = Plan(
        tuple(members),
        tuple(
            [Fragment(1, KeyGroup.PRESIDENCY, 1), Fragment(2, KeyGroup.PRESIDENCY, 2)]
            + [Fragment(10, KeyGroup.UNIONS, p) for p in (1, 2)]
            + [Fragment(11, KeyGroup.UNIONS, p) for p in (3, 4)]
        ),
        ((KeyGroup.PRESIDENCY, 1), (KeyGroup.UNIONS, 2)),
    )
    with pytest.raises(CompositionRefused, match="sans le président ou le secrétaire et deux"):
        check_opening(plan)


def test_a_member_is_shown_with_whom_their_key_opens() -> None:
    plan = plan_fragments(bureau(100, 200))
    delegate = plan.members[2].key
    found = openers(plan, delegate)
    assert sorted(sorted(group) for group in found) == [[1, 10, 11], [2, 10, 11]]

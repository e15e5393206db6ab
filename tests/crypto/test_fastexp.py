"""The fast exponentiation paths give exactly what plain powmod gives; the batch membership test
accepts sets of members and refuses a set with one outsider, which it names."""

from __future__ import annotations

import pickle
import secrets

import gmpy2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from urne.crypto.ballot import make_ballot, read_ballot, verify_ballot_proofs
from urne.crypto.credentials import make_private_credential
from urne.crypto.errors import InvalidBallot, NotInGroup, NotInSubgroup
from urne.crypto.fastexp import (
    BatchMembershipFailed,
    FixedBaseTable,
    SubgroupBatch,
    forget_prepared_tables,
    multi_exp,
    pow_many,
    prepare_fixed_base,
    prepared_table,
    window_for,
)
from urne.crypto.group import BELENIOS_2048, RFC_3526_2048, Group

from .forgery import forge_outsider_ballot, yes_no_election
from .strategies import FEW, MANY

P = BELENIOS_2048.p
Q = BELENIOS_2048.q
G = BELENIOS_2048.g


def members(count: int, group: Group = BELENIOS_2048) -> list[int]:
    return [gmpy2.powmod(group.g, secrets.randbelow(int(group.q)), group.p) for _ in range(count)]


def outsider(order: int, primes: tuple[int, ...]) -> int:
    """A member times a number t of exactly `order` (a divisor of the cofactor): t^(order/l) is
    not 1 for each prime l of `primes` (the prime factors of `order` we know)."""
    while True:
        t = gmpy2.powmod(secrets.randbelow(int(P) - 3) + 2, (P - 1) // order, P)
        if t != 1 and all(gmpy2.powmod(t, order // prime, P) != 1 for prime in primes):
            result: int = gmpy2.mpz(t * members(1)[0] % P)
            return result


exponents = st.integers(min_value=0, max_value=int(Q) - 1)
bases = st.integers(min_value=1, max_value=int(P) - 1)


@pytest.fixture(scope="module")
def g_tables() -> dict[int, FixedBaseTable]:
    return {w: FixedBaseTable(G, P, 256, w, Q) for w in (1, 5, 8, 11)}


@MANY
@given(exponent=exponents)
def test_fixed_base_tables_of_every_width_equal_powmod(g_tables, exponent):
    expected = gmpy2.powmod(G, exponent, P)
    for table in g_tables.values():
        assert table.pow(exponent) == expected


@MANY
@given(exponent=st.integers(min_value=-(2**300), max_value=2**300))
def test_a_table_with_the_order_takes_any_exponent(g_tables, exponent):
    assert g_tables[8].pow(exponent) == gmpy2.powmod(G, exponent % Q, P)


def test_a_table_without_the_order_refuses_negative_or_oversized_exponents():
    table = FixedBaseTable(G, P, 16, 4)
    assert table.pow(2**16 - 1) == gmpy2.powmod(G, 2**16 - 1, P)
    with pytest.raises(ValueError, match="negative"):
        table.pow(-1)
    with pytest.raises(ValueError, match="17 bits"):
        table.pow(2**16)


def test_the_edge_exponents_give_one_and_the_base():
    table = FixedBaseTable(G, P, 256, 8, Q)
    assert table.pow(0) == 1
    assert table.pow(1) == G
    assert table.pow(Q) == 1
    assert table.pow(Q - 1) == gmpy2.invert(G, P)


def test_the_window_grows_with_the_number_of_uses():
    assert window_for(10) < window_for(1_000) < window_for(1_000_000)
    assert window_for(10**9) <= 12


def test_a_prepared_table_is_found_for_its_base_and_modulus_only():
    forget_prepared_tables()
    try:
        assert prepared_table(G, P) is None
        table = prepare_fixed_base(G, P, Q, uses=100)
        assert prepared_table(G, P) is table
        assert prepared_table(G, RFC_3526_2048.p) is None
        assert prepared_table(G + 1, P) is None
        assert prepare_fixed_base(G, P, Q, uses=10) is table
    finally:
        forget_prepared_tables()


@MANY
@given(pairs=st.lists(st.tuples(bases, st.integers(min_value=0, max_value=2**260)), max_size=40))
def test_multi_exponentiation_equals_the_product_of_powmods(pairs):
    expected = gmpy2.mpz(1)
    for base, exponent in pairs:
        expected = expected * gmpy2.powmod(base, exponent, P) % P
    assert multi_exp(pairs, P) == expected


@pytest.mark.parametrize("count", [24, 25, 60, 300])
def test_the_bucket_method_equals_the_product_of_powmods(count):
    numbers = members(count)
    # Full-size, small (weights) and zero exponents together.
    exponents_ = [secrets.randbelow(int(Q)) for _ in range(count - 2)] + [0, 3]
    pairs = list(zip(numbers, exponents_, strict=True))
    expected = gmpy2.mpz(1)
    for base, exponent in pairs:
        expected = expected * gmpy2.powmod(base, exponent, P) % P
    assert multi_exp(pairs, P) == expected


@MANY
@given(
    base=bases,
    exponents_=st.lists(st.integers(min_value=0, max_value=2**260), max_size=6),
    window=st.integers(min_value=1, max_value=8),
)
def test_one_base_raised_to_several_exponents_equals_one_powmod_each(base, exponents_, window):
    assert pow_many(base, exponents_, P, window) == [gmpy2.powmod(base, e, P) for e in exponents_]


def test_one_base_raised_to_zero_one_and_repeated_exponents():
    x = members(1)[0]
    exponents_ = [0, 1, 0, Q - 1, Q - 1]
    last = gmpy2.powmod(x, Q - 1, P)
    assert pow_many(x, exponents_, P) == [1, x, 1, last, last]
    with pytest.raises(ValueError, match=">= 0"):
        pow_many(x, [1, 2, -1], P)


def test_multi_exponentiation_of_nothing_or_zero_exponents_is_one():
    assert multi_exp([], P) == 1
    assert multi_exp([(x, 0) for x in members(30)], P) == 1


def test_multi_exponentiation_refuses_negative_exponents():
    with pytest.raises(ValueError, match=">= 0"):
        multi_exp([(G, -1)], P)


def test_the_batch_needs_81_rounds_for_belenios_2048_and_none_for_a_safe_prime():
    assert SubgroupBatch(P, Q).rounds == 81
    assert 3**81 > 2**128
    assert SubgroupBatch(RFC_3526_2048.p, RFC_3526_2048.q).rounds == 0


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 50, 101, 102, 103])
def test_a_batch_of_members_passes(count):
    batch = SubgroupBatch(P, Q)
    numbers = members(count)
    assert batch.all_members(numbers)
    batch.check(numbers)


@pytest.mark.parametrize(
    ("order", "primes", "position"),
    [
        (3, (3,), 0),  # order 3: the hardest case for small exponents (a round passes with 1/3)
        (3, (3,), 119),
        (3, (3,), 120),  # among the leftovers that do not make a full triple
        (6, (2, 3), 17),
        ((P - 1) // Q // 6, (), 23),  # the big part of the cofactor (no factor below 2^20)
    ],
)
def test_a_batch_with_one_outsider_fails_and_names_it(order, primes, position):
    batch = SubgroupBatch(P, Q)
    numbers = members(122)
    assert len(numbers) >= batch.smallest_batch
    numbers[position] = outsider(order, primes)
    assert batch.precheck(numbers[position]) == (order % 2 == 1)
    assert not batch.all_members(numbers)
    assert batch.first_outsider(numbers) == position
    with pytest.raises(BatchMembershipFailed, match=f"number {position} "):
        batch.check(numbers)


@pytest.mark.parametrize("bad", [0, -5, int(P), int(P) + 1, int(P) - 1])
def test_numbers_out_of_range_or_of_order_2_fail_the_cheap_part(bad):
    batch = SubgroupBatch(P, Q)
    numbers = [*members(10), bad]
    assert not batch.precheck(bad)
    assert not batch.all_members(numbers)
    assert batch.first_outsider(numbers) == 10


def test_a_safe_prime_batch_decides_with_the_jacobi_symbol():
    group = RFC_3526_2048
    batch = SubgroupBatch(group.p, group.q)
    numbers = members(6, group)
    assert batch.all_members(numbers)
    numbers[4] = group.p - 1  # of order 2: a non-square
    assert batch.first_outsider(numbers) == 4
    assert not batch.all_members(numbers)


def test_the_batch_agrees_with_the_plain_test_on_random_numbers():
    batch = SubgroupBatch(P, Q)
    some = members(batch.smallest_batch)
    for _ in range(6):
        x = gmpy2.mpz(secrets.randbelow(int(P) - 1) + 1)
        assert batch.all_members([*some, x]) == batch.is_member(x)
        assert batch.all_members([*some[:5], x]) == batch.is_member(x)


def test_a_set_too_small_for_a_batch_is_checked_number_by_number():
    batch = SubgroupBatch(P, Q)
    assert batch.smallest_batch == 101
    numbers = members(10)
    numbers[3] = outsider(3, (3,))
    assert not batch.all_members(numbers)


def test_the_group_uses_a_prepared_table_and_gets_the_same_numbers():
    forget_prepared_tables()
    try:
        y = BELENIOS_2048.element(members(1)[0])
        exponents_ = [secrets.randbelow(int(Q)) for _ in range(5)] + [-1, 0]
        plain = [(BELENIOS_2048.pow_g(e), BELENIOS_2048.fixed_base(y).pow(e)) for e in exponents_]
        prepare_fixed_base(G, P, Q, uses=50)
        prepare_fixed_base(y, P, Q, uses=50)
        assert BELENIOS_2048.fixed_base(y) is prepared_table(y, P)
        fast = [(BELENIOS_2048.pow_g(e), BELENIOS_2048.fixed_base(y).pow(e)) for e in exponents_]
        assert fast == plain
    finally:
        forget_prepared_tables()


def test_the_group_multi_exponentiation_reduces_negative_exponents():
    x = members(1)[0]
    assert BELENIOS_2048.multi_exp([(x, -1), (G, 2)]) == gmpy2.invert(x, P) * G * G % P


def test_a_group_deferring_membership_records_numbers_and_still_refuses_the_cheap_cases():
    numbers = members(4)
    deferred: list[int] = []
    reading = BELENIOS_2048.with_deferred_membership(deferred)
    for index, number in enumerate(numbers):
        reading.element(number, f"n{index}")
    with pytest.raises(NotInSubgroup):
        reading.element(P - 1, "minus one")  # order 2: refused at once
    with pytest.raises(NotInGroup):
        reading.element(0, "zero")
    sneaky = outsider(3, (3,))
    reading.element(sneaky, "sneaky")  # order-3 part: left to the batch
    assert deferred == [*numbers, sneaky]
    assert SubgroupBatch(P, Q).first_outsider(deferred) == 4


def test_the_group_itself_checks_every_element_while_a_deferring_one_is_in_use():
    # Deferral is an object the batch verifier asks for, not a state around it: code running
    # at the same time (here, in between two deferred reads) still gets checked elements.
    sneaky = outsider(3, (3,))
    deferred: list[int] = []
    reading = BELENIOS_2048.with_deferred_membership(deferred)
    reading.element(members(1)[0], "first")
    with pytest.raises(NotInSubgroup):
        BELENIOS_2048.element(sneaky, "meanwhile")
    election, identifier = yes_no_election()[0], make_private_credential()
    forged = forge_outsider_ballot(election, identifier).text
    with pytest.raises(InvalidBallot):
        read_ballot(election, forged)  # no deferral asked: refused as it is read
    reading.element(sneaky, "second")
    assert deferred[-1] == sneaky


def test_a_deferring_group_sent_to_another_process_arrives_checking():
    reading = BELENIOS_2048.with_deferred_membership([])
    arrived = pickle.loads(pickle.dumps(reading))  # noqa: S301 - our own bytes, just made
    assert arrived is BELENIOS_2048
    with pytest.raises(NotInSubgroup):
        arrived.element(outsider(3, (3,)), "sent")


def test_a_safe_prime_group_is_never_deferred():
    group = RFC_3526_2048
    deferred: list[int] = []
    assert group.with_deferred_membership(deferred) is group
    group.element(members(1, group)[0])
    assert deferred == []


def test_tiny_exponents_are_kept_and_still_right():
    table = FixedBaseTable(G, P, 256, 8, Q)
    for exponent in (-16, -1, 0, 1, 2, 16):
        first = table.pow(exponent)
        assert first == gmpy2.powmod(G, exponent % Q, P)
        assert table.pow(exponent) is first


@FEW
@given(base=bases, exponent=st.integers(min_value=0, max_value=2**64 - 1), window=st.integers(1, 9))
def test_a_table_for_any_base_and_width_equals_powmod(base, exponent, window):
    table = FixedBaseTable(base, P, 64, window)
    assert table.pow(exponent) == gmpy2.powmod(base, exponent, P)


def test_a_batch_of_ballots_with_one_forged_ballot_fails_and_names_it():
    election, _ = yes_no_election()
    identifiers = [make_private_credential() for _ in range(40)]
    texts = [make_ballot(election, identifier, [[1]]).text for identifier in identifiers]
    texts[17] = forge_outsider_ballot(election, identifiers[17]).text
    spans = []
    numbers: list[int] = []
    for text in texts:
        first = len(numbers)
        ballot = read_ballot(election, text, deferred=numbers)  # cheap part only: forgery passes
        verify_ballot_proofs(election, ballot)  # every proof holds, the forgery's too
        spans.append((first, len(numbers)))
    batch = SubgroupBatch(P, Q)
    assert len(numbers) >= batch.smallest_batch
    assert not batch.all_members(numbers)
    named = [
        index
        for index, (first, last) in enumerate(spans)
        if batch.first_outsider(numbers[first:last]) is not None
    ]
    assert named == [17]


@pytest.mark.parametrize("position", [None, 0, 40, 77])
def test_a_batch_split_in_parts_settles_once_and_still_finds_an_outsider(position):
    """Parts of 3, 37 and 40 numbers (as chunks checked by different workers): their round
    products multiplied round by round, then raised to q once."""
    batch = SubgroupBatch(P, Q)
    assert batch.splittable
    numbers = members(80)
    if position is not None:
        numbers[position] = outsider(3, (3,))  # a square: only the rounds can catch it
        assert batch.precheck(numbers[position])
    parts = [numbers[:3], numbers[3:40], numbers[40:]]
    combined: list[int] = []
    for part in parts:
        products = batch.round_products(part)
        assert len(products) == batch.rounds == 81
        combined = batch.combine_rounds(combined, products)
    assert batch.rounds_hold(combined) is (position is None)
    held = [batch.rounds_hold(batch.round_products(part)) for part in parts]
    if position is not None:
        assert held == [not (lo <= position < hi) for lo, hi in ((0, 3), (3, 40), (40, 80))]
    assert batch.rounds_hold([]) and batch.combine_rounds([], combined) == combined


def test_a_safe_prime_s_batch_is_not_split():
    batch = SubgroupBatch(RFC_3526_2048.p, RFC_3526_2048.q)
    assert not batch.splittable
    with pytest.raises(ValueError, match="cannot be split"):
        batch.round_products(members(3, RFC_3526_2048))

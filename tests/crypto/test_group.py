"""The two groups of the specification, membership checks and exponentiation helpers."""

from __future__ import annotations

import pickle

import gmpy2
import pytest

from urne.crypto.errors import (
    DecryptionFailed,
    NonCanonicalNumber,
    NotInGroup,
    NotInSubgroup,
    UnsupportedElection,
    WrongType,
)
from urne.crypto.group import BELENIOS_2048, GROUPS, RFC_3526_2048, group_named

BOTH = pytest.mark.parametrize("group", [BELENIOS_2048, RFC_3526_2048], ids=lambda g: g.name)


@BOTH
def test_the_parameters_are_those_of_the_specification(group):
    assert gmpy2.is_prime(group.p) and gmpy2.is_prime(group.q)
    assert (group.p - 1) % group.q == 0
    assert gmpy2.powmod(group.g, group.q, group.p) == 1
    assert group.p.bit_length() == 2048
    assert group_named(group.name) is group


def test_belenios_2048_has_a_256_bit_order():
    assert BELENIOS_2048.q.bit_length() == 256
    assert str(BELENIOS_2048.q).startswith("7857173325107188")


def test_an_unknown_group_is_unsupported():
    with pytest.raises(UnsupportedElection, match="FFDH-3"):
        group_named("FFDH-3")
    assert set(GROUPS) == {"BELENIOS-2048", "RFC-3526-2048"}


@BOTH
def test_it_reads_an_element_and_refuses_what_is_not_one(group):
    element = group.pow_g(123456789)
    assert group.read_element(str(element), "x") == element
    with pytest.raises(NotInGroup) as zero:
        group.read_element("0", "alpha")
    assert not isinstance(zero.value, NotInSubgroup)
    assert zero.value.where == "alpha"
    with pytest.raises(NotInGroup):
        group.read_element(str(group.p), "x")
    with pytest.raises(NotInSubgroup):
        group.read_element(str(group.p - 1), "x")
    with pytest.raises(NonCanonicalNumber):
        group.read_element("-" + str(element), "x")
    with pytest.raises(NonCanonicalNumber):
        group.read_element("0" + str(element), "x")
    with pytest.raises(WrongType):
        group.read_element(int(element), "x")


@BOTH
def test_it_reads_exponents_reduced_modulo_q(group):
    assert group.read_exponent(str(group.q - 1), "x") == group.q - 1
    assert group.read_exponent("0", "x") == 0
    with pytest.raises(NonCanonicalNumber, match="modulo q"):
        group.read_exponent(str(group.q), "x")


@BOTH
def test_the_fast_exponentiations_agree_with_powmod(group):
    for exponent in (0, 1, 2, 255, 256, 65537, group.q - 1, group.q, group.q + 5, -3):
        expected = gmpy2.powmod(group.g, exponent % group.q, group.p)
        assert group.pow_g(exponent) == expected
    y = group.pow_g(987654321)
    assert group.fixed_base(y).pow(4242) == group.pow(y, 4242)
    assert group.fixed_base(y) is group.fixed_base(y)
    assert group.multi_exp([(group.g, 3), (y, 5)]) == group.mul(group.pow_g(3), group.pow(y, 5))
    assert group.div(group.mul(y, group.g), group.g) == y
    assert group.mul(y, group.inv(y)) == 1
    assert group.prod([group.g, group.g, group.g]) == group.pow_g(3)
    assert group.prod([]) == 1


def test_the_bounded_discrete_logarithm():
    group = BELENIOS_2048
    for m in (0, 1, 2, 99, 100, 12345):
        assert group.log_g(group.pow_g(m), 12345) == m
    assert group.log_g(1, 0) == 0
    with pytest.raises(DecryptionFailed):
        group.log_g(group.pow_g(101), 100)


@BOTH
def test_secret_exponentiations_agree_with_powmod(group):
    y = group.pow_g(31337)
    for exponent in (0, 1, 12345, group.q - 1, group.q + 2):
        assert group.pow_secret(y, exponent) == gmpy2.powmod(y, exponent % group.q, group.p)
        assert group.pow_g_secret(exponent) == group.pow_g(exponent)


@BOTH
def test_a_group_travels_to_another_process_by_name(group):
    group.pow_g(5)  # builds the table of g, which must not travel
    data = pickle.dumps(group)
    assert len(data) < 200
    assert pickle.loads(data) is group  # noqa: S301 - our own bytes

"""Fast modular exponentiation for the verifier and the simulator, and a sound batch test.

Everything here works on plain numbers (gmpy2 `mpz`) and a modulus; it does not know the protocol
and imports nothing from `urne.crypto` (so `urne.crypto.group` can call it). Results are always
the same numbers the plain `pow` gives: only the cost changes.

Where the time goes. Checking a ballot is dominated by exponentiations with 256-bit exponents
modulo a 2048-bit prime. gmpy2's `powmod` (GMP, in C) costs about as much as 150 products done
one by one from Python, so a Python-level algorithm pays only when it needs far fewer products:

- `FixedBaseTable`: for a base used thousands of times (g, and the election public key y), a table
  of base^(d·2^(w·i)) turns an exponentiation into one product per w-bit digit of the exponent
  (22 products for w = 12 instead of ~300 squarings and products). `prepare_fixed_base` builds
  one for this process and `prepared_table` finds it: `urne.crypto.group.Group.pow_g` and
  `Group.fixed_base` use a prepared table when there is one.
- `multi_exp(pairs, modulus)`: the product of many base^exponent. A few pairs: one `powmod` each
  (Straus's and Shamir's tricks, which share the squarings of a few bases, do not pay from Python:
  they need about as many products as two powmods, each product twice as dear as inside GMP).
  Many pairs: Pippenger's bucket method, which shares the work between all bases (about
  bits/c products per pair for c-bit windows, instead of ~150 product-equivalents).
- `pow_many(base, exponents, modulus)`: one base raised to several exponents, the squarings
  shared (a ballot's α and β are each raised to two to four challenges, and to q too when the
  ballot box tests their membership): cheaper than one powmod each from three exponents on.
- `SubgroupBatch`: checks that many numbers are all in the subgroup of order q with ~35 products
  each instead of one `powmod(x, q, p)` each. The test and why it is sound are described on the
  class. If the batch fails, `first_outsider` finds the first number outside by checking them
  one by one, so that a verifier can name the offending ballot. A batch can be split
  (`round_products` for each part, `combine_rounds`, then `rounds_hold` once): the verifier's
  workers test their chunks so, and its judge raises the rounds to q once for many chunks.
  The numbers come from `urne.crypto.group.Group.with_deferred_membership`: a group to read
  with that does only the cheap part of the subgroup test and records each number.
- `worker_pool(jobs, p, q, bases)`: the processor's cores for work split in chunks (ballots to
  check or to make): a process pool whose workers build their fixed-base tables once, at start.

What cannot be batched. Every proof of Belenios is written as (challenge, response): the verifier
recomputes each commitment A = g^response · X^challenge and hashes it. A random linear combination
can only check equations whose two sides are both known in advance; here the commitments are not
in the archive, so each must be computed exactly, one by one. That is why the proofs themselves
are checked individually (spread over the processor's cores by the verifier), and only the group
membership of the numbers, an equation with both sides known (x^q = 1), is batched.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor

import gmpy2

_SMALL_MULTI_EXP = 24
"""Below this many pairs, `multi_exp` calls powmod for each pair (faster than any Python loop)."""

_SECURITY_BITS = 128
"""A batch test accepts a set holding a number outside the subgroup with probability < 2^-128."""

_SHARED_SQUARINGS = 3
"""From this many exponents on, `pow_many` shares the squarings (below, one powmod each)."""

_SMALL_EXPONENT = 16
"""`FixedBaseTable` keeps its results for exponents from -16 to 16."""


def window_for(uses: int, bits: int = 256) -> int:
    """The table width w that minimizes the cost of building a fixed-base table (about
    bits/w · 2^w products) plus `uses` exponentiations with it (bits/w products each)."""

    def cost(w: int) -> int:
        rows = -(-bits // w)
        return rows * (1 << w) + uses * rows

    return min(range(4, 13), key=cost)


class FixedBaseTable:
    """base^e modulo `modulus` with one product per `window`-bit digit of e.

    Row i holds base^(d·2^(window·i)) for d in 0..2^window − 1, for enough rows to cover
    exponents below 2^`bits`. `order` (q), when given, is used to reduce exponents first, so any
    integer, negative ones included, can be given to `pow`.
    """

    def __init__(
        self, base: int, modulus: int, bits: int, window: int = 8, order: int | None = None
    ) -> None:
        if not 1 <= window <= 16:
            raise ValueError("a window of 1 to 16 bits")
        self.base = gmpy2.mpz(base)
        self.modulus = gmpy2.mpz(modulus)
        self.order = None if order is None else gmpy2.mpz(order)
        self._order = None if order is None else int(order)
        self._small: dict[int, int] = {}
        """Results for tiny exponents (such as the -1 of g^-1 in every 0/1 proof), kept."""
        self.bits = bits
        self.window = window
        self._mask = (1 << window) - 1
        one = gmpy2.mpz(1)
        m = self.modulus
        rows: list[list[int]] = []
        row_base = gmpy2.f_mod(self.base, m)
        for _ in range(-(-bits // window)):
            row = [one, row_base]
            previous = row_base
            for _ in range(2, 1 << window):
                previous = previous * row_base % m
                row.append(previous)
            rows.append(row)
            row_base = previous * row_base % m
        self.rows = rows

    def pow(self, exponent: int) -> int:
        """base^exponent modulo the modulus (reduced modulo `order` first when it was given)."""
        e = int(exponent)
        if -_SMALL_EXPONENT <= e <= _SMALL_EXPONENT:
            known = self._small.get(e)
            if known is not None:
                return known
            if e < 0 and self._order is None:
                raise ValueError("a negative exponent needs the base's order")
            result = self._pow(e % self._order if e < 0 and self._order else e)
            self._small[e] = result
            return result
        if self._order is not None:
            e %= self._order
        elif e < 0:
            raise ValueError("a negative exponent needs the base's order")
        return self._pow(e)

    def _pow(self, e: int) -> int:
        if e.bit_length() > self.bits:
            raise ValueError(f"exponent of {e.bit_length()} bits for a {self.bits}-bit table")
        m = self.modulus
        mask = self._mask
        w = self.window
        result = None
        for row in self.rows:
            if not e:
                break
            digit = e & mask
            if digit:
                result = row[digit] if result is None else result * row[digit] % m
            e >>= w
        return gmpy2.mpz(1) if result is None else result


_PREPARED: dict[tuple[int, int], FixedBaseTable] = {}


def prepare_fixed_base(base: int, modulus: int, order: int, uses: int = 100_000) -> FixedBaseTable:
    """Build (once per process) and register a table for `base`, sized for about `uses`
    exponentiations; `prepared_table` then finds it. A worker process calls this in its
    initializer for g and the election public key."""
    key = (modulus, base)
    window = window_for(uses, int(order).bit_length())
    table = _PREPARED.get(key)
    if table is None or table.window < window:
        table = FixedBaseTable(base, modulus, int(order).bit_length(), window, order)
        _PREPARED[key] = table
    return table


def prepared_table(base: int, modulus: int) -> FixedBaseTable | None:
    """The table `prepare_fixed_base` registered for `base`, if any."""
    if not _PREPARED:
        return None
    return _PREPARED.get((modulus, base))


def forget_prepared_tables() -> None:
    """Drop every prepared table (tests; or to give the memory back)."""
    _PREPARED.clear()


def forget_tables(tables: Iterable[FixedBaseTable]) -> None:
    """Drop these prepared tables (those still registered)."""
    for table in tables:
        key = (table.modulus, table.base)
        if _PREPARED.get(key) is table:
            del _PREPARED[key]


def multi_exp(pairs: Iterable[tuple[int, int]], modulus: int) -> int:
    """The product of base^exponent over `pairs`, modulo `modulus` (exponents >= 0).

    One powmod per pair for a few pairs; Pippenger's bucket method for many.
    """
    items = [(gmpy2.mpz(base), gmpy2.mpz(exponent)) for base, exponent in pairs]
    m: int = gmpy2.mpz(modulus)
    if any(exponent < 0 for _, exponent in items):
        raise ValueError("multi_exp takes exponents >= 0")
    if len(items) < _SMALL_MULTI_EXP:
        result: int = gmpy2.mpz(1) % m
        for base, exponent in items:
            result = result * gmpy2.powmod(base, exponent, m) % m
        return result
    return _pippenger(items, m)


def _pippenger(items: Sequence[tuple[int, int]], m: int) -> int:
    bits = max((exponent.bit_length() for _, exponent in items), default=0)
    one: int = gmpy2.mpz(1) % m
    if bits == 0:
        return one
    # c-bit windows: each pair costs one product per window, each window 2·2^c products to add
    # the buckets up; c ≈ log2(n) balances the two.
    c = max(1, min(16, int(math.log2(len(items))) - 1, bits))
    mask = (1 << c) - 1
    result: int | None = None
    for start in reversed(range(0, bits, c)):
        if result is not None:
            for _ in range(c):
                result = result * result % m
        buckets: list[int | None] = [None] * (1 << c)
        for base, exponent in items:
            digit = int((exponent >> start) & mask)
            if digit:
                held = buckets[digit]
                buckets[digit] = base if held is None else held * base % m
        # Σ d·bucket[d] as a product: running = Π_{k>=d} bucket[k], total = Π_d running.
        running: int | None = None
        total: int | None = None
        for digit in range(mask, 0, -1):
            held = buckets[digit]
            if held is not None:
                running = held if running is None else running * held % m
            if running is not None:
                total = running if total is None else total * running % m
        if total is not None:
            result = total if result is None else result * total % m
    return one if result is None else result % m


def pow_many(base: int, exponents: Sequence[int], modulus: int, window: int = 4) -> list[int]:
    """base^e modulo `modulus` for each e of `exponents` (all >= 0), sharing the squarings.

    For one base raised to several exponents (a ciphertext's α under the two to four challenges
    of the proofs that name it). Right to left: base^(2^(window·i)) is computed once for all the
    exponents, and each exponent only multiplies those powers into one bucket per digit value
    (Yao's method): about bits squarings in all, then bits/window + 2^(window+1) products per
    exponent. On 2048-bit numbers with 256-bit exponents this beats one GMP powmod each from
    three exponents on (measured again on 2 December 2026, under load: about 6 % for three,
    25 % for four, 28 % for five); one or two exponents go to powmod.
    """
    m = gmpy2.mpz(modulus)
    values = [int(exponent) for exponent in exponents]
    if any(value < 0 for value in values):
        raise ValueError("pow_many takes exponents >= 0")
    if len(values) < _SHARED_SQUARINGS:
        return [gmpy2.powmod(base, value, m) for value in values]
    mask = (1 << window) - 1
    digits = -(-max(value.bit_length() for value in values) // window)
    buckets: list[list[int | None]] = [[None] * (1 << window) for _ in values]
    power = gmpy2.f_mod(gmpy2.mpz(base), m)
    for index in range(digits):
        shift = window * index
        for held, value in zip(buckets, values, strict=True):
            digit = (value >> shift) & mask
            if digit:
                current = held[digit]
                held[digit] = power if current is None else current * power % m
        if index + 1 < digits:
            for _ in range(window):
                power = power * power % m
    results: list[int] = []
    for held in buckets:
        # Σ d·bucket[d] as a product: running = Π_{k>=d} bucket[k], total = Π_d running.
        running: int | None = None
        total: int | None = None
        for digit in range(mask, 0, -1):
            current = held[digit]
            if current is not None:
                running = current if running is None else running * current % m
            if running is not None:
                total = running if total is None else total * running % m
        results.append(gmpy2.mpz(1) % m if total is None else total)
    return results


class BatchMembershipFailed(Exception):
    """Some number of the batch is not in the subgroup (`SubgroupBatch.check`)."""


class SubgroupBatch:
    """Checks at once that many numbers x are in the subgroup of order q of Z*p (x^q = 1).

    Each number is first checked alone for what is cheap: 1 <= x < p and a Jacobi symbol of 1
    (every element of the subgroup is a square, q being odd). The rest is a small-exponent test
    repeated `rounds` times: draw e_i uniformly in {0, 1, 2} and check (Π x_i^e_i)^q = 1.

    Why it is sound. Write p − 1 = q·h. When q does not divide h, Z*p is the direct product of
    the subgroup of order q and a group of order h, so each x is s·t with s^q = 1, and x is in the
    subgroup iff t = 1; the test holds iff Π t_i^e_i = 1. If some t_k ≠ 1 has order d, fix every
    other e_i: e_k must then hit one value of t_k^e, and 0, 1, 2 give three different values as
    soon as d >= 3, so a round passes with probability at most 1/3. The Jacobi symbol rules out
    d = 2 when p − 1 has a single factor 2 (t_k of even order would make x a non-square). With
    independent rounds, a set holding an outsider passes with probability at most 3^−rounds:
    81 rounds < 2^−128. The test holds for any h, even one with small factors (BELENIOS-2048 has
    h = 2·3·(a 1790-bit number)): that is why the exponents stay this small and the rounds many.

    When p − 1 has more than one factor 2 the Jacobi symbol is not enough: order-2 components pass
    a round with probability 2/3 and the rounds are counted accordingly. When q divides h, no
    batch test is sound and `check` checks each number alone. For a safe prime (h = 2) the Jacobi
    symbol alone decides and no round is needed.

    The rounds share their work: numbers go by threes, whose 27 products x1^a·x2^b·x3^c are
    computed once; a round then costs one product per three numbers.
    """

    def __init__(self, p: int, q: int, security_bits: int = _SECURITY_BITS) -> None:
        self.p = gmpy2.mpz(p)
        self.q = gmpy2.mpz(q)
        cofactor, remainder = divmod(self.p - 1, self.q)
        if remainder:
            raise ValueError("q does not divide p − 1")
        self._cofactor = cofactor
        self._exact_jacobi = cofactor == 2
        self._batchable = gmpy2.gcd(cofactor, self.q) == 1
        single_two = (self.p - 1) % 4 != 0
        per_round = 1 / 3 if single_two else 2 / 3
        self.rounds = 0 if self._exact_jacobi else math.ceil(security_bits / -math.log2(per_round))
        # A batch costs `rounds` powmods plus about a fifth of a powmod per number: below this
        # many numbers, one powmod each is cheaper.
        self.smallest_batch = max(3, self.rounds * 5 // 4)

    def is_member(self, x: int) -> bool:
        """The plain test of one number: 1 <= x < p and x^q = 1."""
        value = gmpy2.mpz(x)
        if not 0 < value < self.p:
            return False
        if self._exact_jacobi:
            return bool(gmpy2.jacobi(value, self.p) == 1)
        return bool(gmpy2.powmod(value, self.q, self.p) == 1)

    def precheck(self, x: int) -> bool:
        """The cheap part of the test, done for each number: range and Jacobi symbol."""
        value = gmpy2.mpz(x)
        return bool(0 < value < self.p and gmpy2.jacobi(value, self.p) == 1)

    def all_members(self, values: Sequence[int], prechecked: bool = False) -> bool:
        """Whether every number of `values` is in the subgroup (wrong with probability at most
        2^−security_bits when some is not; never wrong when all are).

        `prechecked`: every number already passed `precheck` (range and Jacobi symbol), as the
        numbers read through `urne.crypto.group.Group.with_deferred_membership` did; the batch
        then does not compute those symbols a second time.
        """
        numbers = [gmpy2.mpz(value) for value in values]
        if not prechecked and not all(self.precheck(value) for value in numbers):
            return False
        if self._exact_jacobi or not numbers:
            return True
        if not self._batchable or len(numbers) < self.smallest_batch:
            return all(self.is_member(value) for value in numbers)
        return self.rounds_hold(self.round_products(numbers))

    @property
    def splittable(self) -> bool:
        """Whether a batch can be split (`round_products` on each part, `rounds_hold` once): the
        group needs rounds (not a safe prime) and allows a batch at all (q does not divide h)."""
        return self._batchable and not self._exact_jacobi

    def round_products(self, values: Sequence[int]) -> list[int]:
        """The batch test of `values` (all of which passed `precheck`) without its last step:
        the product Π x_i^e_i of each round, not yet raised to q.

        A batch split over several parts (the chunks of ballots that worker processes check):
        each part gives its products, `combine_rounds` multiplies them round by round, and
        `rounds_hold` raises each to q once. That is the same test as `all_members` on all the
        numbers together, with the same bound: each number gets its own uniform exponents in
        every round, whichever part drew them, and a round's product over the parts is the
        round's product over all the numbers. Its cost: `rounds` exponentiations in all, instead
        of `rounds` for each part. Only for a group that is `splittable`.
        """
        if not self.splittable:
            raise ValueError("this group's batch cannot be split (see `splittable`)")
        numbers = [gmpy2.mpz(value) for value in values]
        p = self.p
        triples = [
            _triple_table(numbers[i : i + 3], p)
            for i in range(0, len(numbers) - len(numbers) % 3, 3)
        ]
        leftovers = numbers[len(numbers) - len(numbers) % 3 :]
        products: list[int] = []
        for _ in range(self.rounds):
            draws = _uniform_below_27(len(triples) + len(leftovers))
            product = gmpy2.mpz(1)
            for table, draw in zip(triples, draws, strict=False):
                if draw:
                    product = product * table[draw] % p
            for value, draw in zip(leftovers, draws[len(triples) :], strict=True):
                exponent = draw % 3
                if exponent:
                    product = product * gmpy2.powmod(value, exponent, p) % p
            products.append(product)
        return products

    def combine_rounds(self, first: Sequence[int], second: Sequence[int]) -> list[int]:
        """The round products of two parts of a batch, multiplied round by round (an empty
        sequence is a part with no number)."""
        if not first or not second:
            return list(first or second)
        p = self.p
        return [a * b % p for a, b in zip(first, second, strict=True)]

    def rounds_hold(self, products: Sequence[int]) -> bool:
        """The last step of the batch test: each round's product raised to q gives 1 (true for
        no products: a batch of no number)."""
        return all(gmpy2.powmod(product, self.q, self.p) == 1 for product in products)

    def first_outsider(self, values: Sequence[int]) -> int | None:
        """The index of the first number not in the subgroup, checked one by one; None if all
        are members."""
        for index, value in enumerate(values):
            if not self.is_member(value):
                return index
        return None

    def check(self, values: Sequence[int]) -> None:
        """Raise `BatchMembershipFailed` (naming the first outsider's index) unless all are
        members."""
        if self.all_members(values):
            return
        index = self.first_outsider(values)
        if index is None:  # pragma: no cover - only if the batch test were wrong, which it is not
            raise AssertionError("the batch test failed but every number is a member")
        raise BatchMembershipFailed(f"number {index} is not in the subgroup of order q")


def _triple_table(three: Sequence[int], p: int) -> list[int]:
    # table[a + 3b + 9c] = x1^a · x2^b · x3^c for a, b, c in {0, 1, 2}.
    x1, x2, x3 = three
    powers1 = [gmpy2.mpz(1), x1, x1 * x1 % p]
    powers2 = [gmpy2.mpz(1), x2, x2 * x2 % p]
    powers3 = [gmpy2.mpz(1), x3, x3 * x3 % p]
    first_two = [
        a if not b_index else (b if not a_index else a * b % p)
        for b_index, b in enumerate(powers2)
        for a_index, a in enumerate(powers1)
    ]
    table = []
    for c_index, c in enumerate(powers3):
        for ab_index, ab in enumerate(first_two):
            table.append(ab if not c_index else (c if not ab_index else ab * c % p))
    return table


def _uniform_below_27(count: int) -> list[int]:
    """`count` numbers uniform in 0..26 from the operating system's generator (a byte below
    243 = 9·27 gives one; the others are drawn again)."""
    result: list[int] = []
    while len(result) < count:
        need = count - len(result)
        result.extend(
            byte % 27 for byte in secrets.token_bytes(need + need // 16 + 8) if byte < 243
        )
    del result[count:]
    return result


def default_jobs() -> int:
    """How many processes to use by default: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _prepare_worker(modulus: int, order: int, bases: Sequence[int], uses: int) -> None:
    for base in bases:
        prepare_fixed_base(base, modulus, order, uses)


@contextlib.contextmanager
def worker_pool(
    jobs: int | None, modulus: int, order: int, bases: Sequence[int], uses: int
) -> Iterator[Executor | None]:
    """A pool of `jobs` processes (default: `default_jobs()`), each with fixed-base tables for
    `bases`, each table sized for `uses` exponentiations in all (shared between the processes);
    None when one process is asked for, the tables then being built here (and dropped at the
    end).

    The processes start at once and each builds its own tables: in parallel with each other and
    with what the caller does meanwhile (the verifier checks the setup), where tables built here
    before forking would hold every core back.
    """
    count = default_jobs() if jobs is None else max(1, jobs)
    share = max(1, uses // count)
    built = [base for base in bases if prepared_table(base, modulus) is None]
    try:
        if count == 1:
            _prepare_worker(modulus, order, bases, share)
            yield None
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        pool = ProcessPoolExecutor(
            max_workers=count,
            mp_context=context,
            initializer=_prepare_worker,
            initargs=(modulus, order, list(bases), share),
        )
        # Forked processes are all started by the first task: start them now.
        pool.submit(int)
        try:
            yield pool
        except BaseException:
            # The caller stopped at a failure: the work still queued is of no use.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        for base in built:
            _PREPARED.pop((modulus, base), None)

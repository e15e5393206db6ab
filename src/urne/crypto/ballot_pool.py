"""The verifier's worker processes: ballots checked by chunks on every core, reports in order.

`urne.crypto.verifier` says what must hold; this module only spreads the costly part over the
processor's cores and hands back, in the archive's order, what each chunk found. It judges
nothing (whether a credential is in the list, whether it voted twice): the verifier does, with
the reports.

- `check_chunk` (run in a worker): reads each ballot of a chunk and checks its proofs, runs the
  batch test of the group membership of all the numbers of the chunk's good ballots
  (`urne.crypto.fastexp.SubgroupBatch`: a number outside the group passes with probability below
  2^−128) but its last step, the round products raised to q, which the caller settles once for
  many chunks (`ChunkReport.rounds`); and multiplies the good ballots' ciphertexts, each raised
  to its credential's weight.
- `ballot_pool(...)`: a `BallotPool` over a process pool (`urne.crypto.fastexp.worker_pool`, each
  worker with fixed-base tables for g and the election public key), sized for the archive:
  `judge_with` the callback once the setup is checked, `add` a ballot record as the archive is
  read, `drain` at the end; each report goes to the judge in the archive's order, so the ballot
  named at fault is the first one.

Only texts and plain numbers travel to the workers (the election as its text, read once per
worker by `urne.crypto.election.read_election_once`); the credential list, which can hold a
million entries, stays with the caller.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from urne.crypto.archive import BallotRecord
from urne.crypto.ballot import read_ballot, verify_ballot_proofs
from urne.crypto.election import Election, read_election_once
from urne.crypto.elgamal import Ciphertext
from urne.crypto.errors import InvalidBallot
from urne.crypto.fastexp import SubgroupBatch, default_jobs, worker_pool
from urne.crypto.tally import TallyAccumulator

# Small chunks keep the workers evenly busy until the end, big ones cost less in messages (and,
# before the batch test's last step was left to the caller, 81 exponentiations each). So the
# chunks shrink as the archive is read (guided scheduling): each takes about a quarter of a
# worker's share of the ballots still to come, between CHUNK_MIN and CHUNK_MAX.
CHUNK_MAX = 128
CHUNK_MIN = 12


@dataclass(frozen=True)
class ChunkReport:
    """What a worker found in a chunk of ballots."""

    start: int
    """The index (from 0, in the archive's order) of the chunk's first ballot."""
    credentials: list[int | None]
    """each ballot's public credential; None for a ballot that failed a check"""
    tally: tuple[tuple[Ciphertext, ...], ...] | None
    """the weighted product of the chunk's ballots, when every one passed"""
    total_weight: int
    rounds: tuple[int, ...] = ()
    """When not empty, the group membership of the numbers of the ballots that passed is still
    to be settled: these are their batch test's round products
    (`urne.crypto.fastexp.SubgroupBatch.round_products`), which the caller multiplies with other
    chunks' and raises to q once for many chunks (`rounds_hold`). Empty: settled here (a group
    whose batch cannot be split), or no ballot passed."""


Judge = Callable[[Sequence[BallotRecord], ChunkReport], None]
"""Given the records of a chunk and its report, in the archive's order; raises to stop."""


def check_chunk(
    election_text: str, weights: Mapping[int, int], start: int, texts: Sequence[str]
) -> ChunkReport:
    """Check the proofs of a chunk of ballots; their numbers' membership in one batch, whose
    last step (81 exponentiations however many numbers) is left to the caller (`ChunkReport.
    rounds`) so that it is paid once for many chunks.

    `weights` gives only the weights other than 1 (the list itself stays with the caller, who
    checks each credential against it).
    """
    election = read_election_once(election_text)
    group = election.group
    accumulator = TallyAccumulator(election)
    credentials: list[int | None] = []
    numbers: list[int] = []
    spans: list[tuple[int, int]] = []
    for text in texts:
        first = len(numbers)
        try:
            ballot = read_ballot(election, text, deferred=numbers)
            verify_ballot_proofs(election, ballot)
        except InvalidBallot:
            credentials.append(None)
        else:
            credentials.append(ballot.credential)
            accumulator.add(ballot, weights.get(ballot.credential, 1))
        spans.append((first, len(numbers)))
    batch = SubgroupBatch(group.p, group.q)
    # The ballots refused already are left out: their numbers need no test.
    passed = [index for index, credential in enumerate(credentials) if credential is not None]
    tested = [x for i in passed for x in numbers[slice(*spans[i])]]
    rounds: tuple[int, ...] = ()
    if batch.splittable:
        rounds = tuple(batch.round_products(tested)) if tested else ()
    elif not batch.all_members(tested, prechecked=True):
        # Some number is outside the subgroup: find its ballot(s), one by one.
        for index in passed:
            if not batch.all_members(numbers[slice(*spans[index])]):
                credentials[index] = None
    clean = all(credential is not None for credential in credentials)
    return ChunkReport(
        start=start,
        credentials=credentials,
        tally=accumulator.result().ciphertexts if clean else None,
        total_weight=accumulator.total_weight,
        rounds=rounds,
    )


def chunk_size(remaining_ballots: int | None, workers: int) -> int:
    """Ballots in the next chunk: `CHUNK_MAX` for one process, else a quarter of a worker's
    share of the ballots still to come, between `CHUNK_MIN` and `CHUNK_MAX`."""
    if remaining_ballots is None or workers == 1:
        return CHUNK_MAX
    return max(CHUNK_MIN, min(CHUNK_MAX, -(-remaining_ballots // (workers * 4))))


@dataclass
class _Pending:
    """A chunk of ballots sent to a worker, with its records (to name them)."""

    records: list[BallotRecord]
    outcome: Future[ChunkReport] | ChunkReport


class BallotPool:
    """Sends the ballots to the workers chunk by chunk, as the archive is read, and hands the
    reports to `judge` in the archive's order."""

    def __init__(
        self,
        election: Election,
        executor: Executor | None,
        workers: int,
        chunk: int | None,
        expected_ballots: int | None = None,
    ) -> None:
        self.election_text = election.text
        self.weights: dict[int, int] = {}
        self.executor = executor
        self.workers = workers
        self.chunk = chunk
        """a fixed number of ballots per chunk; None: `chunk_size` of what is still to come"""
        self.expected = expected_ballots
        self.judge: Judge | None = None
        self.count = 0
        self.buffer: list[BallotRecord] = []
        self.pending: deque[_Pending] = deque()

    def judge_with(self, judge: Judge, weights: Mapping[int, int]) -> None:
        """Who judges the reports, and the weights other than 1 (all the workers need of the
        credential list): given once the setup is checked, before the first ballot is added."""
        self.judge = judge
        self.weights = dict(weights)

    def add(self, record: BallotRecord) -> None:
        self.buffer.append(record)
        self.count += 1
        if len(self.buffer) >= self._size():
            self._send()
        # Keep the workers busy without holding the whole archive in memory.
        while len(self.pending) > 2 * self.workers:
            self._report(self.pending.popleft())

    def _size(self) -> int:
        if self.chunk is not None:
            return self.chunk
        first = self.count - len(self.buffer)  # the first ballot of the chunk being filled
        remaining = None if self.expected is None else max(0, self.expected - first)
        return chunk_size(remaining, self.workers)

    def drain(self) -> None:
        """Send what is buffered; wait for every chunk, judged in order."""
        if self.buffer:
            self._send()
        while self.pending:
            self._report(self.pending.popleft())

    def _send(self) -> None:
        records, self.buffer = self.buffer, []
        start = self.count - len(records)
        arguments = (self.election_text, self.weights, start, [r.ballot for r in records])
        outcome = (
            check_chunk(*arguments)
            if self.executor is None
            else self.executor.submit(check_chunk, *arguments)
        )
        self.pending.append(_Pending(records, outcome))

    def _report(self, pending: _Pending) -> None:
        outcome = pending.outcome
        report = outcome if isinstance(outcome, ChunkReport) else outcome.result()
        if self.judge is None:
            raise RuntimeError("a ballot pool's reports need a judge (`judge_with`)")
        self.judge(pending.records, report)


@contextlib.contextmanager
def ballot_pool(
    election: Election,
    jobs: int | None = None,
    expected_ballots: int | None = None,
    chunk: int | None = None,
) -> Iterator[BallotPool]:
    """A `BallotPool` on `jobs` processes (default: one per core, or just this one for a few
    ballots), its chunks of `chunk` ballots, or shrinking as the `expected_ballots` are read
    (`chunk_size`); the processes start at once (building their tables while the caller checks
    the setup) and end with the block. The caller names the judge (`BallotPool.judge_with`)
    before adding ballots."""
    workers = default_jobs() if jobs is None else max(1, jobs)
    if jobs is None and expected_ballots is not None and expected_ballots < 2 * CHUNK_MIN:
        workers = 1  # starting processes would cost more than it saves
    # Exponentiations with each of g and y, about, for the tables' size: 39 a ballot of 7
    # choices for the two.
    uses = 20 * max(1, expected_ballots or 1000)
    group = election.group
    with worker_pool(workers, group.p, group.q, [group.g, election.public_key], uses) as executor:
        yield BallotPool(election, executor, workers, chunk, expected_ballots)

"""The universal verification of an election: what `urne verify` checks on a `.bel` archive.

Anyone can run it on a scrutin's public archive. It checks what `belenios-tool election verify`
checks, with urne's stricter rule that a vote is final, in this order, and stops at the first
check that fails, which `VerificationFailed` names in a plain sentence:

1. the archive itself: every file named by the hash of its content, the events chained, in an
   order the protocol allows (`urne.crypto.archive` reads it; see `verify_archive`);
2. the setup: the election parameters, every trustee's proofs (proofs of knowledge of the keys,
   or the threshold ceremony's signed certificates, commitments and verification keys), the
   election public key being the product of the trustees' keys, the public credentials being
   distinct group elements;
3. every ballot, as the ballot box checks it (`urne.crypto.ballot.check_ballot`): its form, its
   credential in the list, every zero-knowledge proof, its signature;
4. no second ballot for a credential: Belenios accepts a new vote that replaces the former one,
   urne does not (a vote is final), so a second ballot, even the same one again, is an error;
5. once the vote is closed, the encrypted tally: the number of ballots, their total weight, and
   the ciphertexts being the product of every ballot's (each raised to its weight);
6. every partial decryption: its trustee exists, sent one, and proved each decryption factor;
7. the result: the combination of the partial decryptions (Lagrange interpolation for threshold
   trustees) decrypts the tally to exactly the published counts.

Entry points: `verify_archive(path)` for a `.bel` file, `verify_records(records)` for the records
an `urne.crypto.archive.ArchiveReader` yields. When all holds they return a `Summary` (ballots,
total weight, result per question, and the archive's fingerprint: the hash of its last event);
with `earlier`, the fingerprint of an archive verified before, they also check that the board
only grew since. `count_ballots(path)` reads just the events, for progress bars.

Speed. Ballots are read as the archive streams in and checked in worker processes (`jobs`,
default one per core), by chunks: `urne.crypto.ballot_pool` runs the costly part (each ballot's
proofs; the group membership of all the numbers of a chunk at once, but for its last step, which
the judge runs once for many chunks) and hands back, in the archive's order, what each chunk
found; this module judges it (`_BallotJudge`). A ballot a
worker refuses is checked again here with the ballot box's own checks, so that the message is
exactly the ballot box's; the ballot named is the first at fault.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from urne.crypto.archive import (
    ArchiveReader,
    BallotRecord,
    EncryptedTallyRecord,
    EndBallotsRecord,
    EventType,
    InvalidArchive,
    PartialDecryptionRecord,
    Record,
    ResultRecord,
    SetupRecord,
    scan,
)
from urne.crypto.ballot import check_ballot, read_ballot
from urne.crypto.ballot_pool import ChunkReport, ballot_pool
from urne.crypto.credentials import PublicCredentials
from urne.crypto.election import Election, read_election
from urne.crypto.elgamal import Ciphertext
from urne.crypto.errors import (
    CryptoError,
    DecryptionFailed,
    InvalidBallot,
    InvalidPartialDecryption,
    InvalidTrustees,
    MalformedData,
    UnsupportedElection,
)
from urne.crypto.fastexp import SubgroupBatch
from urne.crypto.group import Element, Group
from urne.crypto.hashing import hash_json
from urne.crypto.jsonio import loads
from urne.crypto.tally import (
    EncryptedTally,
    PartialDecryption,
    Result,
    decrypt_tally,
    verify_partial_decryption,
)
from urne.crypto.trustees import (
    Trustee,
    decryption_slots,
    election_public_key,
    read_trustees,
    verify_trustees,
)

Progress = Callable[[int, int], None]
"""Called with (ballots checked, ballots) as the ballots are checked."""


class Check(enum.Enum):
    """The kind of check that failed (stable identifiers, for `--json`)."""

    ARCHIVE = "archive"
    ELECTION = "election"
    TRUSTEES = "trustees"
    CREDENTIALS = "credentials"
    BALLOT = "ballot"
    SECOND_BALLOT = "second-ballot"
    TALLY = "tally"
    PARTIAL_DECRYPTION = "partial-decryption"
    RESULT = "result"


class VerificationFailed(CryptoError):
    """A check of the election failed. `check` says which kind, `str(error)` says it in words."""

    def __init__(self, check: Check, message: str, ballot: int | None = None) -> None:
        self.check = check
        self.message = message
        self.ballot = ballot
        """The number (from 1, in the archive's order) of the ballot at fault, if any."""
        super().__init__(message)


@dataclass(frozen=True)
class Summary:
    """What a successful verification established."""

    uuid: str
    name: str
    questions: tuple[tuple[str, tuple[str, ...], bool], ...]
    """(question, answers, blank allowed) for each question."""
    voters: int
    """entries in the public credential list"""
    ballots: int
    total_weight: int
    stage: str
    """"open" (ballots still come in), "closed" (the vote is over, not tallied yet), "tallied"."""
    result: Result | None
    fingerprint: str = ""
    """The hash of the archive's last event: it names this state of the board (two archives
    with the same fingerprint hold the same events), and a later archive holds it if nothing was
    removed since (`verify_records`' `earlier`)."""
    events: int = 0
    seconds: float = field(default=0.0, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "uuid": self.uuid,
            "name": self.name,
            "stage": self.stage,
            "fingerprint": self.fingerprint,
            "events": self.events,
            "voters": self.voters,
            "ballots": self.ballots,
            "total_weight": self.total_weight,
            "questions": [
                {"question": question, "answers": list(answers), "blank": blank}
                for question, answers, blank in self.questions
            ],
            "result": None if self.result is None else [list(row) for row in self.result.counts],
            "seconds": round(self.seconds, 3),
        }


# --- the ballots ---------------------------------------------------------------------------------


def _ballot_name(number: int, record: BallotRecord) -> str:
    return (
        f"ballot {number} (event {record.event.event.height}, tracker {hash_json(record.ballot)})"
    )


def _plain_ballot_error(election: Election, text: str, credentials: PublicCredentials) -> str:
    """The ballot box's own message for a ballot a worker found at fault."""
    try:
        check_ballot(election, text, credentials)
    except InvalidBallot as error:
        return str(error)
    # The batch test never refuses a set of members: the worker and the plain checks disagree.
    raise RuntimeError("a ballot refused in a worker passes the plain checks")


# --- the setup ----------------------------------------------------------------------------------


def _read_setup_election(setup: SetupRecord) -> Election:
    try:
        return read_election(setup.election)
    except (MalformedData, UnsupportedElection) as error:
        raise VerificationFailed(
            Check.ELECTION, f"the election parameters cannot be read: {error}"
        ) from None


@dataclass(frozen=True)
class _Setup:
    """The setup's trustees and credentials, checked but for the credentials' group membership
    when `credential_rounds` is not empty: the rounds of its batch test, which the judge settles
    with the ballots' (`_BallotJudge.settle`), before anything is named at fault."""

    trustees: tuple[Trustee, ...]
    credentials: PublicCredentials
    credential_numbers: list[int]
    credential_rounds: list[int]


def _check_setup(election: Election, setup: SetupRecord) -> _Setup:
    group = election.group
    try:
        trustees = read_trustees(group, loads(setup.trustees))
    except MalformedData as error:
        raise VerificationFailed(
            Check.TRUSTEES, f"the trustees' public keys cannot be read: {error}"
        ) from None
    try:
        verify_trustees(group, trustees)
    except InvalidTrustees as error:
        raise VerificationFailed(
            Check.TRUSTEES, f"a trustee's key does not verify: {error}"
        ) from None
    if election_public_key(group, trustees) != election.public_key:
        raise VerificationFailed(
            Check.TRUSTEES,
            "the election public key is not the one the trustees' keys make together",
        )
    numbers: list[int] = []
    try:
        # Read with the x^q = 1 tests left to one batch (the range and the Jacobi symbol are
        # checked as each number is read).
        reading = group.with_deferred_membership(numbers)
        credentials = PublicCredentials.from_json(reading, loads(setup.credentials))
    except MalformedData as error:
        raise VerificationFailed(
            Check.CREDENTIALS, f"the public credential list cannot be read: {error}"
        ) from None
    batch = SubgroupBatch(group.p, group.q)
    if numbers and batch.splittable and len(numbers) >= batch.smallest_batch:
        # Its last step (81 exponentiations) is paid once with the ballots' (`_BallotJudge`).
        return _Setup(trustees, credentials, numbers, batch.round_products(numbers))
    if not batch.all_members(numbers, prechecked=True):
        _credential_outsider(batch, numbers)
    return _Setup(trustees, credentials, [], [])


def _credential_outsider(batch: SubgroupBatch, numbers: Sequence[int]) -> None:
    outsider = batch.first_outsider(numbers)
    raise VerificationFailed(
        Check.CREDENTIALS,
        f"public credential {(outsider or 0) + 1} is not an element of the group",
    )


_SETTLE_EVERY = 16_000_000
"""Characters of ballots (about a thousand of 7 choices) whose group membership the judge leaves
unsettled at most: their texts are kept until then, to name a ballot at fault."""


class _BallotJudge:
    """Judges the ballots from the workers' reports, in the archive's order (the first ballot at
    fault is the one named): every check passed, a credential of the list, one ballot each; and
    multiplies the chunks' products into the encrypted tally.

    The workers leave the last step of their batch membership test to the judge (`ChunkReport.
    rounds`): it multiplies the round products of the chunks as they come and raises them to q
    once for many chunks (`settle`: before the tally, before naming any ballot at fault, and
    every `_SETTLE_EVERY` characters of ballots), 81 exponentiations instead of 81 a chunk. The
    chunks not settled yet are kept; if their test fails, the ballot named is the first whose
    numbers fail the plain test, as it would have been had each chunk been tested alone."""

    def __init__(
        self,
        election: Election,
        setup: _Setup,
        progress: Progress | None,
        expected: int | None,
    ) -> None:
        self.election = election
        self.credentials = setup.credentials
        self.progress = progress
        self.expected = expected
        self.count = 0
        """ballots read so far (sent to the workers)"""
        self.checked = 0
        self.total_weight = 0
        self.seen: dict[int, tuple[int, str]] = {}
        self.rows: list[list[Ciphertext]] = [
            [_ONE] * question.choice_count for question in election.questions
        ]
        self.batch = SubgroupBatch(election.group.p, election.group.q)
        self._unsettled: list[tuple[Sequence[BallotRecord], ChunkReport]] = []
        self._unsettled_size = 0
        self._credential_numbers = setup.credential_numbers
        self._credential_rounds = setup.credential_rounds
        self._rounds: list[int] = list(setup.credential_rounds)

    @property
    def weights(self) -> dict[int, int]:
        """The weights other than 1: all the workers need of the credential list."""
        return {int(c): w for c, w in self.credentials.items() if w != 1}

    def tally(self) -> EncryptedTally:
        """The encrypted tally of every ballot judged (all of them, once the pool is drained)."""
        self.settle()
        if self.progress is not None:
            self.progress(self.checked, self.checked)  # the exact count is known now
        return EncryptedTally(
            ciphertexts=tuple(tuple(row) for row in self.rows),
            num_tallied=self.checked,
            total_weight=self.total_weight,
        )

    def settle(
        self, current: tuple[Sequence[BallotRecord], ChunkReport] | None = None, before: int = 0
    ) -> None:
        """Finish the membership test of the chunks judged so far (and of the first `before`
        ballots of the `current` chunk, being judged); raise `VerificationFailed` naming the
        first ballot with a number outside the subgroup."""
        if self._unsettled or self._credential_rounds:
            if not self.batch.rounds_hold(self._rounds):
                # The setup's credentials first: their fault comes before any ballot's.
                if self._credential_rounds and not self.batch.rounds_hold(self._credential_rounds):
                    _credential_outsider(self.batch, self._credential_numbers)
                for records, report in self._unsettled:
                    if not self.batch.rounds_hold(report.rounds):
                        self._name_outsider(records, report, len(records))
                raise RuntimeError("the chunks' batch failed, yet no chunk's does")
            self._unsettled.clear()
            self._unsettled_size = 0
            self._credential_rounds = []
            self._credential_numbers = []
            self._rounds = []
        if current is not None and before > 0:
            records, report = current
            if not self.batch.rounds_hold(report.rounds):
                self._name_outsider(records, report, before)

    def _name_outsider(
        self, records: Sequence[BallotRecord], report: ChunkReport, limit: int
    ) -> None:
        # The plain test, ballot by ballot, of those that passed in the worker: the first whose
        # reading fails is named, with the ballot box's message.
        for offset in range(limit):
            if report.credentials[offset] is None:
                continue
            try:
                read_ballot(self.election, records[offset].ballot)
            except InvalidBallot as error:
                number = report.start + offset + 1
                raise VerificationFailed(
                    Check.BALLOT, f"{_ballot_name(number, records[offset])}: {error}", ballot=number
                ) from None

    def __call__(self, records: Sequence[BallotRecord], report: ChunkReport) -> None:
        for offset, credential in enumerate(report.credentials):
            number = report.start + offset + 1
            record = records[offset]
            if credential is None or credential not in self.credentials:
                self.settle((records, report), offset)
                reason = _plain_ballot_error(self.election, record.ballot, self.credentials)
                raise VerificationFailed(
                    Check.BALLOT, f"{_ballot_name(number, record)}: {reason}", ballot=number
                )
            tracker = hash_json(record.ballot)
            earlier = self.seen.get(credential)
            if earlier is not None:
                self.settle((records, report), offset)
                first, first_tracker = earlier
                again = "the same ballot again" if first_tracker == tracker else "a second ballot"
                raise VerificationFailed(
                    Check.SECOND_BALLOT,
                    f"{_ballot_name(number, record)} is {again} for the credential of ballot "
                    f"{first}: a vote is final, one ballot per voter",
                    ballot=number,
                )
            self.seen[credential] = (number, tracker)
        if report.tally is None:  # pragma: no cover - a chunk with a failure raised above
            raise RuntimeError("a chunk with a refused ballot reached the tally")
        group = self.election.group
        for i, row in enumerate(report.tally):
            for j, ciphertext in enumerate(row):
                mine = self.rows[i][j]
                self.rows[i][j] = Ciphertext(
                    group.mul(mine.alpha, ciphertext.alpha), group.mul(mine.beta, ciphertext.beta)
                )
        self.total_weight += report.total_weight
        self.checked += len(report.credentials)
        if report.rounds:
            self._unsettled.append((records, report))
            self._unsettled_size += sum(len(record.ballot) for record in records)
            self._rounds = self.batch.combine_rounds(self._rounds, report.rounds)
            if self._unsettled_size >= _SETTLE_EVERY:
                self.settle()
        if self.progress is not None:
            self.progress(self.checked, max(self.expected or 0, self.count))


_ONE = Ciphertext(Element(1), Element(1))


# --- the tally -----------------------------------------------------------------------------------


def _check_tally(
    election: Election, record: EncryptedTallyRecord, computed: EncryptedTally
) -> EncryptedTally:
    try:
        published = EncryptedTally.from_json(
            election, loads(record.encrypted_tally), record.num_tallied, record.total_weight
        )
    except MalformedData as error:
        raise VerificationFailed(
            Check.TALLY, f"the encrypted tally cannot be read: {error}"
        ) from None
    if published.num_tallied != computed.num_tallied:
        raise VerificationFailed(
            Check.TALLY,
            f"the encrypted tally counts {published.num_tallied} ballots, the archive holds "
            f"{computed.num_tallied}",
        )
    if published.total_weight != computed.total_weight:
        raise VerificationFailed(
            Check.TALLY,
            f"the encrypted tally has a total weight of {published.total_weight}, the ballots "
            f"weigh {computed.total_weight}",
        )
    for i, (published_row, computed_row) in enumerate(
        zip(published.ciphertexts, computed.ciphertexts, strict=True)
    ):
        for j, (theirs, mine) in enumerate(zip(published_row, computed_row, strict=True)):
            if mine != theirs:
                raise VerificationFailed(
                    Check.TALLY,
                    f"the encrypted tally is not the product of the ballots (question {i + 1}, "
                    f"choice {j})",
                )
    return published


def _read_partial(
    group: Group, record: PartialDecryptionRecord, owners: set[int], done: Mapping[int, object]
) -> PartialDecryption:
    if record.owner not in owners:
        raise VerificationFailed(
            Check.PARTIAL_DECRYPTION,
            f"a partial decryption comes from trustee {record.owner}, who does not exist",
        )
    if record.owner in done:
        raise VerificationFailed(
            Check.PARTIAL_DECRYPTION, f"trustee {record.owner} sent a second partial decryption"
        )
    try:
        return PartialDecryption.from_json(group, loads(record.partial_decryption))
    except MalformedData as error:
        raise VerificationFailed(
            Check.PARTIAL_DECRYPTION,
            f"the partial decryption of trustee {record.owner} cannot be read: {error}",
        ) from None


def _decrypt(
    election: Election,
    trustees: Sequence[Trustee],
    tally: EncryptedTally,
    partials: Mapping[int, PartialDecryption],
    combine: bool,
) -> Result | None:
    """Check the partial decryptions; when `combine`, combine them into the result."""
    try:
        if not combine:
            # The tally is under way: check the shares sent so far, combine nothing yet.
            keys = {slot.owner: slot.public_key for slot in decryption_slots(trustees)}
            for owner, partial in partials.items():
                try:
                    verify_partial_decryption(election, tally, keys[owner], partial)
                except InvalidPartialDecryption as error:
                    raise InvalidPartialDecryption(f"trustee {owner}: {error}") from None
            return None
        return decrypt_tally(election, trustees, tally, partials)
    except InvalidPartialDecryption as error:
        raise VerificationFailed(
            Check.PARTIAL_DECRYPTION, f"a partial decryption does not verify: {error}"
        ) from None
    except DecryptionFailed as error:
        raise VerificationFailed(Check.RESULT, f"the tally cannot be decrypted: {error}") from None


def _check_result(record: ResultRecord, computed: Result) -> Result:
    try:
        published = Result.from_json(loads(record.result))
    except MalformedData as error:
        raise VerificationFailed(Check.RESULT, f"the result cannot be read: {error}") from None
    shape = [len(row) for row in computed.counts]
    if [len(row) for row in published.counts] != shape:
        raise VerificationFailed(
            Check.RESULT, "the result does not have one count per choice of each question"
        )
    for i, (mine, theirs) in enumerate(zip(computed.counts, published.counts, strict=True)):
        for j, (count, claimed) in enumerate(zip(mine, theirs, strict=True)):
            if count != claimed:
                raise VerificationFailed(
                    Check.RESULT,
                    f"the published result is not the decryption of the tally: question {i + 1}, "
                    f"choice {j} is published as {claimed}, the decryption gives {count}",
                )
    return published


# --- the whole ------------------------------------------------------------------------------------


def verify_records(
    records: Iterable[Record],
    jobs: int | None = None,
    progress: Progress | None = None,
    expected_ballots: int | None = None,
    chunk: int | None = None,
    earlier: str | None = None,
) -> Summary:
    """Run every check of the module docstring on an archive's records, in the archive's order
    (`urne.crypto.archive.ArchiveReader.records`); raise `VerificationFailed` at the first that
    fails, else return the `Summary`.

    `jobs` processes check the ballots (default: one per core, or just this one for a few
    ballots); `expected_ballots` sizes the chunks of ballots sent to them (or `chunk`) and the
    progress reports. With `earlier`, the fingerprint of an archive verified before (its last
    event's hash), the chain must hold that event: the board only grew since.
    """
    try:
        return _verify_records(records, jobs, progress, expected_ballots, chunk, earlier)
    except VerificationFailed:
        raise
    except CryptoError as error:
        # Every check above names its failure; this only keeps an unforeseen shape of bad data
        # from ending in a traceback.
        raise VerificationFailed(
            Check.ELECTION, f"the election data cannot be checked: {error}"
        ) from None


def _verify_records(
    records: Iterable[Record],
    jobs: int | None,
    progress: Progress | None,
    expected_ballots: int | None,
    chunk: int | None,
    earlier: str | None,
) -> Summary:
    started = time.perf_counter()
    stream = iter(records)
    try:
        setup = next(stream, None)
    except InvalidArchive as error:
        raise VerificationFailed(Check.ARCHIVE, str(error)) from None
    if not isinstance(setup, SetupRecord):
        raise VerificationFailed(Check.ARCHIVE, "the archive has no Setup event")
    last = setup.event
    found = earlier is None or earlier == last.hash
    election = _read_setup_election(setup)
    group = election.group
    stage = "open"
    tally: EncryptedTally | None = None
    partials: dict[int, PartialDecryption] = {}
    result: Result | None = None
    # The workers start (and build their tables) while the setup is checked here.
    with ballot_pool(election, jobs, expected_ballots, chunk) as pool:
        checked = _check_setup(election, setup)
        trustees, credentials = checked.trustees, checked.credentials
        owners = {slot.owner for slot in decryption_slots(trustees)}
        judge = _BallotJudge(election, checked, progress, expected_ballots)
        pool.judge_with(judge, judge.weights)
        computed: EncryptedTally | None = None
        try:
            for record in stream:
                last = record.event
                found = found or earlier == last.hash
                if isinstance(record, BallotRecord):
                    judge.count += 1
                    pool.add(record)
                    continue
                if computed is None:
                    pool.drain()
                    computed = judge.tally()
                if isinstance(record, EndBallotsRecord):
                    stage = "closed"
                elif isinstance(record, EncryptedTallyRecord):
                    tally = _check_tally(election, record, computed)
                elif isinstance(record, PartialDecryptionRecord):
                    partials[record.owner] = _read_partial(group, record, owners, partials)
                elif isinstance(record, ResultRecord):
                    if tally is None:  # pragma: no cover - the archive's order forbids it
                        raise VerificationFailed(Check.ARCHIVE, "a result without a tally")
                    decrypted = _decrypt(election, trustees, tally, partials, combine=True)
                    if decrypted is not None:
                        result = _check_result(record, decrypted)
                    stage = "tallied"
        except (InvalidArchive, UnsupportedElection) as error:
            # Ballots read before the fault come first in the archive: they are judged first.
            pool.drain()
            judge.settle()
            check = Check.ARCHIVE if isinstance(error, InvalidArchive) else Check.ELECTION
            raise VerificationFailed(check, str(error)) from None
        if computed is None:
            pool.drain()
            computed = judge.tally()
    if tally is not None and result is None:
        _decrypt(election, trustees, tally, partials, combine=False)
    if not found:
        raise VerificationFailed(
            Check.ARCHIVE,
            f"the archive does not continue the earlier one: its chain does not hold the event "
            f"{earlier} (something was removed or rewritten since)",
        )
    return Summary(
        uuid=election.uuid,
        name=election.name,
        questions=tuple(
            (question.question, question.answers, question.allows_blank)
            for question in election.questions
        ),
        voters=len(credentials),
        ballots=computed.num_tallied,
        total_weight=computed.total_weight,
        stage=stage,
        result=result,
        fingerprint=last.hash,
        events=last.event.height + 1,
        seconds=time.perf_counter() - started,
    )


def count_ballots(path: str | os.PathLike[str]) -> int:
    """About how many ballots the archive at `path` holds, from its last event's height, read
    without hashing anything (for progress bars and chunk sizes). Raises `InvalidArchive` if the
    file is not a complete archive (not a tar file, no header, truncated)."""
    with Path(path).open("rb") as stream:
        state = scan(stream)
    # Heights count every event: the Setup (height 0), the ballots, then at least one event per
    # step after them.
    after = (
        {
            EventType.END_BALLOTS: 1,
            EventType.ENCRYPTED_TALLY: 2,
            EventType.PARTIAL_DECRYPTION: 3,
            EventType.RESULT: 4,
        }.get(state.last_type, 0)
        if state.last_type is not None
        else 0
    )
    return max(0, state.height - after)


def verify_archive(
    path: str | os.PathLike[str],
    jobs: int | None = None,
    progress: Progress | None = None,
    earlier: str | None = None,
) -> Summary:
    """Verify the `.bel` archive at `path` (see the module docstring and `verify_records`).

    Raises `InvalidArchive` when the file is not a readable archive at all (not a tar file,
    no ``BELENIOS`` header, truncated), `VerificationFailed` at the first check that fails.
    """
    expected = count_ballots(path)
    with ArchiveReader.open(path) as reader:
        return verify_records(reader.records(), jobs, progress, expected, earlier=earlier)

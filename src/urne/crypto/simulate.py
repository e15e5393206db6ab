"""A whole election run with urne's own protocol code, for tests, benchmarks and demonstrations.

`simulate(spec)` plays every role: the trustees make their keys ("Single" keys, or a threshold
ceremony, t of n), the credential authority makes one voting identifier per voter and the public
credential list, each voter casts one ballot for a random choice (one list, or blank when
allowed), the server computes the encrypted tally, the trustees decrypt it with proofs, and the
result is combined. `SimulatedElection` holds everything, secrets included (voting identifiers,
trustee keys), and the result the plaintext votes give, to compare with the decrypted one.
`write_simulation(simulated, path)` writes the public part as a Belenios archive (`.bel`), at the
stage wanted: setup and ballots only ("open"), or the finished election ("tallied").

The election has one question, as a scrutin of urne: the lists in order, one choice, blank allowed
or not. `seed` makes the uuid and the votes (hence the result) reproducible; keys, identifiers and
the encryption randomness always come from the operating system's generator, so two runs with
the same seed give the same result, not the same bytes.

Ballots are made in worker processes (`jobs`), each with fixed-base tables for g and the election
public key (`urne.crypto.fastexp`).
"""

from __future__ import annotations

import enum
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from urne.crypto import pedersen
from urne.crypto.archive import ArchiveWriter
from urne.crypto.ballot import Ballot, make_ballot
from urne.crypto.credentials import (
    BASE58,
    PublicCredential,
    PublicCredentials,
    derive_public_credential,
    make_private_credential,
)
from urne.crypto.election import Election, Question, make_election, read_election_once
from urne.crypto.fastexp import worker_pool
from urne.crypto.group import BELENIOS_2048, Exponent, Group
from urne.crypto.jsonio import dumps
from urne.crypto.tally import (
    EncryptedTally,
    PartialDecryption,
    Result,
    compute_encrypted_tally,
    decrypt_tally,
    make_partial_decryption,
)
from urne.crypto.trustees import (
    SingleTrustee,
    Trustee,
    decryption_slots,
    election_public_key,
    make_trustee_key,
    trustees_to_json,
)

Progress = Callable[[int, int], None]
"""Called with (done, total) as ballots are made."""

_CHUNK = 16
"""Ballots a worker makes per task: small enough for a smooth progress bar."""


class SimulationError(ValueError):
    """Parameters that make no election (no voter, no list, a threshold above the trustees)."""


@dataclass(frozen=True)
class SimulationSpec:
    """What to simulate."""

    voters: int
    lists: int
    blank: bool = False
    trustees: int = 1
    """How many trustees: "Single" keys, or the members of the threshold ceremony."""
    threshold: int | None = None
    """With a threshold t, a "Pedersen" ceremony: t of the `trustees` can decrypt."""
    seed: int | None = None
    name: str = "Élection simulée"
    group: Group = BELENIOS_2048

    def check(self) -> None:
        """Raise `SimulationError` for parameters that make no election."""
        if self.voters < 0:
            raise SimulationError("the number of voters cannot be negative")
        if self.lists < 1:
            raise SimulationError("an election needs at least one list")
        if self.trustees < 1:
            raise SimulationError("an election needs at least one trustee")
        if self.threshold is not None and self.trustees < 2:
            raise SimulationError("a threshold ceremony needs at least two trustees")
        if self.threshold is not None and not 1 <= self.threshold <= self.trustees:
            raise SimulationError(
                f"the threshold must be between 1 and the number of trustees ({self.trustees})"
            )


@dataclass(frozen=True)
class SimulatedElection:
    """A simulated election, secrets included."""

    spec: SimulationSpec
    election: Election
    trustees: tuple[Trustee, ...]
    decryption_keys: dict[int, Exponent]
    """trustee number (the archive's ``owner``) → private key or threshold share"""
    credentials: PublicCredentials
    voting_identifiers: tuple[str, ...]
    """one per voter, in the order of `votes`"""
    votes: tuple[tuple[tuple[int, ...], ...], ...]
    """what each voter voted (belenios-tool's notation: blank flag first when allowed)"""
    ballots: tuple[Ballot, ...]
    tally: EncryptedTally
    partial_decryptions: dict[int, PartialDecryption]
    result: Result
    expected: Result
    """the result the plaintext votes give"""
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    """seconds spent in "setup", "ballots", "tally" (encrypted tally) and "decryption"."""


def _question(spec: SimulationSpec) -> Question:
    return Question(
        question="Scrutin de liste",
        answers=tuple(f"Liste {number}" for number in range(1, spec.lists + 1)),
        min=1,
        max=1,
        blank=True if spec.blank else None,
    )


def _random_vote(question: Question, chooser: random.Random) -> tuple[int, ...]:
    options = len(question.answers) + (1 if question.allows_blank else 0)
    # One choice among the lists (and the blank flag, first, when blank is allowed).
    pick = chooser.randrange(options)
    return tuple(1 if i == pick else 0 for i in range(options))


def _expected(question: Question, votes: Sequence[tuple[tuple[int, ...], ...]]) -> Result:
    counts = [0] * question.choice_count
    for vote in votes:
        for index, value in enumerate(vote[0]):
            counts[index] += value
    return Result((tuple(counts),))


def _make_trustees(spec: SimulationSpec) -> tuple[tuple[Trustee, ...], dict[int, Exponent]]:
    group = spec.group
    if spec.threshold is not None:
        return _threshold_ceremony(group, spec.threshold, spec.trustees)
    trustees: list[Trustee] = []
    keys: dict[int, Exponent] = {}
    for number in range(1, spec.trustees + 1):
        x, public = make_trustee_key(group)
        trustees.append(SingleTrustee(public))
        keys[number] = x
    return tuple(trustees), keys


def _threshold_ceremony(
    group: Group, threshold: int, count: int
) -> tuple[tuple[Trustee, ...], dict[int, Exponent]]:
    """The key ceremony of `urne.crypto.pedersen`, every trustee played here in turn."""
    keys = [pedersen.derive_keys(group, pedersen.make_seed()) for _ in range(count)]
    certs = [pedersen.make_cert(group, trustee) for trustee in keys]
    polynomials = [pedersen.make_polynomial(group, certs, trustee, threshold) for trustee in keys]
    vinputs = pedersen.make_vinputs(group, certs, polynomials)
    voutputs = [
        pedersen.make_voutput(group, certs, trustee, vinput)
        for trustee, vinput in zip(keys, vinputs, strict=True)
    ]
    parameters = pedersen.make_threshold_parameters(group, certs, polynomials, voutputs)
    shares = dict(
        pedersen.read_decryption_key(group, trustee, parameters, voutput.private_key)
        for trustee, voutput in zip(keys, voutputs, strict=True)
    )
    # One "Pedersen" item: its trustees are numbered 1..count, as their positions.
    return (parameters,), shares


def _make_ballots_chunk(
    election_text: str, work: Sequence[tuple[str, tuple[tuple[int, ...], ...]]]
) -> list[Ballot]:
    election = read_election_once(election_text)
    return [make_ballot(election, identifier, vote) for identifier, vote in work]


def _cast(
    election: Election,
    work: Sequence[tuple[str, tuple[tuple[int, ...], ...]]],
    pool: Executor | None,
    progress: Progress | None,
) -> list[Ballot]:
    chunks = [work[start : start + _CHUNK] for start in range(0, len(work), _CHUNK)]
    ballots: list[Ballot] = []
    if pool is None:
        for chunk in chunks:
            ballots += _make_ballots_chunk(election.text, chunk)
            if progress is not None:
                progress(len(ballots), len(work))
        return ballots
    # map() keeps the order of the chunks: ballots come back in the voters' order.
    for made in pool.map(_make_ballots_chunk, [election.text] * len(chunks), chunks):
        ballots += made
        if progress is not None:
            progress(len(ballots), len(work))
    return ballots


def simulate(
    spec: SimulationSpec, jobs: int | None = None, progress: Progress | None = None
) -> SimulatedElection:
    """Run the whole election described by `spec` (see the module docstring).

    `jobs` worker processes make the ballots (default: one per core). Raises `SimulationError`
    for parameters that make no election.
    """
    spec.check()
    group = spec.group
    # The seeded generator only picks the uuid and the simulated votes, never a secret.
    seeded = random.Random(spec.seed)  # noqa: S311
    chooser = seeded if spec.seed is not None else random.SystemRandom()
    timings: dict[str, float] = {}

    started = time.perf_counter()
    trustees, keys = _make_trustees(spec)
    question = _question(spec)
    uuid = "".join(chooser.choice(BASE58) for _ in range(14))
    election = make_election(
        uuid=uuid,
        name=spec.name,
        description=f"{spec.voters} électeurs, {spec.lists} listes (simulation urne)",
        group=group,
        public_key=election_public_key(group, trustees),
        questions=[question],
    )
    identifiers = tuple(make_private_credential() for _ in range(spec.voters))
    credentials = PublicCredentials(
        [
            PublicCredential(derive_public_credential(group, identifier, election.uuid))
            for identifier in identifiers
        ]
    )
    votes: tuple[tuple[tuple[int, ...], ...], ...] = tuple(
        (_random_vote(question, chooser),) for _ in identifiers
    )
    timings["setup"] = time.perf_counter() - started

    started = time.perf_counter()
    work = list(zip(identifiers, votes, strict=True))
    bases = [group.g, election.public_key]
    with worker_pool(jobs, group.p, group.q, bases, uses=60 * max(1, spec.voters)) as pool:
        ballots = _cast(election, work, pool, progress)
    timings["ballots"] = time.perf_counter() - started

    started = time.perf_counter()
    tally = compute_encrypted_tally(election, ((ballot, 1) for ballot in ballots))
    timings["tally"] = time.perf_counter() - started

    started = time.perf_counter()
    # Every "Single" trustee decrypts; for a threshold, just enough trustees, drawn at random.
    slots = decryption_slots(trustees)
    owners = [slot.owner for slot in slots]
    if spec.threshold is not None:
        owners = sorted(chooser.sample(owners, spec.threshold))
    partials = {owner: make_partial_decryption(election, tally, keys[owner]) for owner in owners}
    result = decrypt_tally(election, trustees, tally, partials)
    timings["decryption"] = time.perf_counter() - started

    return SimulatedElection(
        spec=spec,
        election=election,
        trustees=trustees,
        decryption_keys=keys,
        credentials=credentials,
        voting_identifiers=identifiers,
        votes=votes,
        ballots=tuple(ballots),
        tally=tally,
        partial_decryptions=partials,
        result=result,
        expected=_expected(question, votes),
        timings=timings,
    )


class Stage(enum.Enum):
    """How far the archive written by `write_simulation` goes."""

    OPEN = "open"
    """setup and ballots: the vote is still open"""
    CLOSED = "closed"
    """... and EndBallots"""
    TALLIED = "tallied"
    """... and the encrypted tally, every partial decryption and the result"""


def write_simulation(
    simulated: SimulatedElection, path: str | os.PathLike[str], stage: Stage = Stage.TALLIED
) -> None:
    """Write the public archive of `simulated` at `path`, up to `stage`.

    The file appears whole or not at all (written beside, then renamed).
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    handle, temporary = tempfile.mkstemp(prefix=".urne-", suffix=".bel", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            writer = ArchiveWriter.create(stream, int(time.time()))
            writer.write_setup(
                simulated.election.text,
                dumps(trustees_to_json(simulated.trustees)),
                dumps(simulated.credentials.to_json()),
            )
            for ballot in simulated.ballots:
                writer.write_ballot(ballot.text)
            if stage is not Stage.OPEN:
                writer.write_end_ballots()
            if stage is Stage.TALLIED:
                tally = simulated.tally
                writer.write_encrypted_tally(
                    dumps(tally.to_json()), tally.num_tallied, tally.total_weight
                )
                for owner in sorted(simulated.partial_decryptions):
                    partial = simulated.partial_decryptions[owner]
                    writer.write_partial_decryption(owner, dumps(partial.to_json()))
                writer.write_result(dumps(simulated.result.to_json()))
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise

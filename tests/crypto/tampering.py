"""Rewriting an archive consistently, as a dishonest server could: the edits keep every hash and
the chain right (the archive writer recomputes them), so only the protocol's checks can tell.

`steps(path)` reads an archive as a list of `Step`s (one per event, with its texts); an edit
changes that list; `write(path, steps, timestamp)` writes it back with `ArchiveWriter`.
`tamper(source, target, edit)` does the three.

`claim_size(raw, index, size)` is the one raw edit: a tar header lying about its entry's size.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from urne.crypto.archive import (
    BLOCK,
    ArchiveReader,
    ArchiveWriter,
    BallotRecord,
    EncryptedTallyRecord,
    EndBallotsRecord,
    PartialDecryptionRecord,
    ResultRecord,
    SetupRecord,
)
from urne.crypto.jsonio import dumps, loads


@dataclass(frozen=True)
class Step:
    """One event of an archive, as texts: `kind` is setup, ballot, end, tally, partial, result."""

    kind: str
    texts: tuple[str, ...] = ()
    """setup: (election, trustees, credentials); ballot: (ballot,); tally: (encrypted_tally,);
    partial: (partial_decryption,); result: (result,)"""
    numbers: tuple[int, ...] = ()
    """tally: (num_tallied, total_weight); partial: (owner,)"""

    def json(self, index: int = 0) -> Any:
        return loads(self.texts[index])

    def with_json(self, value: Any, index: int = 0) -> Step:
        texts = list(self.texts)
        texts[index] = dumps(value)
        return replace(self, texts=tuple(texts))


def steps(path: Path) -> tuple[int, list[Step]]:
    """The archive's timestamp and its events as steps."""
    result: list[Step] = []
    with ArchiveReader.open(path) as reader:
        timestamp = reader.header.timestamp
        for record in reader.records():
            if isinstance(record, SetupRecord):
                texts = (record.election, record.trustees, record.credentials)
                result.append(Step("setup", texts))
            elif isinstance(record, BallotRecord):
                result.append(Step("ballot", (record.ballot,)))
            elif isinstance(record, EndBallotsRecord):
                result.append(Step("end"))
            elif isinstance(record, EncryptedTallyRecord):
                numbers = (record.num_tallied, record.total_weight)
                result.append(Step("tally", (record.encrypted_tally,), numbers))
            elif isinstance(record, PartialDecryptionRecord):
                result.append(Step("partial", (record.partial_decryption,), (record.owner,)))
            elif isinstance(record, ResultRecord):
                result.append(Step("result", (record.result,)))
    return timestamp, result


def write(path: Path, items: list[Step], timestamp: int) -> None:
    """Write `items` as an archive, every hash and the chain computed anew."""
    stream = io.BytesIO()
    writer = ArchiveWriter.create(stream, timestamp)
    for step in items:
        if step.kind == "setup":
            writer.write_setup(*step.texts)
        elif step.kind == "ballot":
            writer.write_ballot(step.texts[0])
        elif step.kind == "end":
            writer.write_end_ballots()
        elif step.kind == "tally":
            writer.write_encrypted_tally(step.texts[0], *step.numbers)
        elif step.kind == "partial":
            writer.write_partial_decryption(step.numbers[0], step.texts[0])
        elif step.kind == "result":
            writer.write_result(step.texts[0])
        else:  # pragma: no cover - a typo in a test
            raise ValueError(step.kind)
    path.write_bytes(stream.getvalue())


def tamper(source: Path, target: Path, edit: Callable[[list[Step]], list[Step]]) -> Path:
    """Read `source`, apply `edit` to its steps, write the result at `target`."""
    timestamp, items = steps(source)
    write(target, edit(items), timestamp)
    return target


def indices(items: list[Step], kind: str) -> list[int]:
    """The positions of the steps of one kind."""
    return [index for index, step in enumerate(items) if step.kind == kind]


HUGE = 8**12 - 1
"""The largest size a tar header holds: 64 GiB, more than any test machine can allocate."""


def claim_size(raw: bytes, index: int, size: int) -> bytes:
    """The archive `raw` with the header of tar entry `index` claiming `size` bytes of content
    (its checksum made right again, so that only the size is wrong)."""
    changed = bytearray(raw)
    offset = 0
    for _ in range(index):  # an independent walk over the headers, not urne's reader
        length = int(changed[offset + 124 : offset + 136].strip(b" \x00"), 8)
        offset += BLOCK + length + (-length % BLOCK)
    header = changed[offset : offset + BLOCK]
    header[124:136] = b"%012o" % size
    header[148:156] = b" " * 8
    header[148:156] = b"%06o\x00 " % sum(header)
    changed[offset : offset + BLOCK] = header
    return bytes(changed)

"""The public archive of an election: the ``UUID.bel`` file of Belenios 2.0 (spec §4.4).

Format (as belenios-tool 2.0 writes it, byte for byte). An old-style (v7) tar file, appended to
and never rewritten, without the end-of-archive zero blocks:

- every entry has a 512-byte header: the name, mode ``0000644``, uid and gid 0, the size and the
  modification time in 11 octal digits, the header checksum (``%06o`` then NUL and space), type
  ``0`` and zeros elsewhere; its content follows, padded with zeros to a multiple of 512 bytes.
  Every entry's time is the archive's timestamp.
- the first entry, ``BELENIOS``, is the header ``{"version":1,"timestamp":"T"}`` (T in seconds,
  written as a JSON string);
- then data (``HASH.data.json``) and events (``HASH.event.json``), HASH being the lower-case hex
  SHA256 of the entry's content (compact JSON, no trailing newline). An event is
  ``{"parent":H,"height":N,"type":T,"payload":H}``: no parent for the first one (height 0), then
  the previous event's hash and height + 1; the payload, absent for EndBallots and EndShuffles,
  names data written just before it, which may in turn name earlier data.

Canonical order, which `ArchiveWriter` follows (and belenios-tool's ``archive make`` rebuilds):
election, trustees, public credentials, setup_data, Setup; then each ballot and its Ballot
event; EndBallots; encrypted_tally, sized_encrypted_tally, EncryptedTally; for each trustee the
partial_decryption, owned_partial_decryption, PartialDecryption; result, Result.

Reading (`ArchiveReader`) streams: an archive of a million ballots is read entry by entry, only
the data not yet claimed by an event are held (normally one). Each entry's checksum, name and
hash, the chain of events (heights, parents), each payload's presence and the order of the event
types are checked; the first problem raises `InvalidArchive`, which says where. `records()`
yields one typed record per event (`SetupRecord`, `BallotRecord`...) with its payloads' texts.

Writing: `Chain` is the pure state of the hash chain (timestamp, last event hash, height) and
turns contents into entry bytes, so a server can store or stream them as it likes;
`ArchiveWriter` writes them to a binary file (`create` a new archive, or `append` to one after
`scan` found where its chain stands).

Monitoring: `verify_extension(previous, current)` checks that a board recorded earlier is the
beginning of the current one (nothing removed or rewritten).
"""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeAlias

from urne.crypto.errors import CryptoError, MalformedData, UnsupportedElection
from urne.crypto.hashing import sha256_hex
from urne.crypto.jsonio import dumps, loads, read_int, read_object, read_string

BLOCK = 512
"""The tar block size: headers are one block, contents are padded to whole blocks."""

HEADER_NAME = "BELENIOS"
ARCHIVE_VERSION = 1

_ZERO_BLOCK = bytes(BLOCK)
_NAME = re.compile(r"([0-9a-f]{64})\.(data|event)\.json")
_HASH = re.compile(r"[0-9a-f]{64}")
_OCTAL = re.compile(rb"[0-7]{1,12}")
_CHECKSUM_FIELD = slice(148, 156)
# Everything of the header that does not depend on the entry, after the name, size and time.
_MODE_UID_GID = b"0000644\x000000000\x000000000\x00"


class InvalidArchive(CryptoError):
    """The archive is not a well-formed Belenios 2.0 public archive.

    `entry` is the index of the tar entry at fault (0 is the ``BELENIOS`` header, None when the
    problem is the archive as a whole) and `offset` its position in bytes.
    """

    def __init__(self, message: str, entry: int | None = None, offset: int | None = None) -> None:
        self.entry = entry
        self.offset = offset
        self.message = message
        if entry is None:
            place = "archive: "
        elif offset is None:
            place = f"archive entry {entry}: "
        else:
            place = f"archive entry {entry} (byte {offset}): "
        super().__init__(place + message)


class EventType(enum.Enum):
    """The ``event_type`` of the spec, in the order they occur."""

    SETUP = "Setup"
    BALLOT = "Ballot"
    END_BALLOTS = "EndBallots"
    ENCRYPTED_TALLY = "EncryptedTally"
    SHUFFLE = "Shuffle"
    END_SHUFFLES = "EndShuffles"
    PARTIAL_DECRYPTION = "PartialDecryption"
    RESULT = "Result"

    @property
    def has_payload(self) -> bool:
        return self not in (EventType.END_BALLOTS, EventType.END_SHUFFLES)


@dataclass(frozen=True, slots=True)
class Event:
    """The spec's ``event`` structure."""

    type: EventType
    height: int
    parent: str | None = None
    """The hash of the previous event; None for the first (height 0)."""
    payload: str | None = None
    """The hash of the data this event carries; None for EndBallots and EndShuffles."""

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        if self.parent is not None:
            value["parent"] = self.parent
        value["height"] = self.height
        value["type"] = self.type.value
        if self.payload is not None:
            value["payload"] = self.payload
        return value

    @classmethod
    def from_json(cls, value: object) -> Event:
        fields = read_object(value, "", required=("height", "type"), optional=("parent", "payload"))
        type_name = read_string(fields["type"], "type")
        try:
            kind = EventType(type_name)
        except ValueError:
            raise MalformedData("type", f"unknown event type {type_name!r}") from None
        parent = _read_hash(fields["parent"], "parent") if "parent" in fields else None
        payload = _read_hash(fields["payload"], "payload") if "payload" in fields else None
        return cls(
            type=kind,
            height=read_int(fields["height"], "height", minimum=0),
            parent=parent,
            payload=payload,
        )


def _read_hash(value: object, where: str) -> str:
    text = read_string(value, where)
    if not _HASH.fullmatch(text):
        raise MalformedData(where, "expected a SHA256 hash in lower-case hexadecimal")
    return text


# --- tar entries ---------------------------------------------------------------------------------


def entry_bytes(name: str, content: bytes, mtime: int) -> bytes:
    """One tar entry as belenios-tool writes it: header block, content, zero padding."""
    encoded = name.encode("ascii")
    if len(encoded) > 100:
        raise ValueError("a tar entry name has at most 100 bytes")
    header = bytearray(BLOCK)
    header[0 : len(encoded)] = encoded
    header[100:124] = _MODE_UID_GID
    header[124:136] = b"%011o\x00" % len(content)
    header[136:148] = b"%011o\x00" % mtime
    header[148:156] = b" " * 8  # the checksum is computed with its own field as spaces
    header[156] = ord("0")
    header[148:156] = b"%06o\x00 " % sum(header)
    padding = -len(content) % BLOCK
    return bytes(header) + content + bytes(padding)


@dataclass(frozen=True, slots=True)
class Entry:
    """One tar entry of an archive, as read."""

    index: int
    """0 for the ``BELENIOS`` header, then 1, 2..."""
    offset: int
    """Where its header starts, in bytes."""
    name: str
    mtime: int
    content: bytes | None
    """None when the reader was asked to skip contents (`ArchiveReader.scan`)."""
    size: int

    @property
    def hash(self) -> str:
        """The hash the name gives (empty for the header)."""
        return self.name[:64] if self.name != HEADER_NAME else ""

    @property
    def is_event(self) -> bool:
        return self.name.endswith(".event.json")


def _octal(field: bytes, what: str, index: int, offset: int) -> int:
    digits = field.strip(b" \x00")
    if not _OCTAL.fullmatch(digits):
        raise InvalidArchive(f"the {what} field is not an octal number", index, offset)
    return int(digits, 8)


def _read_entries(stream: IO[bytes], skip_data: bool = False) -> Iterator[Entry]:
    """The tar entries of `stream`, checked as tar (checksum, type, complete content).

    A header's size is never trusted: it is compared with what the file holds before anything
    is read (a header may claim up to 64 GiB), and from a stream of unknown size (a pipe) the
    content is read by bounded pieces, so memory never exceeds what is really there.
    """
    index = 0
    offset = 0
    read = stream.read
    available = _bytes_left(stream)
    while True:
        header = read(BLOCK)
        if not header:
            return
        if len(header) < BLOCK:
            raise InvalidArchive("the archive is truncated inside an entry header", index, offset)
        if header == _ZERO_BLOCK:
            # End-of-archive marker (belenios-tool writes none, other tar tools do): only zeros
            # may follow.
            while chunk := read(1 << 16):
                if chunk.count(0) != len(chunk):
                    raise InvalidArchive("data after the end-of-archive marker", index, offset)
            return
        stored = _octal(header[_CHECKSUM_FIELD], "checksum", index, offset)
        computed = sum(header[:148]) + 8 * 32 + sum(header[156:])
        if stored != computed:
            raise InvalidArchive("the tar header checksum is wrong", index, offset)
        if header[156] not in (ord("0"), 0):
            raise InvalidArchive("not a regular file", index, offset)
        try:
            name = header[:100].split(b"\x00", 1)[0].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidArchive("the entry name is not ASCII", index, offset) from None
        size = _octal(header[124:136], "size", index, offset)
        mtime = _octal(header[136:148], "time", index, offset)
        padded = size + (-size % BLOCK)
        end = offset + BLOCK + padded
        if available is not None and end > available:
            available = offset + BLOCK + (_bytes_left(stream) or 0)  # the file may have grown
            if end > available:
                raise InvalidArchive(
                    f"the archive is truncated inside an entry (its header claims {size} bytes, "
                    f"the file holds {available - offset - BLOCK} after it)",
                    index,
                    offset,
                )
        content: bytes | None
        if skip_data and available is not None and name.endswith(".data.json"):
            content = None
            stream.seek(padded, os.SEEK_CUR)
        else:
            body = read(padded) if available is not None else _read_at_most(read, padded)
            if len(body) < padded:
                raise InvalidArchive("the archive is truncated inside an entry", index, offset)
            content = body[:size]
        yield Entry(index, offset, name, mtime, content, size)
        index += 1
        offset = end


def _bytes_left(stream: IO[bytes]) -> int | None:
    """How many bytes the stream holds from where it stands; None if it cannot tell (a pipe)."""
    if not stream.seekable():
        return None
    here = stream.tell()
    end = stream.seek(0, os.SEEK_END)
    stream.seek(here)
    return end - here


def _read_at_most(read: Callable[[int], bytes], size: int) -> bytes:
    """Up to `size` bytes, by pieces of 1 MiB: a stream that ends early costs what it held."""
    pieces: list[bytes] = []
    left = size
    while left > 0:
        piece = read(min(left, 1 << 20))
        if not piece:
            break
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArchiveHeader:
    """The ``BELENIOS`` entry: the format version and the archive's timestamp (seconds)."""

    version: int
    timestamp: int

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "timestamp": str(self.timestamp)}

    @classmethod
    def from_json(cls, value: object) -> ArchiveHeader:
        fields = read_object(value, "", required=("version", "timestamp"))
        version = read_int(fields["version"], "version")
        if version != ARCHIVE_VERSION:
            raise UnsupportedElection(f"archive version {version}: urne reads version 1")
        text = read_string(fields["timestamp"], "timestamp")
        if not re.fullmatch(r"0|[1-9][0-9]{0,18}", text):
            raise MalformedData("timestamp", "expected a number of seconds")
        return cls(version=version, timestamp=int(text))


@dataclass(frozen=True, slots=True)
class ArchivedEvent:
    """An event read from an archive, with its payload's content."""

    event: Event
    hash: str
    """The event's own hash (the next event's parent)."""
    payload: bytes | None
    entry: int
    """The index of the event's tar entry (for error messages)."""


@dataclass(frozen=True, slots=True)
class SetupRecord:
    """The Setup event: the three texts of the election's public setup."""

    event: ArchivedEvent
    election: str
    trustees: str
    credentials: str
    """The ``public_credentials`` text."""


@dataclass(frozen=True, slots=True)
class BallotRecord:
    """A Ballot event: the ballot's text, exactly as published."""

    event: ArchivedEvent
    ballot: str


@dataclass(frozen=True, slots=True)
class EndBallotsRecord:
    """The EndBallots event: the vote is closed."""

    event: ArchivedEvent


@dataclass(frozen=True, slots=True)
class EncryptedTallyRecord:
    """The EncryptedTally event (``sized_encrypted_tally`` and the ``encrypted_tally`` text)."""

    event: ArchivedEvent
    num_tallied: int
    total_weight: int
    encrypted_tally: str


@dataclass(frozen=True, slots=True)
class PartialDecryptionRecord:
    """A PartialDecryption event: the trustee number (``owner``) and its partial decryption."""

    event: ArchivedEvent
    owner: int
    partial_decryption: str


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """The Result event: the ``result`` text."""

    event: ArchivedEvent
    result: str


Record: TypeAlias = (
    SetupRecord
    | BallotRecord
    | EndBallotsRecord
    | EncryptedTallyRecord
    | PartialDecryptionRecord
    | ResultRecord
)
"""One event of an archive with its payloads, as `ArchiveReader.records` yields it."""

# Which event types may follow which: the life of an election (spec §4.4's table). Shuffles
# (non-homomorphic questions) are refused: urne supports homomorphic questions only.
_NEXT: dict[EventType | None, frozenset[EventType]] = {
    None: frozenset({EventType.SETUP}),
    EventType.SETUP: frozenset({EventType.BALLOT, EventType.END_BALLOTS}),
    EventType.BALLOT: frozenset({EventType.BALLOT, EventType.END_BALLOTS}),
    EventType.END_BALLOTS: frozenset({EventType.ENCRYPTED_TALLY}),
    EventType.ENCRYPTED_TALLY: frozenset({EventType.PARTIAL_DECRYPTION, EventType.RESULT}),
    EventType.PARTIAL_DECRYPTION: frozenset({EventType.PARTIAL_DECRYPTION, EventType.RESULT}),
    EventType.RESULT: frozenset(),
}


@dataclass(frozen=True, slots=True)
class ChainState:
    """Where an archive's hash chain stands: what the next event needs."""

    timestamp: int
    """The archive's timestamp (also the time of every tar entry)."""
    last_event: str | None = None
    """The hash of the last event (None before the Setup event)."""
    height: int = -1
    """The height of the last event (-1 before the Setup event)."""
    last_type: EventType | None = None


class ArchiveReader:
    """Reads an archive from a binary stream, checking it as it goes (see the module docstring).

    Use `events()` for the chained events with their payloads, or `records()` for typed records;
    either one reads the stream once. The header is read on construction (`header`).
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._entries = _read_entries(stream)
        # Data written and not yet claimed by an event, with how many times it was written.
        self._pending: dict[str, tuple[bytes, int]] = {}
        self._claimed: dict[str, bytes] = {}
        self._data_since_event = 0
        first = next(self._entries, None)
        if first is None:
            raise InvalidArchive("the archive is empty")
        if first.name != HEADER_NAME or first.content is None:
            raise InvalidArchive(f"the first entry must be {HEADER_NAME}", 0, 0)
        try:
            self.header = ArchiveHeader.from_json(loads(first.content))
        except MalformedData as error:
            raise InvalidArchive(f"bad header: {error}", 0, 0) from None
        self.header_text = first.content
        self.state = ChainState(timestamp=self.header.timestamp)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> ArchiveReader:
        """A reader of the archive at `path` (buffered; close it with `close`)."""
        return cls(Path(path).open("rb"))

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def events(self) -> Iterator[ArchivedEvent]:
        """The events in order, each with its payload; checks the whole chain."""
        for entry in self._entries:
            assert entry.content is not None  # noqa: S101 - contents are always read here
            match = _NAME.fullmatch(entry.name)
            if match is None:
                raise InvalidArchive(
                    f"unexpected entry name {entry.name!r}", entry.index, entry.offset
                )
            name_hash, kind = match.groups()
            if sha256_hex(entry.content) != name_hash:
                raise InvalidArchive(
                    "the content's SHA256 differs from the name", entry.index, entry.offset
                )
            if kind == "data":
                held = self._pending.get(name_hash)
                self._pending[name_hash] = (entry.content, held[1] + 1 if held else 1)
                self._data_since_event += 1
                continue
            self._data_since_event = 0
            yield self._chain_event(entry, name_hash, entry.content)
        if self._data_since_event:
            # Data written after the last event: an interrupted append, or junk.
            raise InvalidArchive(f"{self._data_since_event} data entries after the last event")

    def _chain_event(self, entry: Entry, event_hash: str, content: bytes) -> ArchivedEvent:
        state = self.state
        try:
            event = Event.from_json(loads(content))
        except MalformedData as error:
            raise InvalidArchive(f"bad event: {error}", entry.index, entry.offset) from None
        if event.height != state.height + 1:
            raise InvalidArchive(
                f"event height {event.height}, expected {state.height + 1}",
                entry.index,
                entry.offset,
            )
        if event.parent != state.last_event:
            expected = state.last_event or "none"
            raise InvalidArchive(
                f"the event's parent is {event.parent or 'none'}, expected {expected}",
                entry.index,
                entry.offset,
            )
        if event.type not in _NEXT.get(state.last_type, frozenset()):
            after = state.last_type.value if state.last_type else "the header"
            if event.type in (EventType.SHUFFLE, EventType.END_SHUFFLES):
                raise UnsupportedElection(
                    f"archive entry {entry.index}: {event.type.value} events (non-homomorphic "
                    "questions) are not supported"
                )
            raise InvalidArchive(
                f"a {event.type.value} event cannot follow {after}", entry.index, entry.offset
            )
        if event.type.has_payload != (event.payload is not None):
            raise InvalidArchive(
                f"a {event.type.value} event "
                + ("needs a payload" if event.type.has_payload else "has no payload"),
                entry.index,
                entry.offset,
            )
        payload = None
        self._claimed = {}
        if event.payload is not None:
            payload = self._take(event.payload, entry)
        self.state = ChainState(state.timestamp, event_hash, event.height, event.type)
        return ArchivedEvent(event, event_hash, payload, entry.index)

    def _claim(self, data_hash: str) -> bytes | None:
        """The content of data `data_hash`, now claimed by the current event (None if absent).

        Each data entry is claimed once; the same content written twice (two identical texts)
        is held twice. Within one event, a data may be named again (e.g. identical trustees and
        credentials texts written once).
        """
        held = self._pending.get(data_hash)
        if held is None:
            return self._claimed.get(data_hash)
        content, count = held
        if count == 1:
            del self._pending[data_hash]
        else:
            self._pending[data_hash] = (content, count - 1)
        self._claimed[data_hash] = content
        return content

    def _take(self, data_hash: str, entry: Entry) -> bytes:
        content = self._claim(data_hash)
        if content is None:
            raise InvalidArchive(
                f"the payload {data_hash} is not among the data written before",
                entry.index,
                entry.offset,
            )
        return content

    def records(self) -> Iterator[Record]:
        """One typed record per event, with the texts of its payloads."""
        for archived in self.events():
            yield self._record(archived)

    def _record(self, archived: ArchivedEvent) -> Record:
        kind = archived.event.type
        try:
            if kind is EventType.SETUP:
                fields = self._payload_object(archived, ("election", "trustees", "credentials"))
                return SetupRecord(
                    archived,
                    election=self._nested(archived, fields, "election"),
                    trustees=self._nested(archived, fields, "trustees"),
                    credentials=self._nested(archived, fields, "credentials"),
                )
            if kind is EventType.BALLOT:
                return BallotRecord(archived, _text(archived.payload))
            if kind is EventType.END_BALLOTS:
                return EndBallotsRecord(archived)
            if kind is EventType.ENCRYPTED_TALLY:
                fields = self._payload_object(
                    archived, ("num_tallied", "total_weight", "encrypted_tally")
                )
                return EncryptedTallyRecord(
                    archived,
                    num_tallied=read_int(fields["num_tallied"], "num_tallied", minimum=0),
                    total_weight=read_int(fields["total_weight"], "total_weight", minimum=0),
                    encrypted_tally=self._nested(archived, fields, "encrypted_tally"),
                )
            if kind is EventType.PARTIAL_DECRYPTION:
                fields = self._payload_object(archived, ("owner", "payload"))
                return PartialDecryptionRecord(
                    archived,
                    owner=read_int(fields["owner"], "owner", minimum=1),
                    partial_decryption=self._nested(archived, fields, "payload"),
                )
            if kind is EventType.RESULT:
                return ResultRecord(archived, _text(archived.payload))
        except MalformedData as error:
            raise InvalidArchive(f"bad {kind.value} payload: {error}", archived.entry) from None
        raise UnsupportedElection(f"{kind.value} events are not supported")  # pragma: no cover

    def _payload_object(self, archived: ArchivedEvent, fields: tuple[str, ...]) -> dict[str, Any]:
        return read_object(loads(_text(archived.payload)), "", required=fields)

    def _nested(self, archived: ArchivedEvent, fields: dict[str, Any], key: str) -> str:
        data_hash = _read_hash(fields[key], key)
        content = self._claim(data_hash)
        if content is None:
            raise InvalidArchive(
                f"{key} {data_hash} is not among the data written before", archived.entry
            )
        return _text(content)


def _text(content: bytes | None) -> str:
    if content is None:  # pragma: no cover - events with payloads always have one
        raise MalformedData("", "no payload")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedData("", "not UTF-8 text") from None


def read_records(path: str | os.PathLike[str]) -> Iterator[Record]:
    """The typed records of the archive at `path`, read as a stream (see `ArchiveReader`)."""
    with ArchiveReader.open(path) as reader:
        yield from reader.records()


def scan(stream: IO[bytes]) -> ChainState:
    """Where the chain of a (seekable) archive stands, reading only the events.

    Data contents are skipped, not hashed: use it to append to an archive one trusts (one's
    own), and `ArchiveReader` to verify one.
    """
    entries = _read_entries(stream, skip_data=True)
    first = next(entries, None)
    if first is None or first.name != HEADER_NAME or first.content is None:
        raise InvalidArchive(f"the first entry must be {HEADER_NAME}", 0, 0)
    try:
        header = ArchiveHeader.from_json(loads(first.content))
    except MalformedData as error:
        raise InvalidArchive(f"bad header: {error}", 0, 0) from None
    state = ChainState(timestamp=header.timestamp)
    for entry in entries:
        if entry.content is None:
            continue
        try:
            event = Event.from_json(loads(entry.content))
        except MalformedData as error:
            raise InvalidArchive(f"bad event: {error}", entry.index, entry.offset) from None
        state = ChainState(header.timestamp, entry.hash, event.height, event.type)
    return state


def verify_extension(previous: IO[bytes], current: IO[bytes]) -> ArchivedEvent:
    """Check that `current` is `previous` with events added and none removed (spec §3.5.1,
    step 2, belenios-tool's ``verify-diff``): same header, and the last event of `previous` is
    in the chain of `current`, at the same height. Returns that event as `current` has it.

    `previous` is the auditor's own earlier copy (seekable; only its events are read);
    `current` is read and checked up to that event. Raises `InvalidArchive`.
    """
    before = scan(previous)
    reader = ArchiveReader(current)
    if reader.header.timestamp != before.timestamp:
        raise InvalidArchive("the new archive has another header: it is not the same board")
    if before.last_event is None:
        raise InvalidArchive("the earlier archive has no event to compare")
    for archived in reader.events():
        if archived.event.height == before.height:
            if archived.hash != before.last_event:
                raise InvalidArchive(
                    f"event {before.height} differs from the one recorded earlier: the board "
                    "was rewritten",
                    archived.entry,
                )
            return archived
    raise InvalidArchive(
        f"the new archive has {reader.state.height + 1} events, the earlier one had "
        f"{before.height + 1}: events were removed"
    )


# --- writing -------------------------------------------------------------------------------------


class Chain:
    """The hash chain of an archive being written, independent of any file.

    `header()`, `data(content)` and `event(type, payload)` return the bytes of tar entries, to be
    written in the order they are made; `state` can be stored to go on later (`Chain(state)`).
    """

    def __init__(self, state: ChainState) -> None:
        self.state = state

    @classmethod
    def new(cls, timestamp: int) -> Chain:
        """The chain of an archive started at `timestamp` (seconds since 1970)."""
        if timestamp < 0:
            raise ValueError("a timestamp is a number of seconds since 1970")
        return cls(ChainState(timestamp=timestamp))

    def header(self) -> bytes:
        """The ``BELENIOS`` entry: the first of the archive."""
        text = dumps(ArchiveHeader(ARCHIVE_VERSION, self.state.timestamp).to_json())
        return entry_bytes(HEADER_NAME, text.encode("utf-8"), self.state.timestamp)

    def data(self, content: str | bytes) -> tuple[str, bytes]:
        """A data entry: (its hash, its bytes). `content` is compact JSON, no final newline."""
        raw = content.encode("utf-8") if isinstance(content, str) else content
        data_hash = sha256_hex(raw)
        return data_hash, entry_bytes(f"{data_hash}.data.json", raw, self.state.timestamp)

    def event(self, kind: EventType, payload: str | None = None) -> tuple[str, bytes]:
        """The next event entry: (its hash, its bytes); advances the chain."""
        state = self.state
        if kind not in _NEXT.get(state.last_type, frozenset()):
            after = state.last_type.value if state.last_type else "the header"
            raise ValueError(f"a {kind.value} event cannot follow {after}")
        if kind.has_payload != (payload is not None):
            raise ValueError(
                f"a {kind.value} event {'needs' if kind.has_payload else 'has no'} payload"
            )
        event = Event(kind, state.height + 1, state.last_event, payload)
        raw = dumps(event.to_json()).encode("utf-8")
        event_hash = sha256_hex(raw)
        self.state = ChainState(state.timestamp, event_hash, event.height, kind)
        return event_hash, entry_bytes(f"{event_hash}.event.json", raw, state.timestamp)


class ArchiveWriter:
    """Writes an archive in belenios-tool's canonical order to a binary stream.

    Each ``write_*`` method writes the payloads then the event, and returns the event's hash.
    Call `flush` (or close the stream) when the archive must be visible to readers.
    """

    def __init__(self, stream: IO[bytes], chain: Chain) -> None:
        self._stream = stream
        self.chain = chain

    @classmethod
    def create(cls, stream: IO[bytes], timestamp: int) -> ArchiveWriter:
        """Start a new archive (writes the header)."""
        chain = Chain.new(timestamp)
        stream.write(chain.header())
        return cls(stream, chain)

    @classmethod
    def append(cls, stream: IO[bytes]) -> ArchiveWriter:
        """Go on writing an archive opened for reading and writing (``r+b``): the chain is found
        by `scan`, and new entries go at its end."""
        state = scan(stream)
        stream.seek(0, os.SEEK_END)
        return cls(stream, Chain(state))

    @property
    def state(self) -> ChainState:
        return self.chain.state

    def flush(self) -> None:
        self._stream.flush()

    def _data(self, content: str | bytes) -> str:
        data_hash, raw = self.chain.data(content)
        self._stream.write(raw)
        return data_hash

    def _event(self, kind: EventType, payload: str | None = None) -> str:
        event_hash, raw = self.chain.event(kind, payload)
        self._stream.write(raw)
        return event_hash

    def write_setup(self, election: str, trustees: str, credentials: str) -> str:
        """The election, trustees and public credentials texts, setup_data, and Setup."""
        setup = {
            "election": self._data(election),
            "trustees": self._data(trustees),
            "credentials": self._data(credentials),
        }
        return self._event(EventType.SETUP, self._data(dumps(setup)))

    def write_ballot(self, ballot: str) -> str:
        """An accepted ballot's text and its Ballot event."""
        return self._event(EventType.BALLOT, self._data(ballot))

    def write_end_ballots(self) -> str:
        """The EndBallots event: no ballot after it."""
        return self._event(EventType.END_BALLOTS)

    def write_encrypted_tally(
        self, encrypted_tally: str, num_tallied: int, total_weight: int
    ) -> str:
        """The encrypted_tally text, its sized_encrypted_tally and the EncryptedTally event."""
        sized = {
            "num_tallied": num_tallied,
            "total_weight": total_weight,
            "encrypted_tally": self._data(encrypted_tally),
        }
        return self._event(EventType.ENCRYPTED_TALLY, self._data(dumps(sized)))

    def write_partial_decryption(self, owner: int, partial_decryption: str) -> str:
        """Trustee `owner`'s partial decryption, the owned_partial_decryption and the event."""
        owned = {"owner": owner, "payload": self._data(partial_decryption)}
        return self._event(EventType.PARTIAL_DECRYPTION, self._data(dumps(owned)))

    def write_result(self, result: str) -> str:
        """The result text and the Result event: the archive is complete."""
        return self._event(EventType.RESULT, self._data(result))


def rewrite(reader: ArchiveReader, stream: IO[bytes]) -> ChainState:
    """Write again, in canonical form, everything `reader` reads (checking it on the way)."""
    writer = ArchiveWriter(stream, Chain.new(reader.header.timestamp))
    stream.write(writer.chain.header())
    for record in reader.records():
        if isinstance(record, SetupRecord):
            writer.write_setup(record.election, record.trustees, record.credentials)
        elif isinstance(record, BallotRecord):
            writer.write_ballot(record.ballot)
        elif isinstance(record, EndBallotsRecord):
            writer.write_end_ballots()
        elif isinstance(record, EncryptedTallyRecord):
            writer.write_encrypted_tally(
                record.encrypted_tally, record.num_tallied, record.total_weight
            )
        elif isinstance(record, PartialDecryptionRecord):
            writer.write_partial_decryption(record.owner, record.partial_decryption)
        else:
            writer.write_result(record.result)
    return writer.state

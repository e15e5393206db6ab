"""The public archive (`UUID.bel`): reading, writing, appending, and what the real tool says."""

from __future__ import annotations

import io
import shutil
import tarfile
import tracemalloc
from pathlib import Path

import pytest

from urne.crypto.archive import (
    BLOCK,
    ArchiveReader,
    ArchiveWriter,
    BallotRecord,
    Chain,
    EncryptedTallyRecord,
    EndBallotsRecord,
    EventType,
    InvalidArchive,
    PartialDecryptionRecord,
    ResultRecord,
    SetupRecord,
    entry_bytes,
    read_records,
    rewrite,
    scan,
    verify_extension,
)
from urne.crypto.ballot import make_ballot, read_ballot
from urne.crypto.errors import UnsupportedElection
from urne.crypto.hashing import sha256_hex
from urne.crypto.jsonio import dumps, loads
from urne.crypto.tally import (
    TallyAccumulator,
    compute_encrypted_tally,
    decrypt_tally,
    make_partial_decryption,
)
from urne.crypto.trustees import read_private_key

from .belenios_tool import run_tool, run_tool_unchecked
from .conftest import Reference, read_text
from .tampering import HUGE, claim_size

ARCHIVES = ("single/open.bel", "single/tallied.bel", "threshold/open.bel", "threshold/tallied.bel")


def _entries(raw: bytes) -> list[tuple[int, str, bytes]]:
    """(offset, name, content) of each tar entry: an independent reading for the tests."""
    entries = []
    offset = 0
    while offset < len(raw):
        header = raw[offset : offset + BLOCK]
        name = header[:100].rstrip(b"\0").decode()
        size = int(header[124:135], 8)
        entries.append((offset, name, raw[offset + BLOCK : offset + BLOCK + size]))
        offset += BLOCK + size + (-size % BLOCK)
    return entries


def _rebuild(entries: list[tuple[str, bytes]], mtime: int = 1795912439) -> bytes:
    return b"".join(entry_bytes(name, content, mtime) for name, content in entries)


def _read_all(raw: bytes) -> list[object]:
    return list(ArchiveReader(io.BytesIO(raw)).records())


# --- reading the vectors -------------------------------------------------------------------------


def test_it_reads_the_setup_ballots_and_tally_of_the_vectors(
    vectors: Path, single: Reference, threshold: Reference
):
    for reference, owners in ((single, [1]), (threshold, [2, 3, 4, 1])):
        records = list(read_records(reference.folder / "tallied.bel"))
        setup = records[0]
        assert isinstance(setup, SetupRecord)
        assert setup.election == read_text(reference.folder / "election.json")
        assert setup.trustees == read_text(reference.folder / "trustees.json")
        # The tool's public_creds.json has "cred,weight,login" lines: the archive drops logins.
        assert setup.credentials == dumps(reference.credentials.to_json())
        ballots = [record.ballot for record in records if isinstance(record, BallotRecord)]
        assert sorted(ballots) == sorted(reference.ballot_texts.values())
        assert sum(isinstance(record, EndBallotsRecord) for record in records) == 1
        (tally,) = [record for record in records if isinstance(record, EncryptedTallyRecord)]
        count = len(reference.ballot_texts)
        assert (tally.num_tallied, tally.total_weight) == (count, count)
        accumulator = TallyAccumulator(reference.election)
        for ballot in reference.ballots().values():
            accumulator.add(ballot)
        assert tally.encrypted_tally == dumps(accumulator.result().to_json())
        partials = [record for record in records if isinstance(record, PartialDecryptionRecord)]
        assert [record.owner for record in partials] == owners
        result = records[-1]
        assert isinstance(result, ResultRecord)
        assert loads(result.result) == {"result": reference.result}
        heights = [record.event.event.height for record in records]
        assert heights == list(range(len(records)))


def test_the_open_archive_is_the_beginning_of_the_tallied_one(vectors: Path):
    for folder in ("single", "threshold"):
        opened = list(read_records(vectors / folder / "open.bel"))
        tallied = list(read_records(vectors / folder / "tallied.bel"))
        assert tallied[: len(opened)] == opened
        assert isinstance(opened[-1], BallotRecord)


def test_the_header_gives_the_archive_timestamp(vectors: Path):
    with ArchiveReader.open(vectors / "single" / "open.bel") as reader:
        assert (reader.header.version, reader.header.timestamp) == (1, 1795912439)
        assert reader.header_text == b'{"version":1,"timestamp":"1795912439"}'


def test_rewriting_the_vectors_gives_the_same_bytes(vectors: Path):
    for name in ARCHIVES:
        original = (vectors / name).read_bytes()
        out = io.BytesIO()
        with ArchiveReader.open(vectors / name) as reader:
            rewrite(reader, out)
        assert out.getvalue() == original, name


def test_the_scan_finds_the_last_event_without_reading_the_data(vectors: Path):
    with (vectors / "threshold" / "tallied.bel").open("rb") as stream:
        state = scan(stream)
    last = list(read_records(vectors / "threshold" / "tallied.bel"))[-1].event
    assert state.last_event == last.hash
    assert (state.height, state.last_type, state.timestamp) == (15, EventType.RESULT, 1795912442)


# --- writing -------------------------------------------------------------------------------------


def test_appending_the_tally_to_the_open_archive_gives_the_tallied_one(
    tmp_path: Path, vectors: Path
):
    for folder in ("single", "threshold"):
        tallied = list(read_records(vectors / folder / "tallied.bel"))
        path = tmp_path / f"{folder}.bel"
        shutil.copyfile(vectors / folder / "open.bel", path)
        with path.open("r+b") as stream:
            writer = ArchiveWriter.append(stream)
            assert writer.state.last_type is EventType.BALLOT
            for record in tallied:
                if isinstance(record, EndBallotsRecord):
                    writer.write_end_ballots()
                elif isinstance(record, EncryptedTallyRecord):
                    writer.write_encrypted_tally(
                        record.encrypted_tally, record.num_tallied, record.total_weight
                    )
                elif isinstance(record, PartialDecryptionRecord):
                    writer.write_partial_decryption(record.owner, record.partial_decryption)
                elif isinstance(record, ResultRecord):
                    event_hash = writer.write_result(record.result)
                    assert event_hash == record.event.hash
        assert path.read_bytes() == (vectors / folder / "tallied.bel").read_bytes()


def test_the_chain_refuses_events_out_of_order():
    chain = Chain.new(1795912439)
    with pytest.raises(ValueError, match="cannot follow the header"):
        chain.event(EventType.BALLOT, "0" * 64)
    chain.event(EventType.SETUP, "0" * 64)
    chain.event(EventType.END_BALLOTS)
    with pytest.raises(ValueError, match="Ballot event cannot follow EndBallots"):
        chain.event(EventType.BALLOT, "0" * 64)
    with pytest.raises(ValueError, match="needs"):
        chain.event(EventType.ENCRYPTED_TALLY)


def test_tar_entries_are_what_tarfile_reads():
    raw = entry_bytes("abc.data.json", b'{"x":1}', 1795912439)
    assert len(raw) == 2 * BLOCK
    with tarfile.open(fileobj=io.BytesIO(raw + bytes(2 * BLOCK))) as archive:
        (member,) = archive.getmembers()
        assert (member.name, member.size, member.mtime, member.mode) == (
            "abc.data.json",
            7,
            1795912439,
            0o644,
        )
        extracted = archive.extractfile(member)
        assert extracted is not None
        assert extracted.read() == b'{"x":1}'


def test_a_large_archive_is_read_in_flat_memory(tmp_path: Path, single: Reference):
    """Memory stays flat: only the entry being read is held, never the archive."""
    path = tmp_path / "big.bel"
    ballot = single.ballot_texts["10"]
    with path.open("wb") as stream:
        writer = ArchiveWriter.create(stream, 1795912439)
        writer.write_setup(single.election.text, "[]", "[]")
        for number in range(3000):
            # The archive layer does not read ballots: distinct texts of a ballot's size.
            writer.write_ballot(ballot[:-2] + f',"n":{number}' + "}")
    size = path.stat().st_size
    assert size > 40_000_000
    tracemalloc.start()
    count = 0
    for record in read_records(path):
        count += isinstance(record, BallotRecord)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 3000
    assert peak < 1_000_000, f"reading held {peak} bytes at once"


def test_the_tallied_board_extends_the_open_one(vectors: Path):
    for folder in ("single", "threshold"):
        with (
            (vectors / folder / "open.bel").open("rb") as previous,
            (vectors / folder / "tallied.bel").open("rb") as current,
        ):
            found = verify_extension(previous, current)
        last = list(read_records(vectors / folder / "open.bel"))[-1].event
        assert (found.hash, found.event.height) == (last.hash, last.event.height)


def test_a_board_that_lost_events_does_not_extend_the_earlier_one(vectors: Path):
    with (
        (vectors / "single" / "tallied.bel").open("rb") as previous,
        (vectors / "single" / "open.bel").open("rb") as current,
        pytest.raises(InvalidArchive, match="13 events, the earlier one had 17"),
    ):
        verify_extension(previous, current)


def test_a_rewritten_board_does_not_extend_the_earlier_one(vectors: Path, single: Reference):
    """The server drops a ballot and appends another voter's: same height, another chain."""
    records = list(read_records(vectors / "single" / "open.bel"))
    out = io.BytesIO()
    writer = ArchiveWriter.create(out, 1795912439)
    setup = records[0]
    assert isinstance(setup, SetupRecord)
    writer.write_setup(setup.election, setup.trustees, setup.credentials)
    ballots = [record.ballot for record in records if isinstance(record, BallotRecord)]
    for ballot in [*ballots[1:], ballots[0]]:
        writer.write_ballot(ballot)
    with (
        (vectors / "single" / "open.bel").open("rb") as previous,
        pytest.raises(InvalidArchive, match=r"event 12 differs .* rewritten"),
    ):
        verify_extension(previous, io.BytesIO(out.getvalue()))
    with (
        (vectors / "threshold" / "open.bel").open("rb") as previous,
        pytest.raises(InvalidArchive, match="another header"),
    ):
        verify_extension(previous, io.BytesIO(out.getvalue()))


# --- refusing broken archives --------------------------------------------------------------------


def test_it_refuses_a_changed_ballot(vectors: Path):
    raw = bytearray((vectors / "single" / "open.bel").read_bytes())
    offset, name, content = _entries(bytes(raw))[6]
    assert name.endswith(".data.json")
    position = offset + BLOCK + content.index(b'"credential":"') + 20
    raw[position] = ord("7") if raw[position] != ord("7") else ord("8")
    with pytest.raises(InvalidArchive, match=r"entry 6 .*SHA256 differs from the name"):
        _read_all(bytes(raw))


def test_it_refuses_a_damaged_tar_header(vectors: Path):
    raw = bytearray((vectors / "single" / "open.bel").read_bytes())
    offset = _entries(bytes(raw))[3][0]
    raw[offset + 130] ^= 1  # a bit of the size
    with pytest.raises(InvalidArchive, match=r"entry 3 .*checksum"):
        _read_all(bytes(raw))


def test_it_refuses_a_truncated_archive(vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    for cut in (len(raw) - 100, len(raw) - BLOCK - 10, 2 * BLOCK + 7):
        with pytest.raises(InvalidArchive, match="truncated"):
            _read_all(raw[:cut])


class Pipe(io.BytesIO):
    """A stream whose size cannot be known in advance, as a pipe's."""

    def seekable(self) -> bool:
        return False


@pytest.mark.parametrize("index", [2, 5])  # a data entry, the Setup event
def test_an_entry_claiming_more_bytes_than_the_file_holds_is_refused_without_reading_them(
    tmp_path: Path, vectors: Path, index: int
):
    raw = claim_size((vectors / "single" / "open.bel").read_bytes(), index, HUGE)
    path = tmp_path / "claiming.bel"
    path.write_bytes(raw)
    tracemalloc.start()
    try:
        with path.open("rb") as stream, pytest.raises(InvalidArchive, match="truncated"):
            scan(stream)
        with pytest.raises(InvalidArchive, match=rf"entry {index} .*truncated"):
            list(read_records(path))
        with pytest.raises(InvalidArchive, match=rf"entry {index} .*truncated"):
            list(ArchiveReader(Pipe(raw)).records())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * len(raw) + (1 << 21)


def test_it_refuses_data_after_the_last_event(vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    extra = entry_bytes(f"{sha256_hex(b'{}')}.data.json", b"{}", 1795912439)
    with pytest.raises(InvalidArchive, match="1 data entries after the last event"):
        _read_all(raw + extra)


def test_it_refuses_a_file_that_is_neither_data_nor_event(vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    extra = entry_bytes("README.txt", b"hello", 1795912439)
    with pytest.raises(InvalidArchive, match=r"entry 30 .*unexpected entry name 'README\.txt'"):
        _read_all(raw + extra)


def test_it_accepts_end_of_archive_blocks_but_nothing_after(vectors: Path):
    raw = (vectors / "single" / "tallied.bel").read_bytes()
    assert len(_read_all(raw + bytes(2 * BLOCK))) == 17
    with pytest.raises(InvalidArchive, match="after the end-of-archive marker"):
        _read_all(raw + bytes(2 * BLOCK) + b"x")


def test_it_refuses_a_removed_ballot(vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    entries = [(name, content) for _, name, content in _entries(raw)]
    del entries[8:10]  # the second ballot and its event: the next event's parent is gone
    with pytest.raises(InvalidArchive, match="height 3, expected 2"):
        _read_all(_rebuild(entries))


def test_it_refuses_an_event_whose_parent_is_another(vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    entries = [(name, content) for _, name, content in _entries(raw)]
    event = loads(entries[9][1])
    event["parent"] = "f" * 64
    text = dumps(event).encode()
    entries[9] = (f"{sha256_hex(text)}.event.json", text)
    with pytest.raises(InvalidArchive, match=r"entry 9 .*parent is f+, expected 0b7e"):
        _read_all(_rebuild(entries))


def test_it_refuses_a_payload_that_was_not_written(vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    entries = [(name, content) for _, name, content in _entries(raw)]
    del entries[6]  # the first ballot's data
    with pytest.raises(InvalidArchive, match=r"payload ee96.* not among the data"):
        _read_all(_rebuild(entries))


def _events(*kinds: EventType) -> bytes:
    """An archive with these events in this order, chained by hand (`Chain` refuses a wrong
    order, which is what the reader must catch)."""
    chain = Chain.new(1795912439)
    parts = [chain.header()]
    parent: str | None = None
    for height, kind in enumerate(kinds):
        value: dict[str, object] = {} if parent is None else {"parent": parent}
        value |= {"height": height, "type": kind.value}
        if kind.has_payload:
            payload, raw = chain.data(b"{}")
            parts.append(raw)
            value["payload"] = payload
        text = dumps(value).encode()
        parent = sha256_hex(text)
        parts.append(entry_bytes(f"{parent}.event.json", text, 1795912439))
    return b"".join(parts)


def test_it_refuses_events_in_an_impossible_order():
    raw = _events(EventType.SETUP, EventType.RESULT)
    with pytest.raises(InvalidArchive, match="a Result event cannot follow Setup"):
        list(ArchiveReader(io.BytesIO(raw)).events())
    raw = _events(EventType.BALLOT)
    with pytest.raises(InvalidArchive, match="a Ballot event cannot follow the header"):
        list(ArchiveReader(io.BytesIO(raw)).events())


def test_it_says_shuffles_are_not_supported():
    raw = _events(EventType.SETUP, EventType.END_BALLOTS, EventType.SHUFFLE)
    with pytest.raises(UnsupportedElection, match="Shuffle events"):
        list(ArchiveReader(io.BytesIO(raw)).events())


def test_it_refuses_an_archive_without_its_header(vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    with pytest.raises(InvalidArchive, match="first entry must be BELENIOS"):
        ArchiveReader(io.BytesIO(raw[2 * BLOCK :]))
    with pytest.raises(InvalidArchive, match="empty"):
        ArchiveReader(io.BytesIO(b""))
    other = entry_bytes("BELENIOS", b'{"version":2,"timestamp":"1"}', 1)
    with pytest.raises(UnsupportedElection, match="archive version 2"):
        ArchiveReader(io.BytesIO(other))


# --- with the real belenios-tool -----------------------------------------------------------------


def _timestamp(path: Path) -> int:
    with ArchiveReader.open(path) as reader:
        return reader.header.timestamp


@pytest.mark.belenios
def test_urne_writes_what_belenios_tool_writes(tmp_path: Path, single: Reference):
    for file in ("election.json", "trustees.json", "public_creds.json"):
        shutil.copyfile(single.folder / file, tmp_path / file)
    run_tool("archive", "init", cwd=tmp_path)
    ballot = single.ballot_texts["12"]
    run_tool("archive", "add-event", "--type=Ballot", cwd=tmp_path, stdin=ballot + "\n")
    run_tool("archive", "add-event", "--type=EndBallots", cwd=tmp_path, stdin="")
    theirs = tmp_path / f"{single.election.uuid}.bel"
    out = io.BytesIO()
    writer = ArchiveWriter.create(out, _timestamp(theirs))
    writer.write_setup(
        single.election.text,
        read_text(single.folder / "trustees.json"),
        dumps(single.credentials.to_json()),
    )
    writer.write_ballot(ballot)
    writer.write_end_ballots()
    assert out.getvalue() == theirs.read_bytes()


@pytest.mark.belenios
def test_an_archive_written_by_urne_passes_belenios_tool_verify(tmp_path: Path, single: Reference):
    """Setup, the vectors' ballots and one made by urne, the tally, urne's partial decryption
    and the result: `belenios-tool election verify` accepts the archive open, then tallied."""
    election = single.election
    vote = [[0, 0, 0, 0, 0, 1, 0]]
    ballots = {voter: read_ballot(election, text) for voter, text in single.ballot_texts.items()}
    ballots["10"] = make_ballot(election, single.private_credentials["10"], vote)
    path = tmp_path / f"{election.uuid}.bel"
    with path.open("wb") as stream:
        writer = ArchiveWriter.create(stream, 1795999999)
        writer.write_setup(
            election.text,
            read_text(single.folder / "trustees.json"),
            dumps(single.credentials.to_json()),
        )
        for ballot in ballots.values():
            writer.write_ballot(ballot.text)
    run_tool("election", "verify", "--dir", str(tmp_path))

    tally = compute_encrypted_tally(election, ((ballot, 1) for ballot in ballots.values()))
    (privkey,) = (single.folder / "keys").glob("*.privkey")
    key = read_private_key(election.group, privkey.read_text())
    partial = make_partial_decryption(election, tally, key)
    result = decrypt_tally(election, single.trustees, tally, {1: partial})
    with path.open("r+b") as stream:
        writer = ArchiveWriter.append(stream)
        writer.write_end_ballots()
        writer.write_encrypted_tally(dumps(tally.to_json()), tally.num_tallied, tally.total_weight)
        writer.write_partial_decryption(1, dumps(partial.to_json()))
        writer.write_result(dumps(result.to_json()))
    run_tool("election", "verify", "--dir", str(tmp_path))
    expected = [0] * 7
    plaintexts = single.plaintexts | {"10": vote}
    for (row,) in plaintexts.values():
        expected = [a + b for a, b in zip(expected, row, strict=True)]
    assert result.counts == (tuple(expected),)


@pytest.mark.belenios
def test_belenios_tool_refuses_an_archive_urne_refuses(tmp_path: Path, vectors: Path):
    raw = (vectors / "single" / "open.bel").read_bytes()
    entries = [(name, content) for _, name, content in _entries(raw)]
    del entries[8:10]
    broken = _rebuild(entries)
    with pytest.raises(InvalidArchive):
        _read_all(broken)
    (tmp_path / "uuid.txt").write_text("")
    uuid = read_text(vectors / "single" / "uuid.txt")
    (tmp_path / f"{uuid}.bel").write_bytes(broken)
    assert run_tool_unchecked("election", "verify", "--dir", str(tmp_path)).returncode != 0


@pytest.mark.belenios
def test_belenios_tool_verify_diff_agrees_on_extensions(tmp_path: Path, vectors: Path):
    uuid = read_text(vectors / "single" / "uuid.txt")
    for name in ("open", "tallied", "shorter"):
        (tmp_path / name).mkdir()
    shutil.copyfile(vectors / "single" / "open.bel", tmp_path / "open" / f"{uuid}.bel")
    shutil.copyfile(vectors / "single" / "tallied.bel", tmp_path / "tallied" / f"{uuid}.bel")
    run_tool(
        "election",
        "verify-diff",
        "--dir1",
        str(tmp_path / "open"),
        "--dir2",
        str(tmp_path / "tallied"),
    )
    entries = [
        (name, content)
        for _, name, content in _entries((vectors / "single" / "open.bel").read_bytes())
    ]
    (tmp_path / "shorter" / f"{uuid}.bel").write_bytes(_rebuild(entries[:-2]))
    done = run_tool_unchecked(
        "election",
        "verify-diff",
        "--dir1",
        str(tmp_path / "open"),
        "--dir2",
        str(tmp_path / "shorter"),
    )
    assert done.returncode != 0
    with (
        (tmp_path / "open" / f"{uuid}.bel").open("rb") as previous,
        (tmp_path / "shorter" / f"{uuid}.bel").open("rb") as current,
        pytest.raises(InvalidArchive, match="events were removed"),
    ):
        verify_extension(previous, current)

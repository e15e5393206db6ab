"""Fixtures of the protocol tests: the reference elections made by the real belenios-tool.

`single` and `threshold` (session fixtures) are `Reference` objects holding what each folder of
shared/belenios-vectors has (see `vectors_root`), read with urne's own readers.
"""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from urne.crypto.ballot import Ballot, read_ballot
from urne.crypto.credentials import PublicCredentials
from urne.crypto.election import Election, read_election
from urne.crypto.jsonio import loads
from urne.crypto.trustees import Trustee, read_trustees

REPOSITORY = Path(__file__).resolve().parents[2]


def vectors_root() -> Path:
    """Where the reference elections are (the folder holding single/ and threshold/): see
    `find_vectors`. Used by the fixtures and for parametrizing at collection time alike."""
    return find_vectors(os.environ.get("URNE_BELENIOS_VECTORS"), REPOSITORY)


def find_vectors(named: str | None, repository: Path) -> Path:
    """The folder `named` (URNE_BELENIOS_VECTORS) if given, else shared/ beside `repository`
    (a clone's ../shared); in either, a belenios-vectors/ folder or the folder itself.

    Absent, this raises: a test run without the vectors fails, it never collects nothing and
    passes.
    """
    base = Path(named) if named else repository.parent / "shared"
    for candidate in (base / "belenios-vectors", base):
        if (candidate / "single" / "election.json").is_file():
            return candidate
    source = "URNE_BELENIOS_VECTORS" if named else "../shared beside the repository"
    raise FileNotFoundError(
        f"the Belenios reference vectors are missing: no single/election.json under {base} "
        f"or {base / 'belenios-vectors'} ({source}); set URNE_BELENIOS_VECTORS to their folder"
    )


def read_text(path: Path) -> str:
    """A file of the vectors as text, without the newline belenios-tool adds at the end."""
    return path.read_text(encoding="utf-8").removesuffix("\n")


def archive_data(path: Path) -> dict[str, str]:
    """The data files of a `.bel` archive, by hash (test-side reading, not urne's archive)."""
    data = {}
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            if member.name.endswith(".data.json"):
                extracted = archive.extractfile(member)
                assert extracted is not None
                data[member.name.removesuffix(".data.json")] = extracted.read().decode("utf-8")
    return data


@dataclass(frozen=True)
class Reference:
    """One reference election."""

    folder: Path
    election: Election
    credentials: PublicCredentials
    trustees: tuple[Trustee, ...]
    private_credentials: dict[str, str]
    """voter id → voting identifier"""
    plaintexts: dict[str, list[list[int]]]
    """voter id → vote"""
    ballot_texts: dict[str, str]
    """voter id → ballot text"""
    result: list[list[int]]

    def ballots(self) -> dict[str, Ballot]:
        return {
            voter: read_ballot(self.election, text) for voter, text in self.ballot_texts.items()
        }


def _reference(folder: Path) -> Reference:
    election = read_election(read_text(folder / "election.json"))
    group = election.group

    def pairs(file: str) -> dict[str, str]:
        lines = read_text(folder / file).splitlines()
        return dict(line.split(" ", 1) for line in lines)

    return Reference(
        folder=folder,
        election=election,
        credentials=PublicCredentials.from_json(
            group, loads(read_text(folder / "public_creds.json"))
        ),
        trustees=read_trustees(group, loads(read_text(folder / "trustees.json"))),
        private_credentials=pairs("private_creds.txt"),
        plaintexts={voter: loads(vote) for voter, vote in pairs("plaintexts.txt").items()},
        ballot_texts={
            path.stem: read_text(path) for path in sorted((folder / "ballots").glob("*.json"))
        },
        result=loads(read_text(folder / "result.json"))["result"],
    )


@pytest.fixture(scope="session")
def vectors() -> Path:
    """The folder of the reference elections (single/ and threshold/)."""
    return vectors_root()


@pytest.fixture(scope="session")
def single(vectors: Path) -> Reference:
    """1 question, 6 lists + blank, min 1 max 1; one "Single" trustee; 12 ballots."""
    return _reference(vectors / "single")


@pytest.fixture(scope="session")
def threshold(vectors: Path) -> Reference:
    """2 questions; "Single" + "Pedersen" 2 of 3 trustees; 8 ballots."""
    return _reference(vectors / "threshold")

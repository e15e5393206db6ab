"""Benchmark: making and checking Belenios ballots with urne's protocol core, against
belenios-tool.

Uses the reference election of belenios-vectors/single, found as the tests find it
(URNE_BELENIOS_VECTORS, else ../shared beside the repository): 6 lists + blank, 7 encrypted
choices a ballot. Times, per ballot:
1. `make_ballot` (encryption, every proof, signature);
2. `read_ballot` (JSON, shape, canonical numbers, group membership of every element);
3. `verify_ballot` (credential, every proof, signature);
4. with --tool, belenios-tool's own check of the same ballots: they are appended to a copy of the
   vote's archive and `belenios-tool election verify` is timed with and without them.

Usage: .venv/bin/python bench/crypto_ballots.py [--ballots 50] [--tool] [--vectors PATH]
The figures go to docs/benchmarks.md, section « Bulletins chiffrés ».
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from urne.crypto.ballot import make_ballot, read_ballot, verify_ballot
from urne.crypto.credentials import PublicCredentials
from urne.crypto.election import read_election
from urne.crypto.jsonio import loads

_NAMED = os.environ.get("URNE_BELENIOS_VECTORS")
_BASE = Path(_NAMED) if _NAMED else Path(__file__).resolve().parents[2] / "shared"
DEFAULT_VECTORS = _BASE / "belenios-vectors" if (_BASE / "belenios-vectors").is_dir() else _BASE
"""As the tests find them: URNE_BELENIOS_VECTORS, else shared/ beside the repository."""


def _milliseconds(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:.1f} ms, min {min(samples) * 1000:.1f} ms"


def _tool_seconds(folder: Path) -> float:
    tool = shutil.which("belenios-tool")
    assert tool is not None, "belenios-tool is not installed"
    start = time.perf_counter()
    subprocess.run(
        [tool, "election", "verify", "--dir", str(folder)], check=True, capture_output=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=50)
    parser.add_argument("--tool", action="store_true", help="also time belenios-tool")
    parser.add_argument("--vectors", type=Path, default=DEFAULT_VECTORS)
    args = parser.parse_args()

    folder = args.vectors / "single"
    election = read_election((folder / "election.json").read_text().removesuffix("\n"))
    credentials = PublicCredentials.from_json(
        election.group, loads((folder / "public_creds.json").read_text())
    )
    identifiers = [
        line.split()[1] for line in (folder / "private_creds.txt").read_text().split("\n") if line
    ]
    vote = [[0, 0, 1, 0, 0, 0, 0]]
    make_ballot(election, identifiers[0], vote)  # builds the fixed-base tables once

    made, read, verified, texts = [], [], [], []
    for index in range(args.ballots):
        start = time.perf_counter()
        ballot = make_ballot(election, identifiers[index % len(identifiers)], vote)
        made.append(time.perf_counter() - start)
        texts.append(ballot.text)
    for text in texts:
        start = time.perf_counter()
        ballot = read_ballot(election, text, credentials)
        read.append(time.perf_counter() - start)
        start = time.perf_counter()
        verify_ballot(election, ballot, credentials)
        verified.append(time.perf_counter() - start)
    total = [r + v for r, v in zip(read, verified, strict=True)]
    print(f"{args.ballots} ballots of 7 encrypted choices (BELENIOS-2048), one process:")
    print(f"  make_ballot:   {_milliseconds(made)}")
    print(f"  read_ballot:   {_milliseconds(read)}")
    print(f"  verify_ballot: {_milliseconds(verified)}")
    print(f"  read + verify: {_milliseconds(total)}")

    if args.tool:
        tool = shutil.which("belenios-tool")
        assert tool is not None, "belenios-tool is not installed"
        with tempfile.TemporaryDirectory() as temporary:
            work = Path(temporary)
            archive = work / f"{election.uuid}.bel"
            shutil.copyfile(folder / "open.bel", archive)
            archive.chmod(0o644)
            base = _tool_seconds(work)
            for text in texts:
                subprocess.run(
                    [tool, "archive", "add-event", "--dir", str(work), "--type", "Ballot"],
                    input=text + "\n",
                    text=True,
                    check=True,
                    capture_output=True,
                )
            full = _tool_seconds(work)
        per_ballot = (full - base) / args.ballots
        print(
            f"  belenios-tool election verify: {per_ballot * 1000:.1f} ms a ballot "
            f"({base:.2f} s without them, {full:.2f} s with them)"
        )


if __name__ == "__main__":
    main()

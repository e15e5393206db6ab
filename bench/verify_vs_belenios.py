"""Benchmark: `urne verify` against `belenios-tool election verify` on the same archive.

1. Runs a whole election with `urne.crypto.simulate` (default: 1,000 voters, 6 lists and blank,
   one "Single" trustee) and writes its archive, as `urne simulate` does; times the ballots'
   making and the tally with its decryption.
2. Times, on that same archive, `belenios-tool election verify` (the archive alone in a folder, as
   UUID.bel) and `urne verify --json` (with every core, then with one process), each run as a
   command several times; prints the wall-clock times (best and median), the processor time, and
   the ratio.
3. Times, in this process, making one ballot and checking one ballot as the ballot box does
   (`check_ballot`: form, credential, proofs, signature), plain and once the election is
   prepared (`urne.crypto.ballot.prepare_election`, what a ballot box's worker does once per
   election), and gives the ceiling of a machine of this many cores: cores / time a ballot.

Usage: .venv/bin/python bench/verify_vs_belenios.py [--ballots 1000] [--repeat 3] [--jobs N]
       [--lists 6 | --choices 7] [--threshold] [--keep FOLDER]
The figures go to docs/benchmarks.md, section « Vérification d'une élection ».
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gmpy2

from urne.crypto.ballot import (
    check_ballot,
    forget_prepared_elections,
    make_ballot,
    prepare_election,
)
from urne.crypto.fastexp import default_jobs
from urne.crypto.simulate import SimulationSpec, simulate, write_simulation


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(command: list[str]) -> tuple[float, float, str]:
    """Wall-clock and processor seconds of a command, and its output."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return wall, _children_cpu() - cpu, done.stdout + done.stderr


def _series(command: list[str], repeat: int) -> dict[str, float]:
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu, _ = _run(command)
        walls.append(wall)
        cpus.append(cpu)
    return {"best": min(walls), "median": statistics.median(walls), "cpu": min(cpus)}


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def _gmp_library() -> str:
    """Which libgmp gmpy2 runs on: its wheel's own copy, or the system's (Linux)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            libraries = {line.split()[-1] for line in maps if "libgmp" in line}
    except OSError:
        return "libgmp ?"
    if not libraries:
        return "libgmp ?"
    if any("site-packages" in library for library in libraries):
        return "the wheel's bundled libgmp"
    return "the system's " + ", ".join(sorted(libraries))


def _machine() -> str:
    model = "unknown processor"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    tool = subprocess.run(
        [shutil.which("belenios-tool") or "belenios-tool", "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"{model}, {default_jobs()} cores available, Python {platform.python_version()}, "
        f"gmpy2 {gmpy2.version()} ({gmpy2.mp_version()}, {_gmp_library()}), "
        f"belenios-tool {tool or '?'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1000)
    parser.add_argument("--lists", type=int, default=6)
    parser.add_argument(
        "--choices", type=int, default=None, help="encrypted choices a ballot (lists + blank)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="urne's processes (default: all)")
    parser.add_argument("--threshold", action="store_true", help="trustees: 2 of 3 (Pedersen)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the archive in this folder")
    args = parser.parse_args()
    if args.choices is not None:
        if args.choices < 2:
            raise SystemExit("--choices: at least 2 (one list and the blank flag)")
        args.lists = args.choices - 1
    if shutil.which("belenios-tool") is None:
        raise SystemExit("belenios-tool is not installed (Debian package belenios-tool)")
    urne = str(Path(sys.executable).parent / "urne")
    jobs = args.jobs or default_jobs()

    print(f"Machine: {_machine()}")
    spec = SimulationSpec(
        voters=args.ballots,
        lists=args.lists,
        blank=True,
        trustees=3 if args.threshold else 1,
        threshold=2 if args.threshold else None,
        seed=2026,
    )
    print(
        f"Election: {args.ballots} ballots, {args.lists} lists + blank "
        f"({args.lists + 1} encrypted choices a ballot), "
        + ("Pedersen 2 of 3 trustees" if args.threshold else "one Single trustee")
        + ", BELENIOS-2048"
    )
    simulated = simulate(spec, jobs=jobs)
    timings = simulated.timings
    print(
        f"urne simulate ({jobs} processes): ballots {timings['ballots']:.1f} s "
        f"({timings['ballots'] / max(1, args.ballots) * 1000:.1f} ms a ballot of wall-clock "
        f"time), encrypted tally {timings['tally'] * 1000:.0f} ms, partial decryptions and "
        f"result {timings['decryption'] * 1000:.0f} ms"
    )

    folder = Path(tempfile.mkdtemp(prefix="urne-bench-"))
    try:
        archive = folder / f"{simulated.election.uuid}.bel"
        write_simulation(simulated, archive)
        print(f"Archive: {archive.stat().st_size / 1e6:.1f} MB")
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(archive, args.keep / archive.name)

        belenios = _series(
            ["belenios-tool", "election", "verify", "--dir", str(folder)], args.repeat
        )
        ours = _series([urne, "verify", str(archive), "--json", "--jobs", str(jobs)], args.repeat)
        alone = _series([urne, "verify", str(archive), "--json", "--jobs", "1"], args.repeat)
        _, _, output = _run([urne, "verify", str(archive), "--json"])
        assert json.loads(output)["result"] == [list(simulated.expected.counts[0])]
    finally:
        shutil.rmtree(folder)

    def line(name: str, series: dict[str, float]) -> str:
        return (
            f"  {name:<34} best {series['best']:6.2f} s  median {series['median']:6.2f} s  "
            f"processor {series['cpu']:6.2f} s"
        )

    print(f"Verifying the same archive ({args.repeat} runs each, wall-clock):")
    print(line("belenios-tool election verify", belenios))
    print(line(f"urne verify --jobs {jobs}", ours))
    print(line("urne verify --jobs 1", alone))
    print(
        f"  ratio: urne is {belenios['best'] / ours['best']:.1f}x faster with {jobs} processes "
        f"(median {belenios['median'] / ours['median']:.1f}x), "
        f"{belenios['best'] / alone['best']:.1f}x with one"
    )

    election = simulated.election
    identifiers = simulated.voting_identifiers[:20]
    vote = [[0, 1] + [0] * (args.lists - 1)]
    made, checked, checked_prepared = [], [], []
    texts = []
    for identifier in identifiers:
        start = time.perf_counter()
        texts.append(make_ballot(election, identifier, vote).text)
        made.append(time.perf_counter() - start)
    for text in texts:
        start = time.perf_counter()
        check_ballot(election, text, simulated.credentials)
        checked.append(time.perf_counter() - start)
    start = time.perf_counter()
    prepare_election(election)
    preparing = time.perf_counter() - start
    cpu = time.process_time()
    for text in texts:
        start = time.perf_counter()
        check_ballot(election, text, simulated.credentials)
        checked_prepared.append(time.perf_counter() - start)
    cpu_prepared = (time.process_time() - cpu) / len(texts)
    forget_prepared_elections()
    cores = default_jobs()
    print(f"One ballot, one process (median of {len(texts)}):")
    print(f"  make_ballot:                        {_median_ms(made)}")
    print(f"  check_ballot (as the ballot box):   {_median_ms(checked)}")
    print(
        f"  check_ballot, election prepared:    {_median_ms(checked_prepared)} "
        f"(processor {cpu_prepared * 1000:.1f} ms; preparing took {preparing:.2f} s once)"
    )
    print(
        f"  ceiling of this machine's {cores} cores: {cores} / "
        f"{cpu_prepared * 1000:.1f} ms = {cores / cpu_prepared:.0f} ballots/s"
    )
    print(f"Command: {' '.join([sys.executable, *sys.argv])}  (load: {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()

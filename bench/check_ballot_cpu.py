"""Benchmark: the processor time of `check_ballot` on one ballot, as the ballot box runs it.

Simulates a small election (`urne.crypto.simulate`, seeded: the same ballots every run; default
40 voters, 6 lists and blank: 7 encrypted choices a ballot, BELENIOS-2048), prepares it as a
ballot box's worker does (`prepare_election`), then checks every ballot `--rounds` times, each
time with the credential list the ballot box gives (`{credential: 1}`), and prints the processor
time a ballot (`time.process_time`, not wall-clock: the machine is shared) of each round, the
best and the median.

To compare two versions of the code on a shared machine, alternate them, e.g. with a checkout of
the older commit in OLD:

    for i in 1 2 3; do
        PYTHONPATH=OLD/src .venv/bin/python bench/check_ballot_cpu.py
        .venv/bin/python bench/check_ballot_cpu.py
    done

The figures go to docs/benchmarks.md, section « Vérification d'une élection ».
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import urne.crypto.ballot
from urne.crypto.ballot import check_ballot, prepare_election
from urne.crypto.simulate import SimulationSpec, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=40)
    parser.add_argument("--lists", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    simulated = simulate(
        SimulationSpec(voters=args.voters, lists=args.lists, blank=True, seed=args.seed), jobs=1
    )
    election = simulated.election
    ballots = [(ballot.text, {ballot.credential: 1}) for ballot in simulated.ballots]
    prepare_election(election)
    for text, credentials in ballots[:3]:  # the first calls build what is cached
        check_ballot(election, text, credentials)
    rounds = []
    for _ in range(args.rounds):
        start = time.process_time()
        for text, credentials in ballots:
            check_ballot(election, text, credentials)
        rounds.append((time.process_time() - start) / len(ballots) * 1000)
    print(
        f"check_ballot, election prepared, {len(ballots)} ballots of "
        f"{election.questions[0].choice_count} choices ({urne.crypto.ballot.__file__}):"
    )
    print(f"  processor time a ballot, each round: {' '.join(f'{r:.2f}' for r in rounds)} ms")
    print(f"  best {min(rounds):.2f} ms, median {statistics.median(rounds):.2f} ms")
    print(f"  load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

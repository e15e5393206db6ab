"""Benchmark: what one login's password check costs, with Django's default Argon2 costs and with
urne's (OWASP's argon2id: 19 MiB, 2 passes, 1 lane), side by side.

Each login checks one password against its hash: that check is the costly part of a login.
The script hashes a password with each hasher, then checks it N times in this process and
reports, for each, the wall-clock time of one check, the processor time it used (Argon2 runs
one thread per lane, so with 8 lanes one check keeps several cores busy), and from that the
logins a second one core can check and this machine can check (its cores, the physical limit).

Usage: .venv/bin/python bench/argon2_login.py [--logins 30]
The figures go to docs/benchmarks.md, section « Connexion : le coût d'Argon2 ».
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher

from urne.accounts.hashers import SizedArgon2PasswordHasher

PASSWORD = "Automne2014x"  # noqa: S105 (a benchmark's sample password)


def measure(hasher: BasePasswordHasher, logins: int) -> tuple[float, float]:
    """Median wall-clock seconds and mean processor seconds of one password check."""
    encoded = hasher.encode(PASSWORD, hasher.salt())
    assert hasher.verify(PASSWORD, encoded)
    walls = []
    cpu_start = time.process_time()
    for _ in range(logins):
        start = time.perf_counter()
        hasher.verify(PASSWORD, encoded)
        walls.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu_start) / logins
    return statistics.median(walls), cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--logins", type=int, default=30, help="checks per hasher")
    options = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; {options.logins} password checks per hasher; load {os.getloadavg()}")
    print(
        f"{'costs':<44} {'wall/login':>11} {'CPU/login':>10} {'logins/s/core':>14} "
        f"{'logins/s (machine)':>19}"
    )
    for label, hasher in (
        ("Django default (100 MiB, 2 passes, 8 lanes)", Argon2PasswordHasher()),
        ("urne, OWASP (19 MiB, 2 passes, 1 lane)", SizedArgon2PasswordHasher()),
    ):
        wall, cpu = measure(hasher, options.logins)
        # A check can use at most min(lanes, cores) cores at once: the machine's rate is bound
        # by its processor time (cores / CPU per login) and, with one lane, by nothing else.
        print(
            f"{label:<44} {wall * 1000:>9.1f} ms {cpu * 1000:>7.1f} ms {1 / cpu:>14.1f} "
            f"{cores / cpu:>19.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: GMP's powmod as the verifier uses it, in one or several Python environments.

The time of `urne verify` is mostly gmpy2's `powmod` with a 2048-bit modulus (BELENIOS-2048's p)
and 256-bit exponents (numbers of Zq), 37 a ballot, and products modulo p (fixed-base tables,
shared squarings). This measures both, in processor time (less sensitive than wall-clock time to
other jobs on the machine), for the gmpy2 of each environment given, alternated round by round so
that a change of load hits every environment alike, and names the GMP each one runs on: the copy
bundled in gmpy2's wheel (`site-packages/gmpy2.libs`) or the system's `libgmp.so`.

Usage: .venv/bin/python bench/gmp_powmod.py [--python OTHER/bin/python ...] [--rounds 12] [--n 300]
Without --python, only this interpreter. The figures go to docs/benchmarks.md, section
« Vérification d'une élection », GMP.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time

import gmpy2

from urne.crypto.group import BELENIOS_2048


def gmp_library() -> str:
    """The libgmp this process has loaded (Linux: from /proc/self/maps)."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        libraries = {line.split()[-1] for line in maps if "libgmp" in line}
    return ", ".join(sorted(libraries)) or "?"


def one_round(n: int) -> dict[str, float | str]:
    """Processor microseconds of one powmod and of one product modulo p (mean over n)."""
    rnd = random.Random(2026)
    p = BELENIOS_2048.p
    bases = [gmpy2.mpz(rnd.randrange(2, int(p))) for _ in range(n)]
    exponents = [gmpy2.mpz(rnd.getrandbits(256)) for _ in range(n)]
    start = time.process_time()
    for base, exponent in zip(bases, exponents, strict=True):
        gmpy2.powmod(base, exponent, p)
    powmod = (time.process_time() - start) / n
    start = time.process_time()
    for _ in range(10):
        for a, b in zip(bases, reversed(bases), strict=True):
            _ = a * b % p
    product = (time.process_time() - start) / (10 * n)
    return {
        "gmp": f"{gmpy2.mp_version()} ({gmp_library()})",
        "powmod": powmod * 1e6,
        "product": product * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", default=[], help="another environment")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--n", type=int, default=300, help="powmods a round")
    parser.add_argument("--one-round", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_round:
        print(json.dumps(one_round(args.n)))
        return
    pythons = [sys.executable, *args.python]
    samples: dict[str, list[dict[str, float | str]]] = {python: [] for python in pythons}
    for _ in range(args.rounds):
        for python in pythons:
            done = subprocess.run(
                [python, __file__, "--one-round", "--n", str(args.n)],
                capture_output=True,
                text=True,
                check=True,
            )
            samples[python].append(json.loads(done.stdout))
    print(f"2048-bit modulus, 256-bit exponents; {args.rounds} alternated rounds of {args.n}:")
    for python, rounds in samples.items():
        powmods = [float(sample["powmod"]) for sample in rounds]
        products = [float(sample["product"]) for sample in rounds]
        print(f"  {python}: {rounds[0]['gmp']}")
        print(
            f"    powmod  best {min(powmods):6.1f} µs  median {statistics.median(powmods):6.1f} µs"
            f"    product mod p  best {min(products):5.2f} µs  "
            f"median {statistics.median(products):5.2f} µs"
        )


if __name__ == "__main__":
    main()

"""Benchmark: import N generated electors (default 100,000) with `do_import_electors`.

Runs on a fresh embedded SQLite database in a temporary folder (or on DATABASE_URL with
--use-database-url), and times three imports of the same campaign:
1. the first import (every elector and roll entry created);
2. the same file again (nothing changes: the idempotent path);
3. a file where one line in ten changed establishment and lost a scrutin.

Usage: .venv/bin/python bench/import_electors.py [--lines 100000] [--use-database-url]
The figures go to docs/benchmarks.md, section « Import des électeurs ».
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ACADEMIES = ("dijon", "lyon", "versailles")
CORPS = (
    ("Professeur certifié", "certifie"),
    ("Professeur des écoles", "ecoles"),
    ("Professeur agrégé", "agrege"),
    ("Conseiller principal d'éducation", "cpe"),
)


def write_file(path: Path, lines: int, seed: int, changed_every: int = 0) -> None:
    from urne.campaign.import_parse import HEADER  # once Django is set up, like every urne import

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(f"{HEADER}\r\n")
        for n in range(lines):
            academy = ACADEMIES[n % len(ACADEMIES)]
            corps, key = CORPS[rng.randrange(len(CORPS))]
            scrutins = ["csa-ministeriel", f"csa-academique-{academy}"]
            if key == "certifie":
                scrutins += ["capn-certifies", f"capa-certifies-{academy}"]
            establishment = f"Collège n° {n % 5000}, {academy.capitalize()}"
            if changed_every and n % changed_every == 0:
                establishment = f"Lycée n° {n % 3000}, {academy.capitalize()}"
                scrutins = scrutins[:-1]
            out.write(
                f"{'Mme' if n % 3 else 'M.'};Prénom{n};Nom{n};agent{n}@ac-{academy}.fr;{corps};"
                f"Classe normale;{establishment};{academy};{'|'.join(scrutins)}\r\n"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--use-database-url", action="store_true")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="urne-bench-"))
    os.environ["URNE_DATA_DIR"] = str(workdir)
    if not options.use_database_url:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from urne.campaign.imports import do_import_electors
    from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin

    call_command("migrate", verbosity=0)
    now = timezone.now()
    campaign = Campaign.objects.create(
        name=f"Banc d'essai {now:%Y%m%d%H%M%S}",
        year=2014,
        organizer="Banc d'essai",
        accounts_open_at=now,
        rolls_published_at=now,
        candidacies_published_at=now,
        identifiers_available_at=now,
        corrections_deadline=now + timedelta(days=5),
        vote_opens_at=now + timedelta(days=7),
        vote_closes_at=now + timedelta(days=14),
    )
    national = Scrutin.Level.NATIONAL
    for code, name, kind in (
        ("csa-ministeriel", "CSA ministériel", Scrutin.Kind.CSA),
        ("capn-certifies", "CAPN des professeurs certifiés", Scrutin.Kind.CAP),
    ):
        Scrutin.objects.create(
            campaign=campaign, code=code, name=name, level=national, kind=kind, seats=10
        )
    for code in ACADEMIES:
        academy = Academy.objects.create(
            campaign=campaign,
            code=code,
            name=code.capitalize(),
            mail_domain=f"ac-{code}.fr",
            assistance_email=f"elections@ac-{code}.fr",
            assistance_phone="01 99 00 00 00",
        )
        for prefix, kind in (
            ("csa-academique", Scrutin.Kind.CSA),
            ("capa-certifies", Scrutin.Kind.CAP),
        ):
            Scrutin.objects.create(
                campaign=campaign,
                code=f"{prefix}-{code}",
                name=f"{prefix} {code}",
                level=Scrutin.Level.ACADEMIC,
                kind=kind,
                academy=academy,
                seats=8,
            )

    first, changed = workdir / "electeurs.csv", workdir / "electeurs-modifies.csv"
    write_file(first, options.lines, seed=1)
    write_file(changed, options.lines, seed=1, changed_every=10)
    size = first.stat().st_size / 1e6
    load = os.getloadavg()[0]
    print(
        f"{options.lines} lines ({size:.1f} MB), database: {connection.vendor}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}"
    )

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for label, path in (
        ("first import", first),
        ("same file again", first),
        ("one line in ten changed", changed),
    ):
        started, cpu_started = time.perf_counter(), time.process_time()
        with path.open("rb") as source:
            report = do_import_electors(campaign, source)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        print(
            f"{label:>24}: {elapsed:6.1f} s, CPU {cpu:5.1f} s "
            f"({options.lines / elapsed:,.0f} lines/s) — "
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"roll +{report.roll_added} -{report.roll_removed}"
        )
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"peak RSS {rss_after / 1024:.0f} MiB (before the imports: {rss_before / 1024:.0f} MiB); "
        f"{Elector.objects.count()} electors, {RollEntry.objects.count()} roll entries"
    )
    print(f"work folder (delete it when done): {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

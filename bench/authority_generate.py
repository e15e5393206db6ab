"""Benchmark: `do_generate_identifiers` for N electors (default 10,000) on 2 to 4 scrutins each.

Imports N generated electors (bench/import_electors.py's file) into a fresh embedded SQLite
database in a temporary folder (or DATABASE_URL with --use-database-url), makes the authority's
key pair, then times the first run (every identifier and credential made) and a second run
(nothing to add). Figures: docs/credential-authority.md, section « Vitesse ».

Usage: .venv/bin/python bench/authority_generate.py [--electors 10000] [--use-database-url]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--electors", type=int, default=10_000)
    parser.add_argument("--use-database-url", action="store_true")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="urne-bench-authority-"))
    os.environ["URNE_DATA_DIR"] = str(workdir)
    if not options.use_database_url:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")
    sys.path.insert(0, str(Path(__file__).parent))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from import_electors import make_campaign, write_file
    from urne.authority.generation import do_generate_identifiers
    from urne.authority.keys import read_public_key, write_key_pair
    from urne.campaign.imports import do_import_electors
    from urne.campaign.models import RollEntry

    call_command("migrate", verbosity=0)
    campaign = make_campaign("identifiants")
    path = workdir / "electeurs.csv"
    write_file(path, options.electors, seed=1)
    with path.open("rb") as source:
        do_import_electors(campaign, source)
    entries = RollEntry.objects.filter(scrutin__campaign=campaign).count()
    _private, public_path = write_key_pair(workdir / "autorite")
    public_key = read_public_key(str(public_path))
    print(
        f"{options.electors} electors, {entries} roll entries, database: {connection.vendor}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    for label in ("first run", "second run"):
        started, cpu_started = time.perf_counter(), time.process_time()
        report = do_generate_identifiers(campaign, public_key)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        print(
            f"{label:>10}: {elapsed:6.1f} s, CPU {cpu:5.1f} s — identifiers "
            f"{report.identifiers_created}, credentials {report.credentials_created}"
            + (
                f" ({report.credentials_created / elapsed:,.0f} credentials/s, "
                f"{elapsed / max(report.credentials_created, 1) * 1e3:.2f} ms each)"
                if report.credentials_created
                else ""
            )
        )
    print(f"work folder (delete it when done): {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

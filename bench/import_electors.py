"""Benchmark: import N generated electors (default 100,000) with `do_import_electors`.

Runs on a fresh embedded SQLite database in a temporary folder (or on PostgreSQL, DATABASE_URL,
with --use-database-url: a new campaign in that database), and times three imports of the
same campaign, each reporting wall time, CPU time of this process and its peak memory:
1. the first import (every elector and roll entry created);
2. the same file again (nothing changes: the idempotent path);
3. a file where one line in ten changed establishment and lost a scrutin.
With --xlsx, the same three files as Excel workbooks, into a second campaign.

Usage: .venv/bin/python bench/import_electors.py [--lines 100000] [--use-database-url]
       [--xlsx] [--first-only]
e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/urne_bench \
     .venv/bin/python bench/import_electors.py --lines 1000000 --use-database-url --xlsx
The figures go to docs/benchmarks.md, section « Import des électeurs ».
"""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ACADEMIES = ("dijon", "lyon", "versailles")
CORPS = (
    ("Professeur certifié", "certifie"),
    ("Professeur des écoles", "ecoles"),
    ("Professeur agrégé", "agrege"),
    ("Conseiller principal d'éducation", "cpe"),
)


def generate(lines: int, seed: int, changed_every: int = 0) -> Iterator[list[str]]:
    """The file's lines as cells, header first."""
    from urne.campaign.import_parse import COLUMNS  # once Django is set up, like every import

    yield list(COLUMNS)
    rng = random.Random(seed)
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
        yield [
            "Mme" if n % 3 else "M.",
            f"Prénom{n}",
            f"Nom{n}",
            f"agent{n}@ac-{academy}.fr",
            corps,
            "Classe normale",
            establishment,
            academy,
            "|".join(scrutins),
        ]


def write_file(path: Path, lines: int, seed: int, changed_every: int = 0) -> None:
    """The generated file as CSV (UTF-8, « ; »)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerows(generate(lines, seed, changed_every))


_WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="electeurs" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}


def write_workbook(path: Path, lines: int, seed: int, changed_every: int = 0) -> None:
    """The generated file as an Excel workbook, laid out as Excel saves one: every text in the
    shared strings table, each cell an index into it, the sheet's size declared up front.

    (Written here with the standard library: openpyxl's own writer takes a quarter of an hour
    for a million rows, and writes the text into the cells, which Excel does not.)
    """
    from xml.sax.saxutils import escape

    strings: dict[str, int] = {}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in _WORKBOOK_PARTS.items():
            book.writestr(name, text)
        with book.open("xl/worksheets/sheet1.xml", "w") as raw:
            sheet = io.TextIOWrapper(raw, encoding="utf-8")
            sheet.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="A1:I{lines + 1}"/><sheetData>'
            )
            for number, row in enumerate(generate(lines, seed, changed_every), start=1):
                cells = []
                for column, value in enumerate(row):
                    index = strings.setdefault(value, len(strings))
                    cells.append(f'<c r="{letters[column]}{number}" t="s"><v>{index}</v></c>')
                sheet.write(f'<row r="{number}">{"".join(cells)}</row>')
            sheet.write("</sheetData></worksheet>")
            sheet.flush()
            sheet.detach()
        with book.open("xl/sharedStrings.xml", "w") as raw:
            table = io.TextIOWrapper(raw, encoding="utf-8")
            table.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                f'uniqueCount="{len(strings)}">'
            )
            for text in strings:
                table.write(f"<si><t>{escape(text)}</t></si>")
            table.write("</sst>")
            table.flush()
            table.detach()


def make_campaign(label: str) -> Any:
    """A campaign for a benchmark (Django set up first): the vote in a week, 2 national scrutins
    and, for each of `ACADEMIES`, its academy and 2 academic scrutins, as the generated files
    name them. Also used by bench/authority_generate.py."""
    from django.utils import timezone

    from urne.campaign.models import Academy, Campaign, Scrutin

    now = timezone.now()
    campaign = Campaign.objects.create(
        name=f"Banc d'essai {label} {now:%Y%m%d%H%M%S}",
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
    return campaign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--use-database-url", action="store_true")
    parser.add_argument("--xlsx", action="store_true", help="also import the files as XLSX")
    parser.add_argument("--csv-off", action="store_true", help="skip the CSV files")
    parser.add_argument("--first-only", action="store_true", help="only the first import")
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

    from urne.campaign.imports import do_import_electors
    from urne.campaign.models import Elector, RollEntry

    call_command("migrate", verbosity=0)

    formats: list[tuple[str, str, Callable[[Path, int, int, int], None]]] = []
    if not options.csv_off:
        formats.append(("CSV", "csv", write_file))
    if options.xlsx:
        formats.append(("XLSX", "xlsx", write_workbook))
    load = os.getloadavg()
    print(
        f"{options.lines} lines, database: {connection.vendor}, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    for label, suffix, write in formats:
        run_format(options, workdir, label, suffix, write, make_campaign(label), do_import_electors)
    print(
        f"{Elector.objects.count()} electors, {RollEntry.objects.count()} roll entries in the "
        f"database; work folder (delete it when done): {workdir}"
    )
    return 0


def server_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server process of this connection (0 on
    SQLite, or when it runs on another machine): with the client's, what the import costs
    whatever else the machine is doing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_format(
    options: Any,
    workdir: Path,
    label: str,
    suffix: str,
    write: Callable[[Path, int, int, int], None],
    campaign: Any,
    do_import_electors: Callable[..., Any],
) -> None:
    first, changed = workdir / f"electeurs.{suffix}", workdir / f"electeurs-modifies.{suffix}"
    started = time.perf_counter()
    # Written by a child process, so that the memory the writer takes (a workbook's table of
    # shared strings) does not count in the imports' peak below.
    fork = multiprocessing.get_context("fork")
    for path, changed_every in [(first, 0)] + ([] if options.first_only else [(changed, 10)]):
        writer = fork.Process(target=write, args=(path, options.lines, 1, changed_every))
        writer.start()
        writer.join()
    size = first.stat().st_size / 1e6
    print(
        f"{label}: {size:.1f} MB, written in {time.perf_counter() - started:.0f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    runs = [("first import", first)]
    if not options.first_only:
        runs += [("same file again", first), ("one line in ten changed", changed)]
    for name, path in runs:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        server_started = server_cpu()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started, cpu_started = time.perf_counter(), time.process_time()
        with path.open("rb") as source:
            report = do_import_electors(campaign, source, name=path.name)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        server = server_cpu() - server_started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = after.ru_maxrss
        # The child processes that ended during the import: the workbook's reader.
        child_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(
            f"{label} {name:>24}: {elapsed:6.1f} s, CPU {cpu:5.1f} s "
            + (f"+ workbook reader {child_cpu:5.1f} s " if child_cpu > 0.05 else "")
            + (f"+ database server {server:5.1f} s " if server else "")
            + f"({options.lines / elapsed:,.0f} lines/s), peak RSS {rss / 1024:.0f} MiB "
            f"(was {rss_before / 1024:.0f}; largest child process so far "
            f"{children / 1024:.0f} MiB) — created {report.created}, updated "
            f"{report.updated}, unchanged {report.unchanged}, "
            f"roll +{report.roll_added} -{report.roll_removed}"
        )


if __name__ == "__main__":
    sys.exit(main())

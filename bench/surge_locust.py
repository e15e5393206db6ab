"""Load test: the opening surge, replayed with locust against the production stack on loopback.

    URNE_STACK_DATABASE_URL=postgres://postgres@127.0.0.1:5432/urne_surge \\
        .venv/bin/python bench/surge_locust.py --recreate-database \\
        --electors 10000 --users 300 --minutes 5

What runs: the stack of `make stack` (deploy/stack.py: HAProxy, two gunicorn nodes, a Celery
worker, a Redis of its own, the database named above through Django's connection pool), in a
folder of its own under /tmp, and locust headless (bench/surge_locustfile.py) as the voters, all
on this machine's loopback and its cores.

Setup (not timed): the database is dropped and made again (--recreate-database is required, so
that nobody points this at a real one); one campaign whose vote is open, three national
scrutins of 6 lists, ELECTORS electors with a confirmed account each, elector n on the rolls of
1 + n mod 3 of the scrutins; one Argon2 hash of the one password, given to every account (a
login still checks it: the cost measured is the server's), identifiers drawn as the credential
authority draws them, the sealed elections, and each elector's ballots made beforehand by the
core in worker processes (so that the clients do not compete with the server for the cores
while the load runs).

Load: USERS locust users, each taking the next elector until none is left or MINUTES have
passed, and going through the login page, ACCÉDER, « Mes scrutins », then a ballot in each of
their scrutins, with a pause of 0.5 to 2 s between steps (bounded: each elector once, the run
time given to locust, loopback only).

Report: per endpoint (locust's names: "connexion (page)", "connexion", "mes scrutins",
"bulletin"), the requests, failures (with the overload answer counted apart), throughput and
p50/p95/p99; logins a second sustained (the logins answered, over the run); beside it, the
limit that the password hashing and the ballot check set on the machine's cores, measured in the
same run (`limit`); processor time per tier (HAProxy, each web node, Celery,
Redis, PostgreSQL's backends of the database, locust); the load average. With --json, the same
figures to a file. No figure here is of an idle machine unless `uptime` said so.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from deploy.stack import Settings, Stack  # noqa: E402 - the repository's root on the path first

from stage import (  # noqa: E402 - beside this file (bench/)
    LISTS,
    add_scrutin,
    database_backends,
    make_ballots,
    open_campaign,
    recreate_database,
    tree_cpu,
)

SCRUTINS = (("csa-men", "CSA ministériel"), ("csa-a", "CSA A"), ("csa-b", "CSA B"))
PASSWORD = "Ouverture2026x"  # noqa: S105 - the bench's made-up electors
LIMIT_SAMPLE = 20  # logins and ballots timed for the limit beside the figures


def setup(electors: int, jobs: int, out: Path) -> dict[str, float]:
    """The campaign, its three sealed scrutins, the electors' accounts and ballots: one JSON line
    per elector in `out`. Returns the limit these electors' logins and ballots set on this
    machine's cores (`limit`)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from urne import clock
    from urne.accounts.models import User
    from urne.campaign.models import Elector, RollEntry
    from urne.crypto.credentials import derive_public_credential, make_private_credential
    from urne.crypto.group import BELENIOS_2048
    from urne.crypto.jsonio import dumps
    from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
    from urne.sealing.services import do_seal_campaign
    from urne.voting import setup as voting
    from urne.voting.models import PublicCredential, ScrutinElection
    from urne.voting.pseudonyms import pseudonym

    started = time.monotonic()
    now = timezone.now()
    campaign, academy, unions = open_campaign(
        "Élections professionnelles (ouverture du vote)", timedelta(minutes=1)
    )
    scrutins = [add_scrutin(campaign, unions, code, name) for code, name in SCRUTINS]
    password = make_password(PASSWORD)
    with transaction.atomic():
        people = Elector.objects.bulk_create(
            Elector(
                campaign=campaign,
                academy=academy,
                first_name=f"Prénom{n}",
                last_name=f"Nom{n}",
                civilite="M",
                corps="Professeur certifié",
                grade="Classe normale",
                establishment="Lycée Carnot, Dijon",
                email=f"agent{n}@ac-dijon.fr",
            )
            for n in range(electors)
        )
        rolls = {n: scrutins[: 1 + n % 3] for n in range(electors)}
        RollEntry.objects.bulk_create(
            RollEntry(scrutin=s, elector=p) for n, p in enumerate(people) for s in rolls[n]
        )
        User.objects.bulk_create(
            User(email=p.email, elector=p, is_active=True, confirmed_at=now, password=password)
            for p in people
        )
    print(f"setup: {electors} electors and accounts ({time.monotonic() - started:.0f} s)")

    _, trustee = make_trustee_key(BELENIOS_2048)
    votes: dict[int, list[tuple[str, str]]] = {n: [] for n in range(electors)}
    rng = random.Random(7)
    for scrutin in scrutins:
        members = [n for n in range(electors) if scrutin in rolls[n]]
        identifiers = {n: make_private_credential() for n in members}
        with mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(1)):
            if scrutin is scrutins[0]:
                voting.do_prepare_elections(campaign)
            voting.do_set_trustees(scrutin, dumps(trustees_to_json([SingleTrustee(trustee)])))
            election = ScrutinElection.objects.get(scrutin=scrutin)
            PublicCredential.objects.bulk_create(
                PublicCredential(
                    election=election,
                    pseudonym=pseudonym(election.uuid, people[n].pk),
                    credential=str(
                        derive_public_credential(BELENIOS_2048, identifiers[n], election.uuid)
                    ),
                )
                for n in members
            )
            election = voting.do_seal_election(scrutin)
        text = voting.sealed_election(election).text
        work = [(identifiers[n], rng.randrange(len(LISTS) + 1)) for n in members]
        pieces = [work[i : i + 50] for i in range(0, len(work), 50)]
        with ProcessPoolExecutor(jobs) as pool:
            ballots = [
                b for made in pool.map(make_ballots, [text] * len(pieces), pieces) for b in made
            ]
        for n, ballot in zip(members, ballots, strict=True):
            votes[n].append((election.uuid, ballot))
        if scrutin is scrutins[0]:
            sample = [
                (
                    ballot,
                    {derive_public_credential(BELENIOS_2048, identifiers[n], election.uuid): 1},
                )
                for n, ballot in zip(members[:LIMIT_SAMPLE], ballots, strict=False)
            ]
            limit_election = voting.sealed_election(election)
        print(
            f"setup: {scrutin.code} sealed, {len(ballots)} ballots "
            f"({time.monotonic() - started:.0f} s)"
        )
    with mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(1)):
        do_seal_campaign(None, campaign)  # without the campaign's seal, no ballot is taken
    figures = limit(password, limit_election, sample, sum(map(len, votes.values())) / electors)
    order = list(range(electors))
    rng.shuffle(order)
    with out.open("w", encoding="utf-8") as lines:
        for n in order:
            lines.write(
                json.dumps({"email": people[n].email, "password": PASSWORD, "votes": votes[n]})
                + "\n"
            )
    return figures


def limit(
    password_hash: str, election: Any, sample: Sequence[tuple[str, Any]], ballots_each: float
) -> dict[str, float]:
    """The limit the password hashing and the ballot check set on this machine's cores: the
    processor time of one login's Argon2 check and of one ballot's check (the election prepared,
    as a web worker does), measured here in one process; then the electors a second the cores
    allow if they did nothing else (no framework, database, balancer, nor locust):
    cores ÷ (Argon2 + ballots each × check)."""
    from django.contrib.auth.hashers import check_password

    from urne.crypto.ballot import check_ballot, prepare_election

    for _ in range(3):
        check_password(PASSWORD, password_hash)
    started = time.process_time()
    for _ in range(LIMIT_SAMPLE):
        if not check_password(PASSWORD, password_hash):
            raise SystemExit("the bench's password does not check")
    argon2 = (time.process_time() - started) / LIMIT_SAMPLE
    prepare_election(election)
    for text, credentials in sample[:3]:
        check_ballot(election, text, credentials)
    started = time.process_time()
    for text, credentials in sample:
        check_ballot(election, text, credentials)
    ballot = (time.process_time() - started) / len(sample)
    cores = len(os.sched_getaffinity(0))
    return {
        "argon2_ms": round(argon2 * 1000, 1),
        "ballot_check_ms": round(ballot * 1000, 1),
        "ballots_each": round(ballots_each, 2),
        "electors_per_second": round(cores / (argon2 + ballots_each * ballot), 1),
    }


def read_stats(prefix: Path) -> list[dict[str, Any]]:
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as table:
        return list(csv.DictReader(table))


def read_failures(prefix: Path) -> list[dict[str, Any]]:
    path = prefix.parent / f"{prefix.name}_failures.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as table:
        return list(csv.DictReader(table))


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--electors", type=int, default=10000)
    parser.add_argument("--users", type=int, default=300, help="concurrent locust users")
    parser.add_argument("--spawn-rate", type=float, default=50, help="users started a second")
    parser.add_argument("--minutes", type=float, default=5, help="the run's length at most")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument(
        "--max-queue", type=int, default=32, help="requests waiting at HAProxy before the 503"
    )
    parser.add_argument("--jobs", type=int, default=2, help="processes making the ballots")
    parser.add_argument("--recreate-database", action="store_true", help="required")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()
    database_url = os.environ.get("URNE_STACK_DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        raise SystemExit("set URNE_STACK_DATABASE_URL to a PostgreSQL database of the bench's own")
    if not options.recreate_database:
        raise SystemExit("--recreate-database: the database is dropped first")

    folder = Path(tempfile.mkdtemp(prefix="urne-surge-"))
    recreate_database(database_url)
    stack = Stack(
        Settings(
            folder=folder,
            database_url=database_url,
            port=0,
            web_workers=options.web_workers,
            max_queue=options.max_queue,
            # The tests' electors all come from 127.0.0.1.
            extra_env={"URNE_RATE_LOGIN_PER_IP": "1000000/15m"},
        )
    )
    figures: dict[str, Any] = {"load_before": os.getloadavg()}
    try:
        stack.start()
        os.environ.update(stack.env())
        import django

        django.setup()
        data = folder / "electors.jsonl"
        figures["limit"] = setup(options.electors, options.jobs, data)
        from django.db import connections

        connections.close_all()

        tiers = {name: stack.pid(name) for name in ("haproxy", "web1", "web2", "celery", "redis")}
        before = {name: tree_cpu(pid) for name, pid in tiers.items()}
        backends_before = {pid: tree_cpu(pid) for pid in database_backends(database_url)}
        prefix = folder / "locust"
        children_before = sum(os.times()[2:4])
        started = time.monotonic()
        locust = subprocess.run(
            [
                str(Path(sys.executable).with_name("locust")),
                "-f",
                str(REPOSITORY / "bench" / "surge_locustfile.py"),
                "--headless",
                "--users",
                str(options.users),
                "--spawn-rate",
                str(options.spawn_rate),
                "--run-time",
                f"{int(options.minutes * 60)}s",
                "--stop-timeout",
                "30",
                "--host",
                stack.url,
                "--csv",
                str(prefix),
                "--only-summary",
                "--exit-code-on-error",
                "0",
            ],
            env={**os.environ, "SURGE_DATA": str(data)},
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        cpu = {name: round(tree_cpu(pid) - before[name], 1) for name, pid in tiers.items()}
        cpu["postgresql"] = round(
            sum(
                tree_cpu(pid) - backends_before.get(pid, 0.0)
                for pid in database_backends(database_url)
            ),
            1,
        )
        cpu["locust"] = round(sum(os.times()[2:4]) - children_before, 1)
        figures["load_after"] = os.getloadavg()
        stats = read_stats(prefix)
        failures = read_failures(prefix)
        if locust.returncode:
            print(locust.stderr[-3000:])
    finally:
        stack.stop()
    endpoints = {}
    for row in stats:
        endpoints[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "per_second": float(row["Requests/s"]),
            "p50_ms": row["50%"],
            "p95_ms": row["95%"],
            "p99_ms": row["99%"],
        }
    overload = sum(int(f["Occurrences"]) for f in failures if "503" in f["Error"])
    # Logins done: the POSTs answered (each overload answer is a failure of its own, tried again).
    login_row = endpoints.get("connexion", {})
    logins = login_row.get("requests", 0) - login_row.get("failures", 0)
    figures.update(
        seconds=round(seconds, 1),
        endpoints=endpoints,
        failures=[{k: f[k] for k in ("Method", "Name", "Error", "Occurrences")} for f in failures],
        overload_answers=overload,
        logins_per_second=round(logins / seconds, 1) if seconds else 0,
        cpu_seconds=cpu,
        cores=len(os.sched_getaffinity(0)),
    )
    for name, row in endpoints.items():
        print(
            f"{name:>18}: {row['requests']} requests, {row['failures']} failed, "
            f"{row['per_second']:.1f}/s, p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"p99 {row['p99_ms']} ms"
        )
    print(f"logins: {figures['logins_per_second']}/s over {figures['seconds']} s")
    print(
        "the limit of Argon2 and the ballot check on {cores} cores, nothing else running: "
        "{electors_per_second} electors/s (Argon2 {argon2_ms} ms + {ballots_each} ballots × "
        "{ballot_check_ms} ms of processor each)".format(cores=figures["cores"], **figures["limit"])
    )
    print(f"failures: {figures['failures']} (overload answers: {overload})")
    print(f"CPU seconds per tier: {cpu}")
    print(f"load average before {figures['load_before']}, after {figures['load_after']}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=1))
    shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ballots a second through the ballot box's API, urne served as production serves it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_webbench \\
    REDIS_URL=redis://127.0.0.1:6379/10 \\
        .venv/bin/python bench/ballot_box_web.py --recreate-database

What runs: gunicorn (deploy/gunicorn.conf.py, sync workers) serving `urne.wsgi` with
URNE_PRODUCTION=1 (so its production checks pass at start: PostgreSQL, the Redis cache, a Celery
broker, no debug), one Celery worker consuming the default queue (the receipt emails, written to
files instead of SMTP), and this process as the clients. The client speaks plain HTTP to
gunicorn and says `X-Forwarded-Proto: https`, as the TLS proxy in front of urne would: Django
then treats the request as secure (secure cookies, CSRF's origin check) and no TLS is timed.

Setup (not timed): the database named in DATABASE_URL is dropped and made again
(--recreate-database is required, so that nobody points this at a real one), migrated; one
campaign whose vote is open, one national scrutin of 6 lists (7 choices with blank), one elector
per ballot to send, each with a confirmed account (no password: the session is written
directly with the configured session store — with Redis, the database read through the cache —
as a login would leave it, instead of paying Argon2 once per elector), a trustee key made
here (as a bureau member would offline), the identifiers drawn as the credential authority
draws them and their public credentials, the sealed election; one
ballot per elector made beforehand by `make_ballot` in worker processes (a random list or
blank).

Load, for each level (8, 32, 128 concurrent clients): each client is a thread with a keep-alive
`http.client` connection (gunicorn's sync workers close it after each answer: the client then
reconnects), taking the next elector from a shared queue and sending that elector's ballot with
that elector's session cookie and CSRF token. Each elector votes once, in one level only.
With `--rate`, a level is paced instead (open loop): one ballot falls due every 1/rate seconds,
whoever is free among the clients sends it, and its latency counts from the moment it was due
(its wait for a free client included). A closed loop measures the most the server takes, but
its latency is set by the number of clients (Little's law: clients = ballots a second × mean
latency, so 32 clients at 60 ballots a second wait 0.53 s on average whatever the server); a
paced level measures the latency of a given arrival rate, as voters arrive independently.

Measured: accepted ballots a second (wall clock, first request sent to last answer), the latency
of each request (p50, p95, p99), the answers by status, the processor time of the clients (this
process), of gunicorn (master and workers) and of the Celery worker, all on the same 2 cores.

Then, in this process: the crypto core's own check of one ballot (`check_ballot`, with the
election's tables built once per process as a web worker builds them at its first ballot), the
physical limit (cores / that time), and the board: the archive downloaded from the server is
verified by `urne verify` and `belenios-tool election verify`, and must hold every accepted
ballot.

The figures go to docs/benchmarks.md, section « Urne : bulletins par seconde ».
"""

from __future__ import annotations

import argparse
import base64
import http.client
import importlib
import json
import os
import queue
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stage import (  # noqa: E402 - beside this file (bench/)
    LISTS,
    add_scrutin,
    database_backends,
    make_ballots,
    open_campaign,
    recreate_database,
    tree_cpu,
)

CSRF_LENGTH = 32


@dataclass(frozen=True)
class Voter:
    """One elector as a client sees them: their cookies and their ballot."""

    session: str
    csrf: str
    ballot: str
    submission: str


@dataclass
class LevelResult:
    clients: int
    rate: float = 0.0
    """Ballots offered a second (paced), or 0: each client sends again as soon as answered."""
    sent: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    celery_cpu: float = 0.0
    trackers: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.statuses[201]

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


# --- the environment of every process --------------------------------------------------------


def environment(database_url: str, redis_url: str, data_dir: Path) -> dict[str, str]:
    """urne's production settings, as far as one machine without TLS allows."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DJANGO_", "CELERY"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "urne.settings",
        "URNE_PRODUCTION": "1",
        "URNE_SECRET_KEY": secrets.token_urlsafe(50),
        "URNE_PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "URNE_ALLOWED_HOSTS": "127.0.0.1",
        "URNE_SITE_URL": "https://127.0.0.1",
        "URNE_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        # The one difference a bench must have: mail to files, not to an SMTP server.
        "URNE_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "URNE_LOG_LEVEL": "WARNING",
    }


# --- setup (not timed) ---------------------------------------------------------------------------


def setup_election(electors: int, jobs: int) -> tuple[str, list[Voter], str]:
    """The campaign, its scrutin sealed with `electors` electors, their sessions and ballots.
    Returns (election uuid, voters, election text)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from urne import clock
    from urne.accounts.models import User
    from urne.campaign.models import Elector, RollEntry
    from urne.crypto.credentials import derive_public_credential, make_private_credential
    from urne.crypto.fastexp import worker_pool
    from urne.crypto.group import BELENIOS_2048
    from urne.crypto.jsonio import dumps
    from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
    from urne.sealing.services import do_seal_campaign
    from urne.voting import setup
    from urne.voting.models import PublicCredential, ScrutinElection
    from urne.voting.pseudonyms import pseudonym

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    now = timezone.now()
    campaign, academy, unions = open_campaign(
        "Élections professionnelles (banc d'essai)", timedelta(hours=1)
    )
    scrutin = add_scrutin(campaign, unions, "csa-men", "CSA ministériel de l'éducation nationale")
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
        RollEntry.objects.bulk_create(RollEntry(scrutin=scrutin, elector=p) for p in people)
        users = []
        for person in people:
            user = User(email=person.email, elector=person, is_active=True, confirmed_at=now)
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
    print(f"setup: {electors} electors and accounts ({time.monotonic() - started:.1f} s)")

    _, trustee_public = make_trustee_key(BELENIOS_2048)
    identifiers = {person.pk: make_private_credential() for person in people}
    with mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(days=1)):
        setup.do_prepare_elections(campaign)
        setup.do_set_trustees(scrutin, dumps(trustees_to_json([SingleTrustee(trustee_public)])))
        election = ScrutinElection.objects.get(scrutin=scrutin)
        PublicCredential.objects.bulk_create(
            PublicCredential(
                election=election,
                pseudonym=pseudonym(election.uuid, person.pk),
                credential=str(
                    derive_public_credential(BELENIOS_2048, identifiers[person.pk], election.uuid)
                ),
            )
            for person in people
        )
        election = setup.do_seal_election(scrutin)
        do_seal_campaign(None, campaign)  # without the campaign's seal, no ballot is taken
    crypto = setup.sealed_election(election)
    print(f"setup: election {election.uuid} sealed ({time.monotonic() - started:.1f} s)")

    # Sessions as django.contrib.auth.login leaves them, without checking a password, in the
    # configured store (with Redis: the database, read through the cache).
    session_store = importlib.import_module(settings.SESSION_ENGINE).SessionStore
    cookies = []
    for user in users:
        store = session_store()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        assert store.session_key is not None
        cookies.append(store.session_key)
    print(f"setup: {len(cookies)} sessions ({time.monotonic() - started:.1f} s)")

    rng = random.Random(7)
    work = [(identifiers[p.pk], rng.randrange(len(LISTS) + 1)) for p in people]
    group = crypto.group
    chunk = 50
    pieces = [work[i : i + chunk] for i in range(0, len(work), chunk)]
    ballots: list[str] = []
    with worker_pool(jobs, group.p, group.q, [group.g, crypto.public_key], 60 * electors) as pool:
        if pool is None:
            for piece in pieces:
                ballots += make_ballots(crypto.text, piece)
        else:
            for made in pool.map(make_ballots, [crypto.text] * len(pieces), pieces):
                ballots += made
    print(f"setup: {len(ballots)} ballots made ({time.monotonic() - started:.1f} s)")
    voters = [
        Voter(
            session=cookie,
            csrf=secrets.token_hex(CSRF_LENGTH // 2),
            ballot=ballot,
            submission=base64.urlsafe_b64encode(secrets.token_bytes(18)).decode(),
        )
        for cookie, ballot in zip(cookies, ballots, strict=True)
    ]
    return election.uuid, voters, crypto.text


# --- the servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn does not listen on port {port}")


@contextmanager
def process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        started = subprocess.Popen(
            command,
            env=env,
            cwd=REPOSITORY,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield started
        finally:
            if started.poll() is None:
                os.killpg(started.pid, signal.SIGTERM)
                try:
                    started.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(started.pid, signal.SIGKILL)
                    started.wait()


# --- the clients ---------------------------------------------------------------------------------


class Client(threading.Thread):
    """One client: a keep-alive connection sending the next elector's ballot until none is left."""

    def __init__(
        self,
        port: int,
        uuid: str,
        voters: queue.SimpleQueue[tuple[Voter, float | None] | None],
        result: LevelResult,
        lock: threading.Lock,
    ) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.path = f"/api/v1/scrutins/{uuid}/bulletins"
        self.voters = voters
        self.result = result
        self.lock = lock
        self.connection: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while (item := self.voters.get()) is not None:
            self.send(*item)
        if self.connection is not None:
            self.connection.close()

    def send(self, voter: Voter, scheduled: float | None) -> None:
        """Send `voter`'s ballot; the latency counts from `scheduled` when paced (the moment
        the ballot was due, so that a ballot waiting for a free client counts its wait too)."""
        body = json.dumps({"ballot": voter.ballot, "submission": voter.submission})
        headers = {
            "Host": "127.0.0.1",
            "Content-Type": "application/json",
            "Cookie": f"sessionid={voter.session}; csrftoken={voter.csrf}",
            "X-CSRFToken": voter.csrf,
            "X-Forwarded-Proto": "https",
            "Origin": "https://127.0.0.1",
        }
        started = time.monotonic()
        status, answer = 0, b""
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
            self.connection.request("POST", self.path, body=body.encode(), headers=headers)
            response = self.connection.getresponse()
            status, answer = response.status, response.read()
            if response.will_close:
                self.connection.close()
                self.connection = None
        except (OSError, http.client.HTTPException) as failure:
            if self.connection is not None:
                self.connection.close()
                self.connection = None
            answer = type(failure).__name__.encode()
        elapsed = time.monotonic() - (started if scheduled is None else scheduled)
        with self.lock:
            self.result.latencies.append(elapsed)
            self.result.statuses[status] += 1
            if status == 201:
                self.result.trackers.append(json.loads(answer)["tracker"])
            else:
                try:
                    code = json.loads(answer).get("error", "?")
                except ValueError:
                    code = answer[:60].decode(errors="replace")
                self.result.errors[f"{status} {code}"] += 1


def run_level(
    port: int,
    uuid: str,
    voters: Sequence[Voter],
    clients: int,
    server: int,
    celery: int,
    database_url: str,
    rate: float = 0.0,
) -> LevelResult:
    """Send every voter's ballot through `clients` concurrent clients: as fast as answered
    (closed loop), or, with `rate`, one ballot due every 1/rate seconds (open loop, paced): a
    client takes the next due ballot when it is free."""
    result = LevelResult(clients, rate)
    waiting: queue.SimpleQueue[tuple[Voter, float | None] | None] = queue.SimpleQueue()
    lock = threading.Lock()
    threads = [Client(port, uuid, waiting, result, lock) for _ in range(clients)]

    def pace(start: float) -> None:
        for index, voter in enumerate(voters):
            due = start + index / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            waiting.put((voter, due))
        for _ in range(clients):
            waiting.put(None)

    if not rate:
        for voter in voters:
            waiting.put((voter, None))
        for _ in range(clients):
            waiting.put(None)
    cpu, server_cpu, celery_cpu = time.process_time(), tree_cpu(server), tree_cpu(celery)
    database_before = {pid: tree_cpu(pid) for pid in database_backends(database_url)}
    started = time.monotonic()
    pacer = threading.Thread(target=pace, args=(started,), daemon=True) if rate else None
    if pacer is not None:
        pacer.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    result.client_cpu = time.process_time() - cpu
    result.server_cpu = tree_cpu(server) - server_cpu
    result.celery_cpu = tree_cpu(celery) - celery_cpu
    # Backends opened during the level count from zero (gunicorn's workers connect lazily);
    # one that ended during the level is not counted (an undercount: they live for a minute).
    result.database_cpu = sum(
        tree_cpu(pid) - database_before.get(pid, 0.0) for pid in database_backends(database_url)
    )
    result.sent = len(voters)
    return result


# --- the core alone, and the board ---------------------------------------------------------------


def core_check_time(
    election_text: str, ballots: Sequence[str], credentials: Sequence[str]
) -> float:
    """Seconds of processor time for one `check_ballot` (median of the ballots given), with the
    election read once and the per-process tables warmed as a web worker's are: prepared when
    the settings prepare elections (URNE_PREPARED_ELECTIONS, 4 by default), as the server's
    workers then do."""
    from django.conf import settings

    from urne.crypto.ballot import check_ballot, prepare_election
    from urne.crypto.election import read_election_once
    from urne.crypto.group import Element

    election = read_election_once(election_text)
    if settings.URNE_PREPARED_ELECTIONS > 0:
        prepare_election(election, keep=settings.URNE_PREPARED_ELECTIONS)
    times = []
    for text, credential in zip(ballots, credentials, strict=True):
        started = time.process_time()
        check_ballot(election, text, {Element(int(credential)): 1})
        times.append(time.process_time() - started)
    return statistics.median(times[1:] or times)


def verify_board(port: int, uuid: str, folder: Path) -> dict[str, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request(
        "GET",
        f"/tableau/{uuid}/{uuid}.bel",
        headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"},
    )
    response = connection.getresponse()
    archive = response.read()
    if response.status != 200:
        raise SystemExit(f"the archive's download answered {response.status}")
    board = folder / "board"
    board.mkdir()
    (board / f"{uuid}.bel").write_bytes(archive)
    started = time.monotonic()
    urne = subprocess.run(
        [str(Path(sys.executable).with_name("urne")), "verify", "--json", str(board)],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("URNE_PRODUCTION")},
    )
    urne_seconds = time.monotonic() - started
    report: dict[str, Any] = {
        "archive_bytes": len(archive),
        "urne_verify_exit": urne.returncode,
        "urne_verify_seconds": round(urne_seconds, 1),
    }
    if urne.returncode == 0:
        report["urne_verify"] = json.loads(urne.stdout)
    else:
        report["urne_verify_error"] = (urne.stdout + urne.stderr)[-2000:]
    belenios = shutil.which("belenios-tool")
    if belenios:
        started = time.monotonic()
        done = subprocess.run(
            [belenios, "election", "verify", "--dir", str(board)],
            capture_output=True,
            text=True,
            check=False,
        )
        report["belenios_verify_exit"] = done.returncode
        report["belenios_verify_seconds"] = round(time.monotonic() - started, 1)
        if done.returncode:
            report["belenios_verify_error"] = (done.stdout + done.stderr)[-2000:]
    return report


def wait_for_mails(folder: Path, expected: int, timeout: float = 120) -> int:
    """The receipt emails written by the Celery worker, once all are there or after `timeout`
    seconds. Counted by their Message-ID headers: Django's file backend appends the messages of
    one second to one file when it names two the same."""
    deadline = time.monotonic() + timeout
    while True:
        files = list(folder.glob("*")) if folder.exists() else []
        count = sum(path.read_bytes().count(b"\nMessage-ID: ") for path in files)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(1)


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", default="8,32,128", help="concurrent clients, per level")
    parser.add_argument(
        "--ballots", default="400,900,900", help="ballots (electors) per level, in the same order"
    )
    parser.add_argument(
        "--rate",
        default="",
        help=(
            "ballots offered a second per level, in the same order (0: closed loop, each client "
            "sends again as soon as answered; default: 0 for every level)"
        ),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="gunicorn workers (default: deploy/gunicorn.conf.py's, 2 a core)",
    )
    parser.add_argument("--warmup", type=int, default=16, help="untimed ballots sent first")
    parser.add_argument("--jobs", type=int, default=None, help="processes making the ballots")
    parser.add_argument(
        "--recreate-database",
        action="store_true",
        help="drop and make again the database named in DATABASE_URL (required)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL: production's stores")
    if not options.recreate_database:
        raise SystemExit("--recreate-database: the database in DATABASE_URL is dropped first")
    levels = [int(n) for n in options.clients.split(",")]
    counts = [int(n) for n in options.ballots.split(",")]
    rates = [float(n) for n in options.rate.split(",")] if options.rate else [0.0] * len(levels)
    if not len(levels) == len(counts) == len(rates):
        raise SystemExit("--clients, --ballots and --rate need as many values")

    workdir = Path(tempfile.mkdtemp(prefix="urne-webbench-"))
    env = environment(database_url, redis_url, workdir)
    os.environ.update(env)
    recreate_database(database_url)
    import django

    django.setup()
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # the bench's own Redis database: stale limits

    uuid, voters, election_text = setup_election(options.warmup + sum(counts), options.jobs)
    from django.db import connections

    connections.close_all()

    bin_dir = Path(sys.executable).parent
    port = free_port()
    server_env = {**env, "URNE_BIND": f"127.0.0.1:{port}"}
    if options.workers:
        server_env["WEB_CONCURRENCY"] = str(options.workers)
    gunicorn = [
        str(bin_dir / "gunicorn"),
        "-c",
        str(REPOSITORY / "deploy" / "gunicorn.conf.py"),
        "urne.wsgi:application",
    ]
    celery = [
        str(bin_dir / "celery"),
        "-A",
        "urne",
        "worker",
        "--queues",
        "celery",
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
    ]
    results: list[LevelResult] = []
    with (
        process(gunicorn, server_env, workdir / "gunicorn.log") as server,
        process(celery, env, workdir / "celery.log") as worker,
    ):
        wait_for_port(port)
        # Warm-up, untimed: each worker connects and builds its fixed-base tables at its first
        # ballot, as after any restart; these ballots are on the board too.
        warm = run_level(
            port, uuid, voters[: options.warmup], 4, server.pid, worker.pid, database_url
        )
        print(f"warm-up: {warm.accepted}/{warm.sent} accepted in {warm.seconds:.1f} s", flush=True)
        results_warm = warm.accepted
        offset = options.warmup
        for clients, count, rate in zip(levels, counts, rates, strict=True):
            chunk = voters[offset : offset + count]
            offset += count
            result = run_level(
                port, uuid, chunk, clients, server.pid, worker.pid, database_url, rate
            )
            results.append(result)
            paced = f" paced at {rate:g}/s" if rate else ""
            print(
                f"{clients:>4} clients{paced}: {result.accepted}/{result.sent} accepted in "
                f"{result.seconds:.1f} s = {result.accepted / result.seconds:.1f} ballots/s; "
                f"p50 {result.quantile(0.5) * 1000:.0f} ms, p95 {result.quantile(0.95) * 1000:.0f}"
                f" ms, p99 {result.quantile(0.99) * 1000:.0f} ms; errors {dict(result.errors)}; "
                f"CPU: clients {result.client_cpu:.1f} s, gunicorn {result.server_cpu:.1f} s, "
                f"PostgreSQL {result.database_cpu:.1f} s, celery {result.celery_cpu:.1f} s "
                f"({(result.server_cpu + result.database_cpu) / max(1, result.accepted) * 1000:.0f}"
                f" ms of gunicorn + PostgreSQL a ballot); load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
        board = verify_board(port, uuid, workdir)
        mails = wait_for_mails(workdir / "mail", results_warm + sum(r.accepted for r in results))
    if mails < results_warm + sum(r.accepted for r in results):
        print((workdir / "celery.log").read_text()[-3000:])

    from urne.voting.models import PublicCredential

    sample = voters[:40]
    credentials = list(
        PublicCredential.objects.order_by("pk").values_list("credential", flat=True)[:40]
    )
    check = core_check_time(election_text, [v.ballot for v in sample], credentials)
    cores = len(os.sched_getaffinity(0))
    accepted = results_warm + sum(r.accepted for r in results)
    verified = board.get("urne_verify", {}).get("ballots")
    print(
        f"core check_ballot: {check * 1000:.1f} ms of CPU a ballot; limit {cores} cores / that ="
        f" {cores / check:.0f} ballots/s"
    )
    print(
        f"board: {accepted} accepted, urne verify exit {board['urne_verify_exit']} "
        f"({verified} ballots, {board['urne_verify_seconds']} s), belenios-tool exit "
        f"{board.get('belenios_verify_exit')} ({board.get('belenios_verify_seconds')} s); "
        f"receipt mail files: {mails}"
    )
    print(f"load average: {os.getloadavg()}")
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "levels": [
                        {
                            "clients": r.clients,
                            "rate": r.rate,
                            "sent": r.sent,
                            "accepted": r.accepted,
                            "seconds": r.seconds,
                            "per_second": r.accepted / r.seconds,
                            "p50": r.quantile(0.5),
                            "p95": r.quantile(0.95),
                            "p99": r.quantile(0.99),
                            "errors": dict(r.errors),
                            "client_cpu": r.client_cpu,
                            "server_cpu": r.server_cpu,
                            "database_cpu": r.database_cpu,
                            "celery_cpu": r.celery_cpu,
                        }
                        for r in results
                    ],
                    "check_seconds": check,
                    "cores": cores,
                    "board": board,
                    "mails": mails,
                },
                indent=1,
                default=str,
            )
        )
    shutil.rmtree(workdir, ignore_errors=True)
    ok = board["urne_verify_exit"] == 0 and verified == accepted
    ok = ok and board.get("belenios_verify_exit", 0) == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: where one ballot's request spends its time, and how many queries it makes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_webperf \\
    REDIS_URL=redis://127.0.0.1:6379/14 \\
        .venv/bin/python bench/ballot_box_request.py --recreate-database --ballots 40

The same setup as bench/ballot_box_web.py (production settings, PostgreSQL, the Redis cache;
one scrutin of 7 choices, one elector per ballot with a session), then, in this process, each
ballot sent through Django's whole request path (middleware, session, CSRF, rate limit, the
API's view, the ballot box) by Django's test client, one after the other: no gunicorn, no
network, so that what is left is the server's own work. The first two ballots are not counted (the
first reads the election and builds the process's tables, as a worker does once; the second's
queries are recorded).

Printed: the queries of one request (count and SQL, from Django's CaptureQueriesContext), the
processor time of a request and of the crypto core's check alone (medians), what remains for
Django and the database, and with --profile the functions that take the most time
(cProfile, cumulative). The receipt emails are sent in this process, after each ballot, only
with --with-mail (as a batch of one: the worst case of the batched sending); with
--receipts-after, every receipt left pending is sent at the end in batches, as a worker does
after a busy moment, and timed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ballot_box_web import environment, setup_election
from stage import recreate_database


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ballots", type=int, default=40, help="ballots sent, one at a time")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile order (tottime...)")
    parser.add_argument("--only", default="", help="cProfile: only functions matching this regex")
    parser.add_argument("--with-mail", action="store_true", help="run the receipt task eagerly")
    parser.add_argument(
        "--receipts-after",
        action="store_true",
        help="then send every receipt left pending in batches, as a worker does, and time it",
    )
    parser.add_argument(
        "--recreate-database",
        action="store_true",
        help="drop and make again the database named in DATABASE_URL (required)",
    )
    options = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        raise SystemExit("set DATABASE_URL (PostgreSQL) and REDIS_URL: production's stores")
    if not options.recreate_database:
        raise SystemExit("--recreate-database: the database in DATABASE_URL is dropped first")

    workdir = Path(tempfile.mkdtemp(prefix="urne-request-"))
    env = environment(database_url, redis_url, workdir)
    env["URNE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.update(env)
    recreate_database(database_url)
    import django

    django.setup()
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    uuid, voters, _election = setup_election(options.ballots + 2, 2)

    from unittest import mock

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from urne.crypto import ballot as ballot_module
    from urne.voting import ballot_box

    path = f"/api/v1/scrutins/{uuid}/bulletins"
    check_times: list[float] = []
    real_check = ballot_module.check_ballot

    def timed_check(*args: object, **kwargs: object) -> object:
        started = time.process_time()
        try:
            return real_check(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            check_times.append(time.process_time() - started)

    request_times: list[float] = []
    wall_times: list[float] = []
    profile = cProfile.Profile(time.process_time)

    def receipts() -> None:
        if options.with_mail:  # in this process, as a Celery worker would run it
            from urne.voting.receipts import do_send_pending_receipts

            do_send_pending_receipts()

    with (
        mock.patch.object(ballot_box, "check_ballot", timed_check),
        mock.patch.object(ballot_box, "schedule_receipts", receipts),
    ):
        for index, voter in enumerate(voters):
            client = Client(enforce_csrf_checks=True, HTTP_HOST="127.0.0.1")
            client.cookies["sessionid"] = voter.session
            client.cookies["csrftoken"] = voter.csrf
            body = {"ballot": voter.ballot, "submission": voter.submission}
            capture: AbstractContextManager[object] = (
                CaptureQueriesContext(connection) if index == 1 else nullcontext()
            )
            started, wall = time.process_time(), time.monotonic()
            with capture:
                if index > 1 and options.profile:
                    profile.enable()
                response = client.post(
                    path,
                    body,
                    content_type="application/json",
                    secure=True,
                    HTTP_X_CSRFTOKEN=voter.csrf,
                    HTTP_ORIGIN="https://127.0.0.1",
                )
                if index > 1 and options.profile:
                    profile.disable()
            elapsed = time.process_time() - started
            wall = time.monotonic() - wall
            if response.status_code != 201:
                raise SystemExit(f"ballot {index}: {response.status_code} {response.content!r}")
            if isinstance(capture, CaptureQueriesContext):
                print(f"queries of one request: {len(capture)}")
                for query in capture.captured_queries:
                    print("  ", query["sql"][:160])
            elif index > 1:  # the first builds the tables, the second records the queries
                request_times.append(elapsed)
                wall_times.append(wall)
    request = statistics.median(request_times)
    check = statistics.median(check_times[2:])
    print(
        f"{len(request_times)} requests: {request * 1000:.1f} ms of CPU a request (median), "
        f"check_ballot {check * 1000:.1f} ms, the rest {(request - check) * 1000:.1f} ms; wall "
        f"{statistics.median(wall_times) * 1000:.1f} ms a request (median); "
        f"load {os.getloadavg()[0]:.1f}"
    )
    if options.receipts_after and not options.with_mail:
        from urne.voting.models import PendingReceipt
        from urne.voting.receipts import do_send_pending_receipts

        pending = PendingReceipt.objects.count()
        started = time.process_time()
        sent = do_send_pending_receipts()
        elapsed = time.process_time() - started
        print(
            f"receipts sent in batches afterwards: {sent} of {pending} pending, "
            f"{elapsed / max(1, sent) * 1000:.1f} ms of CPU a receipt"
        )
    if options.profile:
        stats = pstats.Stats(profile)
        restrictions: list[str | int] = [options.only] if options.only else []
        stats.sort_stats(options.sort).print_stats(*restrictions, 45)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the encrypted tally and the decryption of a large scrutin (issue 9: 1,000,000
ballots, target under 10 minutes), from the ballots stored in the database, as the count runs.

What is measured is the count's own cost, not the making of the ballots:

1. set-up (not timed): a sealed scrutin (3 lists and the blank vote, a 2-of-3 threshold bureau
   made here), then N ballot rows written straight into the ballot table. Each row is a real
   ballot's text (made once by urne's core, so its size and shape are a real 4-choice
   ballot's) whose ciphertexts are replaced by encryptions of that row's vote, made cheaply by
   multiplying two entries of a pool of encryptions of 0 and 1. Their proofs do not match these
   ciphertexts: the tally does not read them (the ballot box checked every ballot on arrival),
   so this archive is for the timing only and would not pass `urne verify`;
2. timed, in a fresh process (so that its peak memory is the count's own): the closing
   (`do_close_election`), the encrypted tally by chunks (`do_compute_tally`, as the Celery task
   runs it), two members' partial decryptions made (what each member does offline, for
   reference) and accepted (`do_accept_partial_decryption`: each verified), and the result
   (`decrypt_tally`, appended with the second). The result must equal the votes generated.

It writes into the database named by DATABASE_URL (migrating it first): use a scratch database,
never production's (`createdb urne_bench`; PostgreSQL, as production runs).

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/urne_bench \\
        .venv/bin/python bench/tally_million.py [--ballots 1000000] [--chunk 2000]

The figures go to docs/benchmarks.md, « Dépouillement d'un million de bulletins », with the
machine's load (`uptime`) at the time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import sys
import time
from datetime import timedelta
from typing import Any
from unittest import mock

LISTS = ("Liste A", "Liste B", "Liste C")
POOL = 32


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urne.settings")
    import django

    django.setup()


def set_up(ballots: int, seed: int) -> tuple[int, dict[int, str], list[int]]:
    """The sealed scrutin and its N ballots; (election id, member shares, expected counts)."""
    import gmpy2
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from urne import clock
    from urne.campaign.models import Academy, Campaign, Elector, RollEntry, Scrutin
    from urne.candidacies.models import CandidateList, Union
    from urne.cli.trustees import play_threshold_ceremony
    from urne.crypto.ballot import make_ballot
    from urne.crypto.credentials import derive_public_credential, make_private_credential
    from urne.crypto.jsonio import dumps
    from urne.crypto.trustees import private_key_to_json, trustees_to_json
    from urne.voting import setup
    from urne.voting.models import Ballot, PublicCredential, ScrutinElection
    from urne.voting.pseudonyms import pseudonym

    call_command("migrate", verbosity=0)
    now = timezone.now()
    stamp = f"{int(time.time())}"
    campaign = Campaign.objects.create(
        name=f"Banc dépouillement {stamp}",
        year=2026,
        organizer="bench",
        accounts_open_at=now - timedelta(days=60),
        rolls_published_at=now - timedelta(days=40),
        candidacies_published_at=now - timedelta(days=30),
        identifiers_available_at=now - timedelta(days=10),
        corrections_deadline=now - timedelta(days=3),
        vote_opens_at=now - timedelta(days=2),
        vote_closes_at=now - timedelta(days=1),
    )
    academy = Academy.objects.create(
        campaign=campaign,
        code=f"bench{stamp}",
        name="Banc",
        mail_domain="bench.example",
        assistance_email="bench@bench.example",
        assistance_phone="01 00 00 00 00",
    )
    scrutin = Scrutin.objects.create(
        campaign=campaign,
        code=f"bench-{stamp}",
        name="Scrutin du banc",
        level=Scrutin.Level.NATIONAL,
        kind=Scrutin.Kind.CSA,
        seats=10,
    )
    for position, title in enumerate(LISTS, start=1):
        union = Union.objects.create(campaign=campaign, acronym=title[-1], name=title)
        made = CandidateList.objects.create(
            status="validated", scrutin=scrutin, position=position, title=title
        )
        made.unions.add(union)
    elector = Elector.objects.create(
        campaign=campaign,
        academy=academy,
        civilite="M",
        first_name="Banc",
        last_name="Essai",
        email="banc@bench.example",
        corps="Professeur",
        establishment="Banc",
    )
    RollEntry.objects.create(scrutin=scrutin, elector=elector)
    parameters, shares = play_threshold_ceremony(3, 2)
    identifier = make_private_credential()
    eve = campaign.vote_opens_at - timedelta(hours=1)
    with mock.patch.object(clock, "now", return_value=eve):
        setup.do_prepare_elections(campaign)
        setup.do_set_trustees(scrutin, dumps(trustees_to_json([parameters])))
        election = ScrutinElection.objects.get(scrutin=scrutin)
        PublicCredential.objects.create(
            election=election,
            pseudonym=pseudonym(election.uuid, elector.pk),
            credential=str(derive_public_credential(setup.GROUP, identifier, election.uuid)),
        )
        election = setup.do_seal_election(scrutin)
    crypto = setup.sealed_election(election)
    group = crypto.group
    p = group.p
    template = json.loads(make_ballot(crypto, identifier, [[0, 1, 0, 0]]).text)
    rng = random.Random(seed)

    def encryption(message: int) -> tuple[Any, Any]:
        r = rng.randrange(1, group.q)
        return (
            gmpy2.powmod(group.g, r, p),
            gmpy2.powmod(crypto.public_key, r, p) * gmpy2.powmod(group.g, message, p) % p,
        )

    pools = {m: [encryption(m) for _ in range(POOL)] for m in (0, 1)}
    choices = len(LISTS) + 1
    expected = [0] * choices
    # The real ballot's text cut around its ciphertexts' numbers: each row fills them in.
    marked = template
    for j, choice in enumerate(marked["answers"][0]["choices"]):
        choice["alpha"], choice["beta"] = f"@A{j}@", f"@B{j}@"
    pieces = json.dumps(marked, separators=(",", ":")).split("@")
    slots = {piece: index for index, piece in enumerate(pieces) if piece[:1] in "AB"}

    def row_text(vote: int) -> str:
        filled = list(pieces)
        for j in range(choices):
            a = pools[1 if j == vote else 0][rng.randrange(POOL)]
            b = pools[0][rng.randrange(POOL)]
            filled[slots[f"A{j}"]] = str(a[0] * b[0] % p)
            filled[slots[f"B{j}"]] = str(a[1] * b[1] % p)
        return "".join(filled)

    started = time.perf_counter()
    table = Ballot._meta.db_table
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                raw = cursor.cursor  # psycopg's own cursor: COPY, much faster than INSERTs
                columns = "election_id, credential, text, tracker, height, event, submission"
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for height in range(1, ballots + 1):
                        vote = rng.randrange(choices)
                        expected[vote] += 1
                        copy.write_row(
                            (
                                election.pk,
                                str(height),
                                row_text(vote),
                                f"{height:043d}",
                                height,
                                f"{height:064x}",
                                "",
                            )
                        )
                        if height % 50000 == 0:
                            print(f"  {height} ballots written", file=sys.stderr)
        else:
            rows = []
            for height in range(1, ballots + 1):
                vote = rng.randrange(choices)
                expected[vote] += 1
                rows.append(
                    Ballot(
                        election=election,
                        credential=str(height),
                        text=row_text(vote),
                        tracker=f"{height:043d}",
                        height=height,
                        event=f"{height:064x}",
                    )
                )
                if len(rows) == 5000:
                    Ballot.objects.bulk_create(rows)
                    rows = []
            Ballot.objects.bulk_create(rows)
        ScrutinElection.objects.filter(pk=election.pk).update(
            ballot_count=ballots, height=ballots, last_event=f"{ballots:064x}"
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    print(
        f"set-up: {ballots} ballots written in {time.perf_counter() - started:.0f} s "
        "(not part of the count)",
        file=sys.stderr,
    )
    return election.pk, {j: private_key_to_json(x) for j, x in shares.items()}, expected


def count(election_id: int, shares: dict[int, str], chunk: int, queue: Any) -> None:
    """The timed part, in its own process."""
    _django()
    from urne import clock
    from urne.counting import closing, decryption
    from urne.crypto.jsonio import dumps
    from urne.crypto.tally import make_partial_decryption
    from urne.crypto.trustees import read_private_key
    from urne.voting.models import ScrutinElection
    from urne.voting.setup import GROUP, sealed_election

    def fresh() -> ScrutinElection:
        return ScrutinElection.objects.select_related("scrutin__campaign").get(pk=election_id)

    figures: dict[str, Any] = {}
    election = fresh()
    with (
        mock.patch.object(clock, "now", return_value=election.scrutin.campaign.vote_closes_at),
        mock.patch.object(closing, "schedule_tally", lambda pk: None),
    ):
        started, cpu = time.perf_counter(), time.process_time()
        closing.do_close_election(election)
        figures["close_s"] = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        closing.do_compute_tally(fresh(), size=chunk)
        figures["tally_s"] = time.perf_counter() - started
        figures["tally_cpu_s"] = time.process_time() - cpu
        election = fresh()
        tally = closing.encrypted_tally(election)
        assert tally is not None
        crypto = sealed_election(election)
        for owner in (1, 2):
            started = time.perf_counter()
            x = read_private_key(GROUP, shares[owner])
            text = dumps(make_partial_decryption(crypto, tally, x).to_json())
            figures[f"partial_{owner}_make_s"] = time.perf_counter() - started
            started = time.perf_counter()
            decryption.do_accept_partial_decryption(fresh(), text, None)
            figures[f"partial_{owner}_accept_s"] = time.perf_counter() - started
        result = decryption.scrutin_result(fresh())
        assert result is not None
        figures["counts"] = [result.blank, *(item.votes for item in result.lists)]
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(figures)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=2000, help="ballots per tally chunk")
    parser.add_argument("--seed", type=int, default=2026)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        parser.error("set DATABASE_URL to a scratch database (PostgreSQL, as production runs)")
    _django()
    from django.db import connections

    print(f"load before: {os.getloadavg()}; {len(os.sched_getaffinity(0))} cores")
    election_id, shares, expected = set_up(options.ballots, options.seed)
    connections.close_all()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=count, args=(election_id, shares, options.chunk, queue))
    started = time.perf_counter()
    child.start()
    figures = queue.get()
    child.join()
    total = time.perf_counter() - started
    print(f"load after: {os.getloadavg()}")
    print(f"ballots: {options.ballots}, chunk {options.chunk}")
    print(f"closing (EndBallots): {figures['close_s']:.2f} s")
    print(
        f"encrypted tally: {figures['tally_s']:.1f} s wall, {figures['tally_cpu_s']:.1f} s CPU "
        f"({options.ballots / figures['tally_s']:.0f} ballots/s)"
    )
    for owner in (1, 2):
        print(
            f"member {owner}: partial decryption made {figures[f'partial_{owner}_make_s']:.2f} s "
            f"(offline), verified and accepted {figures[f'partial_{owner}_accept_s']:.2f} s"
            + (" (with the result)" if owner == 2 else "")
        )
    print(f"count process: {total:.1f} s in all, peak memory {figures['peak_rss_mib']:.0f} MiB")
    ok = figures["counts"] == expected
    print(f"result (blank, lists): {figures['counts']} — {'right' if ok else 'WRONG'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""What the web benchmarks share: their made-up campaign, its ballots, and the processor time
of the processes they measure (bench/ballot_box_web.py, bench/surge_locust.py).

Django is set up by the caller before `open_campaign` and `add_lists` are called."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from urne.campaign.models import Academy, Campaign, Scrutin
    from urne.candidacies.models import Union

LISTS = ("FSU", "UNSA Éducation", "SGEN-CFDT", "FO", "CGT Éduc'action", "SNALC")
"""The lists of every scrutin, in official order; a ballot has one more choice, blank."""

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int | None) -> float:
    """Processor time (user + system, seconds) of `pid` and its living descendants."""
    total, pending = 0.0, [pid] if pid else []
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def database_backends(database_url: str) -> list[int]:
    """The PostgreSQL server processes serving the bench's database, to count their processor
    time (the web processes keep their connections between requests)."""
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return [int(row[0]) for row in rows]


def recreate_database(database_url: str) -> None:
    """Drop the bench's database and make it again, empty."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def make_ballots(election_text: str, work: Sequence[tuple[str, int]]) -> list[str]:
    """A ballot for each (voting identifier, choice): the choice's index among the lists, or
    len(LISTS) for blank. Takes and returns texts, so that a process pool can run it."""
    from urne.crypto.ballot import make_ballot
    from urne.crypto.election import read_election_once

    election = read_election_once(election_text)
    made = []
    for identifier, choice in work:
        vote = [0] * (len(LISTS) + 1)
        vote[choice] = 1
        made.append(make_ballot(election, identifier, [vote]).text)
    return made


def open_campaign(name: str, opened: timedelta) -> tuple[Campaign, Academy, list[Union]]:
    """A campaign whose vote opened `opened` ago and closes in a week, its academy (Dijon) and
    the unions of LISTS."""
    from django.utils import timezone

    from urne.campaign.models import Academy, Campaign
    from urne.candidacies.models import Union

    now = timezone.now()
    campaign = Campaign.objects.create(
        name=name,
        year=now.year,
        organizer="Ministère",
        accounts_open_at=now - timedelta(days=60),
        rolls_published_at=now - timedelta(days=40),
        candidacies_published_at=now - timedelta(days=30),
        identifiers_available_at=now - timedelta(days=10),
        corrections_deadline=now - timedelta(hours=2),
        vote_opens_at=now - opened,
        vote_closes_at=now + timedelta(days=7),
    )
    academy = Academy.objects.create(
        campaign=campaign,
        code="dijon",
        name="Dijon",
        mail_domain="ac-dijon.fr",
        assistance_email="elections@ac-dijon.fr",
        assistance_phone="03.80.44.89.95",
    )
    unions = [
        Union.objects.create(campaign=campaign, acronym=acronym, name=f"Liste {acronym}")
        for acronym in LISTS
    ]
    return campaign, academy, unions


def add_scrutin(campaign: Campaign, unions: Sequence[Union], code: str, name: str) -> Scrutin:
    """A national CSA of 15 seats with one validated list per union, in their order."""
    from urne.campaign.models import Scrutin
    from urne.candidacies.models import CandidateList

    scrutin = Scrutin.objects.create(
        campaign=campaign,
        code=code,
        name=name,
        level=Scrutin.Level.NATIONAL,
        kind=Scrutin.Kind.CSA,
        seats=15,
    )
    for position, union in enumerate(unions, start=1):
        made = CandidateList.objects.create(
            status="validated", scrutin=scrutin, position=position, title=union.name
        )
        made.unions.add(union)
    return scrutin

"""The election of the restore drill (tests/operations/test_backup_restore.py), run in processes
of its own against the database that DATABASE_URL names: the private PostgreSQL being backed
up, then the one restored from its backup. Each step prints one JSON line.

- `prepare STATE`: migrate, a campaign whose vote is open with one sealed scrutin and four
  electors on its roll; the voting identifiers the credential authority handed out are written
  to the file STATE (the server never holds them; the test plays the electors);
- `cast STATE N`: the N-th elector (from 0) votes through the ballot box (`do_cast_ballot`);
  prints the ballot's tracker and the board's last event once it is acknowledged;
- `board PATH`: writes the scrutin's public board (.bel) to PATH as the server streams it;
  prints what the box holds (ballots' trackers, émargements, the last event's hash).

    DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=... \\
        python -m tests.operations.restore_scenario prepare /tmp/state.json
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import django

FIRST_NAMES = ("Alice", "Bob", "Chloé", "David")


def prepare(state: Path) -> dict[str, object]:
    from django.core.management import call_command

    from tests.conftest import make_academy, make_campaign, make_elector
    from tests.voting.conftest import Identifiers, add_lists, give_credentials
    from urne import clock
    from urne.campaign.models import RollEntry, Scrutin
    from urne.crypto.group import BELENIOS_2048
    from urne.crypto.jsonio import dumps
    from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
    from urne.voting import setup
    from urne.voting.models import ScrutinElection

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    campaign = make_campaign()
    dijon = make_academy(campaign, "Dijon", "03.80.44.89.95")
    scrutin = Scrutin.objects.create(
        campaign=campaign,
        code="csa-men",
        name="CSA ministériel de l'éducation nationale",
        level=Scrutin.Level.NATIONAL,
        kind=Scrutin.Kind.CSA,
        seats=15,
    )
    electors = [make_elector(campaign, dijon, first, "Martin") for first in FIRST_NAMES]
    for elector in electors:
        RollEntry.objects.create(scrutin=scrutin, elector=elector)
    _, public = make_trustee_key(BELENIOS_2048)
    identifiers = Identifiers()
    with mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(days=1)):
        add_lists(scrutin)
        setup.do_prepare_elections(campaign)
        setup.do_set_trustees(scrutin, dumps(trustees_to_json([SingleTrustee(public)])))
        give_credentials(ScrutinElection.objects.get(scrutin=scrutin), identifiers)
        election = setup.do_seal_election(scrutin)
    state.write_text(
        json.dumps({"electors": [[e.pk, identifiers.of(e)] for e in electors]}), "utf-8"
    )
    return {"uuid": election.uuid}


def cast(state: Path, index: int) -> dict[str, object]:
    from tests.voting.conftest import cast as cast_ballot
    from urne.campaign.models import Elector
    from urne.voting.models import ScrutinElection

    elector_pk, identifier = json.loads(state.read_text("utf-8"))["electors"][index]
    elector = Elector.objects.get(pk=elector_pk)
    election = ScrutinElection.objects.get()
    ballot = cast_ballot(election, elector, identifier, choice=index % 3)
    election.refresh_from_db()
    return {"tracker": ballot.tracker, "last_event": election.last_event}


def board(path: Path) -> dict[str, object]:
    from urne.voting import setup
    from urne.voting.models import Ballot, Emargement, ScrutinElection

    election = ScrutinElection.objects.get()
    path.write_bytes(b"".join(setup.archive_chunks(election)))
    return {
        "last_event": election.last_event,
        "ballots": sorted(Ballot.objects.values_list("tracker", flat=True)),
        "emargements": sorted(Emargement.objects.values_list("elector__first_name", flat=True)),
    }


if __name__ == "__main__":
    django.setup()
    step, argument = sys.argv[1], Path(sys.argv[2])
    if step == "prepare":
        result = prepare(argument)
    elif step == "cast":
        result = cast(argument, int(sys.argv[3]))
    else:
        result = board(argument)
    print(json.dumps(result))

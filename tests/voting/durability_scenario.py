"""The two halves of the durability tests, run in their own processes against a database of their
own (DATABASE_URL): `prepare` makes a sealed campaign with one sealed scrutin, Bob's account, a
logged-in session and Bob's ballot; `check TRACKER` reads back what the ballot box stored and
verifies the board. Each prints one JSON line.

    DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=... \\
        python -m tests.voting.durability_scenario prepare
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from unittest import mock

import django


def prepare() -> dict[str, str]:
    from django.core.management import call_command
    from django.test import Client

    from tests.conftest import make_academy, make_account, make_campaign, make_elector
    from tests.voting.casting import ballot_text
    from tests.voting.conftest import Identifiers, add_lists, give_credentials
    from urne import clock
    from urne.campaign.models import RollEntry, Scrutin
    from urne.crypto.group import BELENIOS_2048
    from urne.crypto.jsonio import dumps
    from urne.crypto.trustees import SingleTrustee, make_trustee_key, trustees_to_json
    from urne.sealing.services import do_seal_campaign
    from urne.voting import setup
    from urne.voting.models import ScrutinElection

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # as an install without Redis does
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
    bob = make_elector(campaign, dijon, "Bob", "Martin")
    RollEntry.objects.create(scrutin=scrutin, elector=bob)
    user = make_account(bob)
    _, public = make_trustee_key(BELENIOS_2048)
    identifiers = Identifiers()
    with mock.patch.object(clock, "now", return_value=campaign.vote_opens_at - timedelta(days=1)):
        add_lists(scrutin)
        setup.do_prepare_elections(campaign)
        setup.do_set_trustees(scrutin, dumps(trustees_to_json([SingleTrustee(public)])))
        give_credentials(ScrutinElection.objects.get(scrutin=scrutin), identifiers)
        election = setup.do_seal_election(scrutin)
        do_seal_campaign(None, campaign)  # the campaign's seal: without it, no ballot is taken
    client = Client()
    client.force_login(user)
    return {
        "uuid": election.uuid,
        "session": client.cookies["sessionid"].value,
        "ballot": ballot_text(scrutin, identifiers.of(bob)),
    }


def check(tracker: str) -> dict[str, object]:
    from tests.voting.casting import write_board
    from urne.crypto.verifier import verify_archive
    from urne.voting.models import Ballot, Emargement, ScrutinElection

    election = ScrutinElection.objects.get()
    with tempfile.TemporaryDirectory() as folder:
        board = write_board(election.scrutin, Path(folder))
        verified = verify_archive(board).ballots
    return {
        "ballots": Ballot.objects.count(),
        "stored": Ballot.objects.filter(tracker=tracker).exists(),
        "emargements": Emargement.objects.count(),
        "ballot_count": election.ballot_count,
        "verified": verified,
    }


if __name__ == "__main__":
    django.setup()
    step = sys.argv[1]
    result = prepare() if step == "prepare" else check(sys.argv[2])
    print(json.dumps(result))
